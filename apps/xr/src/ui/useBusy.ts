/**
 * What the progress indicator shows: the store's loading label (connecting, opening a case, uploading)
 * first, otherwise "segmenting…" while any segment waits on a mesh for prompts already sent.
 */
import { useAppStore, type AppState } from '../state/store.ts'

export interface Busy {
  label: string
  /** 0..1 when known (uploads), null for an indeterminate spinner. */
  progress: number | null
}

/** Some segment waits on the mesh of a prompt already sent. */
export const anySegmentPending = (s: AppState): boolean =>
  s.segmentOrder.some((id) => (s.segments[id]?.pendingSeqs.length ?? 0) > 0)

export function useBusy(): Busy | null {
  const loading = useAppStore((s) => s.loading)
  const segmenting = useAppStore(anySegmentPending)
  if (loading) return { label: loading.label, progress: loading.progress }
  if (segmenting) return { label: 'segmenting…', progress: null }
  return null
}
