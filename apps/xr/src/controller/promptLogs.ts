/**
 * The prompt markers: each segment's prompt log as the server last stated it. `segment:history`
 * carries the whole log in force (after a prompt, undo, redo, reset or withdrawal, whoever caused it)
 * and a room snapshot carries it too, so the client never reconstructs it from counts.
 */
import type { PromptRecord } from '@fastsam-xr/protocol'
import { useAppStore } from '../state/store.ts'

/** A segment's log in force and its redo depth (segment:history or a snapshot). */
export function setPromptLog(segmentId: string, prompts: readonly PromptRecord[], redoCount: number): void {
  useAppStore.setState((s) => {
    const seg = s.segments[segmentId]
    if (!seg) return s
    const inLog = new Set(prompts.map((p) => p.seq))
    return {
      segments: {
        ...s.segments,
        [segmentId]: {
          ...seg,
          prompts: prompts.map((p) => ({ ...p, pointWorldRas: [...p.pointWorldRas] })),
          redoCount,
          // an undone or withdrawn prompt no longer waits for a mesh.
          pendingSeqs: seg.pendingSeqs.filter((q) => inLog.has(q)),
        },
      },
    }
  })
}

/** Prompts the server withdrew (segment:failed); the history event that follows confirms the log. */
export function withdrawPrompts(segmentId: string, seqs: number[]): void {
  const gone = new Set(seqs)
  const seg = useAppStore.getState().segments[segmentId]
  if (!seg) return
  setPromptLog(
    segmentId,
    seg.prompts.filter((p) => !gone.has(p.seq)),
    seg.redoCount,
  )
}
