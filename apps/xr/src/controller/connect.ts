/**
 * Starts the client: one socket to the serving origin, server events → store, and on every
 * (re)connect into a room: the one already shown (after a reconnect; the server kept its state),
 * the one in the URL (`?room=&token=`, a shared link), or else a new room around the first demo case
 * (its link is written into the URL so it can be shared).
 */
import { pushMessage, useAppStore } from '../state/store.ts'
import { clearLoading, listCases, openCase } from './actions.ts'
import { displayName } from './displayName.ts'
import { registerServerEvents } from './events.ts'
import { errorText, request } from './request.ts'
import { applySnapshot, roomFromUrl } from './room.ts'
import { takeSiteKey } from './siteKey.ts'
import { getSocket } from './socket.ts'

/** wait before reconnecting after the server closed the connection (ms). */
const SERVER_CLOSED_RETRY_MS = 1000

const UNREACHABLE = 'server unreachable'

let started = false

export function startClient(): void {
  if (started) return
  started = true
  const socket = getSocket()
  registerServerEvents(socket)
  let outageReported = false
  socket.on('connect', () => {
    if (outageReported) {
      // the outage is over: its message would only confuse now
      useAppStore.setState((s) => ({ messages: s.messages.filter((m) => !m.text.startsWith(UNREACHABLE)) }))
      pushMessage('info', 'reconnected to the server')
    }
    outageReported = false
    useAppStore.setState((s) => ({ connection: { ...s.connection, status: 'connected', error: null } }))
    void enterRoom()
  })
  socket.on('connect_error', () => {
    const error = UNREACHABLE
    useAppStore.setState((s) => ({
      connection: { ...s.connection, status: 'disconnected', error },
      loading: s.room ? null : { label: 'server unreachable, retrying', progress: null },
    }))
    if (!outageReported) pushMessage('error', `${error}: retrying (is the fastsam-xr server running?)`)
    outageReported = true
  })
  socket.on('disconnect', (reason) => {
    useAppStore.setState((s) => ({
      connection: { ...s.connection, status: 'disconnected', error: `connection lost (${reason})` },
      // nobody else is around while we are gone; they come back with the snapshot.
      presence: {},
    }))
    // socket.io reconnects by itself after a network loss, but not when the server closed the
    // connection (a server restart does that): try again then too, rooms are restored on join.
    if (reason === 'io server disconnect') setTimeout(() => socket.connect(), SERVER_CLOSED_RETRY_MS)
  })
  useAppStore.setState({
    connection: { status: 'connecting', clientId: null, error: null },
    loading: { label: 'connecting', progress: null },
  })
  socket.connect()
}

async function enterRoom(): Promise<void> {
  const shown = useAppStore.getState().room
  const target = shown ? { roomId: shown.roomId, token: shown.token } : roomFromUrl()
  if (target && (await joinRoom(target.roomId, target.token))) return
  if (target && shown) return // the reconnect join failed; its message says why.
  if (!takeSiteKey()) {
    useAppStore.setState({ loading: null })
    pushMessage(
      'error',
      'no site key: open the address the server printed at start (it ends in ?key=…), or a room link someone shared',
    )
    return
  }
  const demo = (await listCases()).find((c) => c.kind === 'demo')
  if (!demo) {
    useAppStore.setState({ loading: null })
    pushMessage('error', 'the case failed to open: this server offers no demo case')
    return
  }
  await openCase(demo.caseId)
}

async function joinRoom(roomId: string, token: string): Promise<boolean> {
  useAppStore.setState({ loading: { label: 'joining room', progress: null } })
  try {
    const reply = await request(
      getSocket(),
      'room:join',
      { roomId, token, displayName: displayName() },
      120_000,
    )
    applySnapshot(roomId, token, reply.snapshot)
    clearLoading('joining room')
    return true
  } catch (err) {
    useAppStore.setState({ loading: null })
    pushMessage('error', `could not join the room: ${errorText(err)}`)
    return false
  }
}
