/** cases:list, case:open (a new room around a case), room:join (with the token), room:leave, disconnect. */
import { scheduleSegment } from '../../jobs/segmentJobs.ts'
import type { Connection, ServerContext } from '../../context.ts'
import { handle } from '../dispatch.ts'
import { ProtocolFailure } from '../../failure.ts'
import type { Room } from '../../rooms/rooms.ts'

/** Leaves the current room (if any), telling the others. */
export async function leaveRoom(ctx: ServerContext, conn: Connection): Promise<void> {
  const room = conn.room
  if (!room) return
  conn.room = null
  room.members.delete(conn.clientId)
  room.lastActive = Date.now()
  await conn.socket.leave(room.channel)
  ctx.io.to(room.channel).emit('member:left', { clientId: conn.clientId, displayName: conn.displayName })
  // nobody left to see its meshes: its waiting jobs go (the next member to enter schedules them again)
  if (room.members.size === 0) ctx.queue.cancelRoom(room.id)
  ctx.log.info({ roomId: room.id, clientId: conn.clientId, members: room.members.size }, 'left room')
}

async function enterRoom(ctx: ServerContext, conn: Connection, room: Room): Promise<void> {
  if (conn.room === room) return
  await leaveRoom(ctx, conn)
  // The client may have gone while the case loaded: a ghost member would never leave.
  if (!conn.socket.connected) return
  conn.room = room
  room.members.set(conn.clientId, { clientId: conn.clientId, displayName: conn.displayName })
  room.lastActive = Date.now()
  conn.socket
    .to(room.channel)
    .emit('member:joined', { clientId: conn.clientId, displayName: conn.displayName })
  await conn.socket.join(room.channel)
  ctx.log.info({ roomId: room.id, clientId: conn.clientId, members: room.members.size }, 'joined room')
  // segments whose mesh is behind their prompts (jobs dropped while the room was empty, or a room
  // restored from its record) are folded now (never-prompted ones have nothing to show); a job already
  // waiting is coalesced
  for (const segment of room.segments.values())
    if (!segment.upToDate() && (segment.prompts.length > 0 || segment.mesh !== null))
      scheduleSegment(ctx, room, segment)
}

export function registerRoomHandlers(ctx: ServerContext, conn: Connection): void {
  handle(ctx, conn, 'cases:list', async () => ({
    cases: await ctx.cases.list(conn.clientId),
  }))

  handle(ctx, conn, 'case:open', async ({ caseId, displayName }) => {
    if (!ctx.addresses.takeRoom(conn.address))
      throw new ProtocolFailure(
        'rate-limited',
        `this address opened ${ctx.addresses.spec.roomsPerMinute} rooms in the last minute; join one (room:join) or wait`,
      )
    if (displayName) conn.displayName = displayName
    const loaded = await ctx.cases.open(caseId)
    const { room, token } = await ctx.rooms.create(loaded)
    ctx.log.info(
      // Data-folder case ids come from file names, which may name a patient: log the kind only.
      {
        roomId: room.id,
        caseKind: loaded.info.kind,
        dims: loaded.info.dims,
        loadMs: Math.round(loaded.loadMs),
      },
      'room created',
    )
    await enterRoom(ctx, conn, room)
    return { roomId: room.id, token, snapshot: room.snapshot() }
  })

  handle(ctx, conn, 'room:join', async ({ roomId, token, displayName }) => {
    const room = await ctx.rooms.authorize(roomId, token)
    if (displayName) conn.displayName = displayName
    await enterRoom(ctx, conn, room)
    return { snapshot: room.snapshot() }
  })

  handle(ctx, conn, 'room:leave', async () => {
    await leaveRoom(ctx, conn)
    return {}
  })
}
