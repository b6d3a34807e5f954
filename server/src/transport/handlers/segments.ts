/** Segment create/update/delete, prompts, undo/redo/reset. History changes are broadcast at once; meshes follow from the inference queue. */
import type { Connection, ServerContext } from '../../context.ts'
import { insideVolume } from '@fastsam-xr/session'
import { handle } from '../dispatch.ts'
import { ProtocolFailure } from '../../failure.ts'
import type { Room } from '../../rooms/rooms.ts'
import type { Segment } from '../../rooms/segment.ts'
import { scheduleSegment } from '../../jobs/segmentJobs.ts'

function roomOf(conn: Connection): Room {
  if (!conn.room) throw new ProtocolFailure('not-in-room', 'open a case or join a room first')
  return conn.room
}

export function registerSegmentHandlers(ctx: ServerContext, conn: Connection): void {
  const historyChanged = (room: Room, segment: Segment): void => {
    ctx.io.to(room.channel).emit('segment:history', segment.historyUpdate())
    scheduleSegment(ctx, room, segment)
  }

  handle(ctx, conn, 'segment:create', async ({ name, color }) => {
    const room = roomOf(conn)
    const segment = await ctx.rooms.mutate(room, () => room.createSegment(name, color))
    ctx.io.to(room.channel).emit('segment:changed', { ...segment.info })
    return { segment: { ...segment.info } }
  })

  handle(ctx, conn, 'segment:update', async ({ segmentId, name, color, visible }) => {
    const room = roomOf(conn)
    const segment = await ctx.rooms.mutate(room, () => {
      const s = room.segment(segmentId)
      if (name !== undefined) s.info.name = name
      if (color !== undefined) s.info.color = color
      if (visible !== undefined) s.info.visible = visible
      return s
    })
    ctx.io.to(room.channel).emit('segment:changed', { ...segment.info })
    return { segment: { ...segment.info } }
  })

  handle(ctx, conn, 'segment:delete', async ({ segmentId }) => {
    const room = roomOf(conn)
    await ctx.rooms.mutate(room, () => {
      room.segment(segmentId)
      room.segments.delete(segmentId)
    })
    ctx.queue.cancel(`${room.id}/${segmentId}`)
    ctx.io.to(room.channel).emit('segment:deleted', { segmentId })
    return {}
  })

  handle(ctx, conn, 'segment:prompt', async ({ segmentId, pointWorldRas, positive }) => {
    const room = roomOf(conn)
    if (!ctx.segmenter)
      throw new ProtocolFailure('no-model', 'this server runs without a model (start it with --model DIR)')
    if (!insideVolume(room.loaded.volume, pointWorldRas))
      throw new ProtocolFailure('out-of-volume', 'the point lies outside the volume')
    const { segment, seq } = await ctx.rooms.mutate(room, () => {
      const s = room.segment(segmentId)
      const n = room.takeSeq()
      s.addPrompt({ seq: n, pointWorldRas, positive, clientId: conn.clientId })
      return { segment: s, seq: n }
    })
    historyChanged(room, segment)
    return { seq, ...segment.history() }
  })

  const historyEdit = (
    event: 'segment:undo' | 'segment:redo' | 'segment:reset',
    edit: (s: Segment) => void,
  ): void =>
    handle(ctx, conn, event, async ({ segmentId }) => {
      const room = roomOf(conn)
      const segment = await ctx.rooms.mutate(room, () => {
        const s = room.segment(segmentId)
        edit(s)
        return s
      })
      historyChanged(room, segment)
      return segment.history()
    })
  historyEdit('segment:undo', (s) => s.undo())
  historyEdit('segment:redo', (s) => s.redo())
  historyEdit('segment:reset', (s) => s.reset())
}
