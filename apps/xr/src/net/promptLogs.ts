/**
 * The client's mirror of each segment's undone prompts (the server's redo stack), so that a redo
 * brings the prompt marker back. The prompt list itself lives in the store (SegmentView.prompts).
 */
import type { PromptRecord } from '@fastsam-xr/protocol'
import { useAppStore } from '../state/store.ts'
import { appendPrompt, reconcileHistory, type PromptLog } from './history.ts'

const redoStacks = new Map<string, PromptRecord[]>()

export function forgetPromptLogs(): void {
  redoStacks.clear()
}

function update(segmentId: string, change: (log: PromptLog) => PromptLog, redoCount?: number): void {
  useAppStore.setState((s) => {
    const seg = s.segments[segmentId]
    if (!seg) return s
    const next = change({ prompts: seg.prompts, redo: redoStacks.get(segmentId) ?? [] })
    redoStacks.set(segmentId, next.redo)
    const inLog = new Set(next.prompts.map((p) => p.seq))
    return {
      segments: {
        ...s.segments,
        [segmentId]: {
          ...seg,
          prompts: next.prompts,
          redoCount: redoCount ?? seg.redoCount,
          pendingSeqs: seg.pendingSeqs.filter((q) => inLog.has(q)),
        },
      },
    }
  })
}

/** segment:history (or an ack with the history counts). */
export function applyHistory(segmentId: string, promptCount: number, redoCount: number): void {
  update(segmentId, (log) => reconcileHistory(log, promptCount, redoCount), redoCount)
}

/** Our own prompt, acknowledged with its seq. */
export function addOwnPrompt(segmentId: string, prompt: PromptRecord, redoCount: number): void {
  update(segmentId, (log) => appendPrompt(log, prompt), redoCount)
}

/** Prompts the server withdrew (segment:failed). */
export function withdrawPrompts(segmentId: string, seqs: number[]): void {
  const gone = new Set(seqs)
  update(segmentId, (log) => ({ prompts: log.prompts.filter((p) => !gone.has(p.seq)), redo: log.redo }))
}

export function forgetPromptLog(segmentId: string): void {
  redoStacks.delete(segmentId)
}
