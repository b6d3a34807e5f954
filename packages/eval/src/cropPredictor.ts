/**
 * The evaluation's predictor for fold 'crop' (the paper's loop, model-spec §8.3): every click a decoder pass
 * in the one encoded crop, with the clicks the model takes (`promptsForPass`) and the previous pass's raw
 * logits; the next click is drawn from the upsampled logits > 0.5 (the official quirk), Dice is measured on
 * the model's own threshold.
 */
import { upsampleThreshold, type EncodedCrop, type Prompt, type Segmenter } from '@fastsam-xr/runtime'
import { applyAffine } from '@fastsam-xr/volume'
import { CLICK_LOGIT_THRESHOLD } from './clicks.ts'
import type { Predictor } from './interaction.ts'

export function cropPredictor(seg: Segmenter, encoded: EncodedCrop): Predictor {
  const size = seg.manifest.input.cropSize
  const lowSize = seg.manifest.lowResLogits.shape[2]
  let low: Float32Array | undefined
  const history: Prompt[] = []
  return async (click) => {
    const pointWorldRas = applyAffine(encoded.crop.cropAffine, click.point)
    history.push({ pointWorldRas, positive: click.positive })
    const r = await seg.decode(encoded, seg.promptsForPass(history), low)
    low = r.lowResLogits
    return {
      forClicks: upsampleThreshold(low, lowSize, size, CLICK_LOGIT_THRESHOLD),
      shown: seg.cropMask(low),
    }
  }
}
