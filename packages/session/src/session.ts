/**
 * One segment's prompt log and its folded mask, for callers without rooms (`fastsam-xr segment`, the
 * evaluation's predictor): the same `foldPrompts` the server's jobs run, so the same clicks in the same
 * order give the same mask, byte for byte, wherever they were placed.
 */
import type { Prompt, Segmenter } from '@fastsam-xr/runtime'
import type { Volume } from '@fastsam-xr/volume'
import {
  EMPTY_MASK_STATE,
  foldPrompts,
  type FoldOptions,
  type FoldResult,
  type LoggedPrompt,
  type MaskState,
} from './fold.ts'

export class SegmentSession {
  private log: LoggedPrompt[] = []
  private folded: MaskState = EMPTY_MASK_STATE

  constructor(
    readonly segmenter: Segmenter,
    readonly volume: Volume,
    readonly options: FoldOptions,
  ) {}

  /** The prompts folded so far, oldest first. */
  get prompts(): readonly LoggedPrompt[] {
    return this.log
  }

  get state(): MaskState {
    return this.folded
  }

  /** Volume-order mask (1 = inside) after the last prompt, or null before the first. */
  get mask(): Uint8Array | null {
    return this.folded.mask
  }

  /**
   * Appends one prompt to the log and folds it (one decoder pass, or a new crop when it lies outside
   * the current one). On failure (PromptFoldError) the prompt is not kept and the mask is unchanged.
   */
  async add(prompt: Prompt): Promise<FoldResult> {
    const next = [
      ...this.log,
      { seq: this.log.length + 1, pointWorldRas: prompt.pointWorldRas, positive: prompt.positive },
    ]
    const result = await foldPrompts(this.segmenter, this.volume, this.folded, next, this.options)
    this.log = next
    this.folded = result.state
    return result
  }
}
