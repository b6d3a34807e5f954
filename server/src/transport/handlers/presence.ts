/**
 * Presence: head/hand poses relayed to the others in the room (volatile: a slow client drops
 * updates instead of queueing them), at most 30 Hz per sender, never stored. Malformed or
 * over-rate updates are dropped silently (the event has no ack, and a pose is stale 33 ms later).
 */
import { INBOUND } from '@fastsam-xr/protocol'
import type { Connection } from '../../context.ts'

export function registerPresenceHandlers(conn: Connection): void {
  conn.socket.on('presence:update', (payload: unknown) => {
    const room = conn.room
    const { schema, bucket } = INBOUND['presence:update']
    if (!room || !conn.limits.take(bucket)) return
    const parsed = schema.safeParse(payload)
    if (!parsed.success) return
    conn.socket
      .to(room.channel)
      .volatile.emit('presence', { clientId: conn.clientId, ...parsed.data, t: Date.now() })
  })
}
