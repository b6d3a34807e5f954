/**
 * #segments: the room's segments in creation order, a new-segment button, and undo / redo / reset of
 * the active segment (enabled only when there is something to undo / redo / reset and the server is
 * reachable: editState.ts).
 */
import { createSegment, redo, resetSegment, undo } from '../controller/actions.ts'
import { useShallow } from 'zustand/react/shallow'
import { useAppStore } from '../state/store.ts'
import { editState } from './editState.ts'
import { SegmentRow } from './SegmentRow.tsx'

export function SegmentsPanel() {
  const segmentOrder = useAppStore((s) => s.segmentOrder)
  const segments = useAppStore((s) => s.segments)
  const activeId = useAppStore((s) => s.activeSegmentId)
  const active = activeId ? segments[activeId] : undefined
  const { canEdit, canUndo, canRedo } = useAppStore(useShallow(editState))

  return (
    <section id="segments" className="panel segments" aria-label="segments">
      <header className="panel-header">
        <h2>Segments</h2>
        <button
          id="new-segment"
          type="button"
          title="new segment (N)"
          disabled={!canEdit}
          onClick={() => void createSegment()}
        >
          + new
        </button>
      </header>
      {segmentOrder.length === 0 ? (
        <p className="empty">No segments yet: click the anatomy to start one.</p>
      ) : (
        <ul className="segment-list">
          {segmentOrder.map((id) => {
            const segment = segments[id]
            return segment ? <SegmentRow key={id} segment={segment} active={id === activeId} /> : null
          })}
        </ul>
      )}
      <div className="history-buttons" aria-label={active ? `history of ${active.info.name}` : 'history'}>
        <button id="undo" type="button" title="undo (Ctrl+Z)" disabled={!canUndo} onClick={() => undo()}>
          ↶ undo
        </button>
        <button
          id="redo"
          type="button"
          title="redo (Ctrl+Shift+Z)"
          disabled={!canRedo}
          onClick={() => redo()}
        >
          ↷ redo
        </button>
        <button
          id="reset-segment"
          type="button"
          title="remove every point of the active segment"
          disabled={!canUndo}
          onClick={() => resetSegment()}
        >
          reset
        </button>
      </div>
    </section>
  )
}
