/** Server → client events → store. */
import { PROTOCOL_VERSION } from '@fastsam-xr/protocol/version'
import { pushMessage, useAppStore, type AppState } from '../state/store.ts'
import { removeSegment, upsertSegment } from './actions.ts'
import { freshPresence, PRESENCE_STALE_MS } from './presence.ts'
import { setPromptLog, withdrawPrompts } from './promptLogs.ts'
import type { ClientSocket } from './request.ts'
import { receiveMeshUpdate } from './meshUpdates.ts'

/** Local receipt time of each member's latest presence (server clocks are not ours). */
const heardAt = new Map<string, number>()

export function registerServerEvents(socket: ClientSocket): void {
  socket.on('server:hello', (hello) => {
    useAppStore.setState((s) => ({ connection: { ...s.connection, clientId: hello.clientId } }))
    if (hello.protocolVersion !== PROTOCOL_VERSION)
      pushMessage(
        'error',
        `this page speaks protocol ${PROTOCOL_VERSION}, the server ${hello.protocolVersion}: reload the page`,
      )
  })
  socket.on('segment:changed', (info) => upsertSegment(info))
  socket.on('segment:deleted', ({ segmentId }) => removeSegment(segmentId))
  socket.on('segment:history', ({ segmentId, prompts, redoCount }) =>
    setPromptLog(segmentId, prompts, redoCount),
  )
  socket.on('segment:mesh', (update) => receiveMeshUpdate(update))
  socket.on('segment:failed', (failure) => {
    const name = useAppStore.getState().segments[failure.segmentId]?.info.name ?? 'a segment'
    withdrawPrompts(failure.segmentId, failure.withdrawnSeqs)
    pushMessage('error', `${name}: prompt withdrawn: ${failure.error.message}`)
  })
  socket.on('member:joined', (member) =>
    useAppStore.setState((s) => ({
      members: [...s.members.filter((m) => m.clientId !== member.clientId), member],
    })),
  )
  socket.on('member:left', (member) => {
    heardAt.delete(member.clientId)
    useAppStore.setState((s) => {
      const presence = { ...s.presence }
      delete presence[member.clientId]
      return { members: s.members.filter((m) => m.clientId !== member.clientId), presence }
    })
  })
  socket.on('presence', (relay) => {
    if (relay.clientId === useAppStore.getState().connection.clientId) return
    heardAt.set(relay.clientId, performance.now())
    useAppStore.setState((s) => ({ presence: { ...s.presence, [relay.clientId]: relay } }))
  })
  setInterval(dropStalePresence, 1000)
}

function dropStalePresence(): void {
  const s: AppState = useAppStore.getState()
  const ids = Object.keys(s.presence)
  if (ids.length === 0) return
  const fresh = freshPresence(s.presence, heardAt, performance.now(), PRESENCE_STALE_MS)
  if (Object.keys(fresh).length === ids.length) return
  for (const id of ids) if (!fresh[id]) heardAt.delete(id)
  useAppStore.setState({ presence: fresh })
}
