/**
 * The client's mirror of each segment's prompt log (history.ts): the prompt list lives in the store
 * (SegmentView.prompts); the undone prompts and every record seen (for markers that come back on a
 * redo or with a mesh) live here.
 */
import type { PromptRecord } from '@fastsam-xr/protocol'
import { useAppStore } from '../state/store.ts'
import { appendPrompt, reconcileHistory, syncWithMesh, type PromptLog } from './history.ts'

const redoStacks = new Map<string, PromptRecord[]>()
const knownRecords = new Map<string, Map<number, PromptRecord>>()

export function forgetPromptLogs(): void {
  redoStacks.clear()
  knownRecords.clear()
}

export function forgetPromptLog(segmentId: string): void {
  redoStacks.delete(segmentId)
  knownRecords.delete(segmentId)
}

function known(segmentId: string): Map<number, PromptRecord> {
  let m = knownRecords.get(segmentId)
  if (!m) knownRecords.set(segmentId, (m = new Map()))
  return m
}

/** A snapshot's segment (join / reconnect): its prompts become known, the redo stack its size. */
export function rememberPrompts(
  segmentId: string,
  prompts: readonly PromptRecord[],
  redoCount: number,
): void {
  const m = known(segmentId)
  for (const p of prompts) m.set(p.seq, p)
  const redo = redoStacks.get(segmentId) ?? []
  redoStacks.set(segmentId, redo.slice(Math.max(0, redo.length - redoCount)))
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

/** segment:history, or the ack of our own undo / redo / reset (`hint` 'redo' for a redo's ack). */
export function applyHistory(segmentId: string, promptCount: number, redoCount: number, hint?: 'redo'): void {
  update(segmentId, (log) => reconcileHistory(log, promptCount, redoCount, hint), redoCount)
}

/** Our own prompt, acknowledged with its seq. */
export function addOwnPrompt(segmentId: string, prompt: PromptRecord, redoCount: number): void {
  known(segmentId).set(prompt.seq, prompt)
  update(segmentId, (log) => appendPrompt(log, prompt), redoCount)
}

/**
 * A mesh update's promptSeqs: the server's log when its fold started. Returns whether it holds
 * prompts this client has no record of (placed by another member: the protocol relays only counts).
 */
export function applyMeshLog(segmentId: string, promptSeqs: readonly number[]): boolean {
  const records = known(segmentId)
  update(segmentId, (log) => syncWithMesh(log, records, promptSeqs))
  return promptSeqs.some((seq) => !records.has(seq))
}

/** Prompts the server withdrew (segment:failed). */
export function withdrawPrompts(segmentId: string, seqs: number[]): void {
  const gone = new Set(seqs)
  update(segmentId, (log) => ({ prompts: log.prompts.filter((p) => !gone.has(p.seq)), redo: log.redo }))
}
