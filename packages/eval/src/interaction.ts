/**
 * One simulated interactive session on one target (model-spec §8.3 / §9): click, predict, measure,
 * repeat. The predictor is either the model (decoder pass with the newest click + previous low-res
 * logits) or the baseline; this loop only owns the protocol:
 *
 *   - click k is drawn from the errors of the prediction after click k − 1 at the CLICK threshold
 *     (the official 0.5-logit quirk), Dice is measured on the SHOWN prediction (logit > 0);
 *   - `firstClick` (when given) replaces the simulated first click: both methods start from the very
 *     same click, and in first-click crop mode it is the click the crop was centred on;
 *   - nothing left to correct (no candidate, the official code would crash): clicking stops and the
 *     remaining clicks keep the last Dice.
 */
import { nextClick, type Click } from './clicks.ts'
import { dice } from './dice.ts'
import type { Dims3 } from './edt.ts'
import type { Rng } from './rng.ts'

export interface Prediction {
  /** the prediction the next click is simulated from (upsampled logits > 0.5 for the model). */
  forClicks: Uint8Array
  /** the prediction a user sees and Dice measures (upsampled logits > 0 for the model). */
  shown: Uint8Array
}

/** Turns the k-th click (0-based) into a prediction on the crop. */
export type Predictor = (click: Click, k: number) => Promise<Prediction>

export interface ClickRecord {
  /** null when the prediction was already perfect (no click was made). */
  click: Click | null
  /** Dice inside the crop (as the paper). */
  dice: number
  /** Dice on the label's whole grid (mask pasted back), when a measure was given. */
  diceWhole: number
}

export async function simulateInteraction(opts: {
  gt: Uint8Array
  dims: Dims3
  clicks: number
  rng: Rng
  predict: Predictor
  firstClick?: Click
  /** Dice of the shown crop prediction on the whole volume (paste-back); NaN when omitted. */
  wholeDice?: (shown: Uint8Array) => number
}): Promise<ClickRecord[]> {
  const { gt, dims, rng, predict } = opts
  const records: ClickRecord[] = []
  let forClicks: Uint8Array | null = null
  for (let k = 0; k < opts.clicks; k++) {
    const click = k === 0 && opts.firstClick ? opts.firstClick : nextClick(forClicks, gt, dims, k, rng)
    if (click === null) {
      const last = records[records.length - 1]
      records.push({ click: null, dice: last?.dice ?? NaN, diceWhole: last?.diceWhole ?? NaN })
      continue
    }
    const p = await predict(click, k)
    forClicks = p.forClicks
    records.push({
      click,
      dice: dice(p.shown, gt),
      diceWhole: opts.wholeDice ? opts.wholeDice(p.shown) : NaN,
    })
  }
  return records
}
