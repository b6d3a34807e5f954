/**
 * The inference job of one segment: fold its current prompt history into a mask and mesh the changed
 * region (both `@fastsam-xr/session`, the core the CLI and the evaluation share) and send the update to everyone in the room. A prompt the
 * model cannot answer is withdrawn from the history and reported as `segment:failed`; the rest of
 * the history is then folded again.
 */
import type { MeshUpdate } from '@fastsam-xr/protocol'
import type { ServerContext } from '../context.ts'
import { failureOf } from '../failure.ts'
import { foldPrompts, meshSegment, PromptFoldError } from '@fastsam-xr/session'
import type { Room } from '../rooms/rooms.ts'
import type { Segment } from '../rooms/segment.ts'

const round = (x: number): number => Math.round(x * 100) / 100

export function scheduleSegment(ctx: ServerContext, room: Room, segment: Segment): void {
  ctx.queue.schedule(`${room.id}/${segment.id}`, (queuedMs) => runSegmentJob(ctx, room, segment, queuedMs))
}

async function runSegmentJob(
  ctx: ServerContext,
  room: Room,
  segment: Segment,
  queueMs: number,
): Promise<void> {
  await ctx.rooms.settled(room) // fold only stored, acknowledged prompts
  if (room.segments.get(segment.id) !== segment || segment.upToDate()) return
  // nobody in the room (on this node): nobody to send the mesh to; entering the room schedules it again
  if (room.members.size === 0) return
  const t0 = performance.now()
  const prompts = segment.prompts.slice()
  let fold
  try {
    fold = await foldPrompts(ctx.segmenter, room.loaded.volume, segment.state, prompts, {
      extendCrops: ctx.config.cropExtension,
    })
  } catch (err) {
    if (!(err instanceof PromptFoldError)) throw err
    const failure = failureOf(err.cause)
    ctx.log.warn(
      { roomId: room.id, segmentId: segment.id, seq: err.seq, code: failure.error.code },
      'prompt withdrawn',
    )
    await ctx.rooms.mutate(room, () => room.segments.get(segment.id)?.withdraw(err.seq))
    ctx.io.local.to(room.channel).emit('segment:failed', {
      segmentId: segment.id,
      withdrawnSeqs: [err.seq],
      error:
        failure.error.code === 'internal'
          ? { code: 'inference-failed', message: 'the model failed on this prompt' }
          : failure.error,
    })
    ctx.io.local.to(room.channel).emit('segment:history', segment.historyUpdate())
    scheduleSegment(ctx, room, segment)
    return
  }
  // Deleted while the model ran: nothing to send.
  if (room.segments.get(segment.id) !== segment) return
  const mesh = meshSegment(fold.state.mask, room.loaded.volume, segment.box, fold.changed, fold.whole)
  segment.state = fold.state
  segment.box = mesh.box
  const update: MeshUpdate = {
    segmentId: segment.id,
    revision: ++segment.revision,
    promptSeqs: fold.state.seqs,
    mesh: mesh.bytes,
    volumeMl: mesh.volumeMl,
    voxels: mesh.voxels,
    iou: fold.state.iou,
    touchesCropBorder: fold.state.touchesCropBorder,
    extendedFaces: fold.state.extendedFaces,
    timings: {
      queueMs: round(queueMs),
      encodeMs: round(fold.encodeMs),
      decodeMs: round(fold.decodeMs),
      postprocessMs: round(fold.postprocessMs),
      meshMs: round(mesh.meshMs),
      extendMs: round(fold.extendMs),
      totalMs: round(queueMs + performance.now() - t0),
    },
  }
  segment.mesh = update
  // Every node folds the shared log for its own clients (multi-node: identical meshes).
  ctx.io.local.to(room.channel).emit('segment:mesh', update)
  ctx.log.info(
    {
      roomId: room.id,
      segmentId: segment.id,
      revision: update.revision,
      prompts: prompts.length,
      voxels: mesh.voxels,
      bytes: mesh.bytes.length,
      timings: update.timings,
    },
    'segment meshed',
  )
}
