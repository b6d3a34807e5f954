/**
 * One segment of a room: display info, prompt history with undo/redo, the folded mask state and the
 * latest mesh update. History edits are immediate (so acks, late joiners and exports see them at
 * once); the mask catches up through the inference queue.
 */
import type { VoxelBox } from '@fastsam-xr/geometry'
import {
  LIMITS,
  type HistoryStatus,
  type HistoryUpdate,
  type MeshUpdate,
  type PromptRecord,
  type SegmentInfo,
  type SegmentSnapshot,
} from '@fastsam-xr/protocol'
import { ProtocolFailure } from '../failure.ts'
import { EMPTY_MASK_STATE, type MaskState } from '@fastsam-xr/session'

export class Segment {
  prompts: PromptRecord[] = []
  redoStack: PromptRecord[] = []
  state: MaskState = EMPTY_MASK_STATE
  /** bounding box of the state's mask (null when empty). */
  box: VoxelBox | null = null
  mesh: MeshUpdate | null = null
  revision = 0

  constructor(public info: SegmentInfo) {}

  get id(): string {
    return this.info.segmentId
  }

  history(): HistoryStatus {
    return { promptCount: this.prompts.length, redoCount: this.redoStack.length }
  }

  /** The `segment:history` event: counts and the prompt log in force. */
  historyUpdate(): HistoryUpdate {
    return { segmentId: this.id, ...this.history(), prompts: this.prompts.map((p) => ({ ...p })) }
  }

  addPrompt(p: PromptRecord): void {
    if (this.prompts.length >= LIMITS.promptsPerSegment)
      throw new ProtocolFailure(
        'too-large',
        `a segment keeps at most ${LIMITS.promptsPerSegment} prompts; reset it`,
      )
    this.prompts.push(p)
    this.redoStack = []
  }

  undo(): void {
    const p = this.prompts.pop()
    if (!p) throw new ProtocolFailure('nothing-to-undo', 'no prompt to undo')
    this.redoStack.push(p)
  }

  redo(): void {
    const p = this.redoStack.pop()
    if (!p) throw new ProtocolFailure('nothing-to-undo', 'no undone prompt to redo')
    this.prompts.push(p)
  }

  reset(): void {
    this.prompts = []
    this.redoStack = []
  }

  /** Removes a prompt the model could not answer. */
  withdraw(seq: number): void {
    this.prompts = this.prompts.filter((p) => p.seq !== seq)
  }

  /** Whether the mask state reflects the current history. */
  upToDate(): boolean {
    return (
      this.mesh !== null &&
      this.state.seqs.length === this.prompts.length &&
      this.state.seqs.every((s, n) => this.prompts[n].seq === s)
    )
  }

  snapshot(): SegmentSnapshot {
    return {
      segment: { ...this.info },
      prompts: this.prompts.map((p) => ({ ...p })),
      redoCount: this.redoStack.length,
      mesh: this.mesh,
    }
  }
}
