/**
 * #status (top right): connection state, the case, the model, who is in the room, and a spinner with a
 * label while something loads or a segment waits on its mesh. data-connection / data-busy let tests
 * wait on it without parsing text.
 */
import { useAppStore } from '../state/store.ts'
import { formatPercent } from './format.ts'
import { useBusy } from './useBusy.ts'

const CONNECTION_TEXT = {
  connecting: 'connecting…',
  connected: 'connected',
  disconnected: 'offline',
} as const

export function StatusBar() {
  const connection = useAppStore((s) => s.connection)
  const room = useAppStore((s) => s.room)
  const members = useAppStore((s) => s.members)
  const clientId = connection.clientId
  const busy = useBusy()
  const others = members.filter((m) => m.clientId !== clientId)
  const memberNames = members.map((m) => (m.clientId === clientId ? `${m.displayName} (you)` : m.displayName))

  return (
    <section
      id="status"
      className="panel status"
      data-connection={connection.status}
      data-busy={busy ? 'true' : 'false'}
      aria-live="polite"
    >
      <div className="status-line">
        <span className={`dot dot-${connection.status}`} aria-hidden="true" />
        <span className="connection" title={connection.error ?? undefined}>
          {CONNECTION_TEXT[connection.status]}
        </span>
        {room && connection.status === 'connected' && (
          <span className="members" title={memberNames.join(', ')}>
            {others.length === 0 ? 'alone in room' : `${others.length + 1} in room`}
          </span>
        )}
      </div>
      {others.length > 0 && connection.status === 'connected' && (
        <div className="member-names" title={memberNames.join(', ')}>
          with {others.map((m) => m.displayName).join(', ')}
        </div>
      )}
      {connection.status === 'disconnected' && connection.error && (
        <div className="status-error">{connection.error}</div>
      )}
      {room && (
        <div
          className="case-line"
          title={`${room.caseInfo.modality} · ${room.caseInfo.dims.join('×')} voxels`}
        >
          <span className="case-label">{room.caseInfo.label}</span>
          <span className="model">{room.model ? `model ${room.model}` : 'no model'}</span>
        </div>
      )}
      {busy && (
        <div className="busy" role="status">
          <span className="spinner" aria-hidden="true" />
          <span className="busy-label">{busy.label}</span>
          {busy.progress !== null && (
            <>
              <progress max={1} value={busy.progress} />
              {/* NET's labels already read 'uploading 42 %' */}
              {!busy.label.includes('%') && (
                <span className="busy-percent">{formatPercent(busy.progress)}</span>
              )}
            </>
          )}
        </div>
      )}
    </section>
  )
}
