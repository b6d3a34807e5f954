/**
 * The evaluation's predictor for fold 'session': each simulated click (crop indices) goes to world RAS and
 * through the server's own fold (`SegmentSession`, volume-grid mask, crop extension as configured); the
 * prediction the next click is drawn from and Dice is measured on is that mask read back in the crop
 * (`sampleMaskInCrop`). There are no single-crop logits to threshold at 0.5 (the paper's click quirk), so
 * clicks follow the shown mask.
 */
import type { Segmenter } from '@fastsam-xr/runtime'
import { SegmentSession } from '@fastsam-xr/session'
import { applyAffine, sampleMaskInCrop, type ModelCrop, type Volume } from '@fastsam-xr/volume'
import { EvalError } from './errors.ts'
import type { Predictor } from './interaction.ts'

export interface SessionPredictor {
  predict: Predictor
  /** the fold's state: its prompts and its mask on `image`'s grid. */
  session: SegmentSession
}

/** `crop`: the window the clicks are simulated in; the session's first crop must be it (first-click crops). */
export function sessionPredictor(
  seg: Segmenter,
  image: Volume,
  crop: ModelCrop,
  opts: { extendCrops: boolean },
): SessionPredictor {
  const session = new SegmentSession(seg, image, opts)
  const predict: Predictor = async (click) => {
    await session.add({ pointWorldRas: applyAffine(crop.cropAffine, click.point), positive: click.positive })
    const opened = session.prompts.length === 1 ? session.state.encoded : null
    if (opened && !opened.crop.start.every((s, a) => s === crop.start[a]))
      throw new EvalError(
        'internal',
        `the session's first crop starts at ${opened.crop.start.join(',')}, the evaluation's at ${crop.start.join(',')}`,
      )
    const shown = sampleMaskInCrop(session.mask!, image, crop)
    return { forClicks: shown, shown }
  }
  return { predict, session }
}
