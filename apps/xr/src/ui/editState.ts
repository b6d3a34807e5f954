/**
 * What the segment buttons and shortcuts may do right now (one rule for both): edits need an open room
 * and a live connection; undo / reset need prompts in the active segment, redo an undone one.
 */
import type { AppState } from '../state/store.ts'

export interface EditState {
  canEdit: boolean
  canUndo: boolean
  canRedo: boolean
}

export function editState(
  s: Pick<AppState, 'room' | 'connection' | 'segments' | 'activeSegmentId'>,
): EditState {
  const canEdit = s.room !== null && s.connection.status === 'connected'
  const active = s.activeSegmentId ? s.segments[s.activeSegmentId] : undefined
  return {
    canEdit,
    canUndo: canEdit && (active?.prompts.length ?? 0) > 0,
    canRedo: canEdit && (active?.redoCount ?? 0) > 0,
  }
}
