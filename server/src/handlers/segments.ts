/** Segment create/update/delete, prompts, undo/redo/reset. History changes are broadcast at once; meshes follow from the inference queue. */
import {
  promptSchema,
  segmentCreateSchema,
  segmentRefSchema,
  segmentUpdateSchema,
} from '@fastsam-xr/protocol'
import type { Connection, ServerContext } from '../context.ts'
import { insideVolume } from '../cropBox.ts'
import { handle } from '../dispatch.ts'
import { ProtocolFailure } from '../failure.ts'
import type { Room } from '../rooms.ts'
import type { Segment } from '../segment.ts'
import { scheduleSegment } from '../segmentJobs.ts'

function roomOf(conn: Connection): Room {
  if (!conn.room) throw new ProtocolFailure('not-in-room', 'open a case or join a room first')
  return conn.room
}

export function registerSegmentHandlers(ctx: ServerContext, conn: Connection): void {
  const historyChanged = (room: Room, segment: Segment): void => {
    ctx.rooms.persist(room)
    ctx.io.to(room.channel).emit('segment:history', { segmentId: segment.id, ...segment.history() })
    scheduleSegment(ctx, room, segment)
  }

  handle(ctx, conn, 'segment:create', segmentCreateSchema, 'other', ({ name, color }) => {
    const room = roomOf(conn)
    const segment = room.createSegment(name, color)
    ctx.rooms.persist(room)
    ctx.io.to(room.channel).emit('segment:changed', { ...segment.info })
    return { segment: { ...segment.info } }
  })

  handle(ctx, conn, 'segment:update', segmentUpdateSchema, 'other', ({ segmentId, name, color, visible }) => {
    const room = roomOf(conn)
    const segment = room.segment(segmentId)
    if (name !== undefined) segment.info.name = name
    if (color !== undefined) segment.info.color = color
    if (visible !== undefined) segment.info.visible = visible
    ctx.rooms.persist(room)
    ctx.io.to(room.channel).emit('segment:changed', { ...segment.info })
    return { segment: { ...segment.info } }
  })

  handle(ctx, conn, 'segment:delete', segmentRefSchema, 'other', ({ segmentId }) => {
    const room = roomOf(conn)
    room.segment(segmentId)
    room.segments.delete(segmentId)
    ctx.queue.cancel(`${room.id}/${segmentId}`)
    ctx.rooms.persist(room)
    ctx.io.to(room.channel).emit('segment:deleted', { segmentId })
    return {}
  })

  handle(ctx, conn, 'segment:prompt', promptSchema, 'prompt', ({ segmentId, pointWorldRas, positive }) => {
    const room = roomOf(conn)
    const segment = room.segment(segmentId)
    if (!ctx.segmenter)
      throw new ProtocolFailure('no-model', 'this server runs without a model (start it with --model DIR)')
    if (!insideVolume(room.loaded.volume, pointWorldRas))
      throw new ProtocolFailure('out-of-volume', 'the point lies outside the volume')
    const seq = room.takeSeq()
    segment.addPrompt({ seq, pointWorldRas, positive, clientId: conn.clientId })
    historyChanged(room, segment)
    return { seq, ...segment.history() }
  })

  handle(ctx, conn, 'segment:undo', segmentRefSchema, 'prompt', ({ segmentId }) => {
    const room = roomOf(conn)
    const segment = room.segment(segmentId)
    segment.undo()
    historyChanged(room, segment)
    return segment.history()
  })

  handle(ctx, conn, 'segment:redo', segmentRefSchema, 'prompt', ({ segmentId }) => {
    const room = roomOf(conn)
    const segment = room.segment(segmentId)
    segment.redo()
    historyChanged(room, segment)
    return segment.history()
  })

  handle(ctx, conn, 'segment:reset', segmentRefSchema, 'prompt', ({ segmentId }) => {
    const room = roomOf(conn)
    const segment = room.segment(segmentId)
    segment.reset()
    historyChanged(room, segment)
    return segment.history()
  })
}
