/**
 * Room snapshot → store shapes (pure: no socket, no worker). Meshes are decoded separately (in the
 * mesh worker); here a segment starts without one.
 */
import type { Binary, PromptRecord, SegmentInfo, SegmentSnapshot, SliceVolume } from '@fastsam-xr/protocol'
import type { SegmentView, SliceGrid } from '../state/store.ts'

/** A Socket.IO binary attachment (ArrayBuffer in a browser, Buffer/Uint8Array in Node) as bytes. */
export function asBytes(b: Binary): Uint8Array {
  return b instanceof Uint8Array ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Uint8Array(b)
}

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/** Little-endian int16 bytes → Int16Array (a copy, aligned, whatever the host's byte order). */
export function int16FromLittleEndian(bytes: Uint8Array): Int16Array {
  if (bytes.byteLength % 2 !== 0) throw new Error(`int16 data of odd length ${bytes.byteLength}`)
  // every headset and desktop is little-endian: one memcpy on the main thread instead of a loop
  if (littleEndianHost) return new Int16Array(bytes.slice().buffer)
  const out = new Int16Array(bytes.byteLength / 2)
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (let i = 0; i < out.length; i++) out[i] = dv.getInt16(2 * i, true)
  return out
}

export function sliceGridFromVolume(slices: SliceVolume): SliceGrid {
  const voxels = int16FromLittleEndian(asBytes(slices.data))
  const expected = slices.dims[0] * slices.dims[1] * slices.dims[2]
  if (voxels.length !== expected)
    throw new Error(`slice volume holds ${voxels.length} voxels, dims say ${expected}`)
  return { dims: slices.dims, affine: slices.affine, scale: slices.scale, offset: slices.offset, voxels }
}

/** A segment the client knows only by its info (created, or announced by another member). */
export function emptySegmentView(info: SegmentInfo): SegmentView {
  return {
    info,
    prompts: [],
    redoCount: 0,
    mesh: null,
    revision: 0,
    meshPromptSeqs: [],
    volumeMl: 0,
    voxels: 0,
    iou: null,
    touchesCropBorder: false,
    pendingSeqs: [],
  }
}

/**
 * A snapshot's segment as a view. `previous` (the same segment before a reconnect or refresh) keeps
 * its decoded mesh (until the snapshot's mesh is decoded, if that is newer) and its pending prompts
 * that the snapshot's mesh does not reflect yet.
 */
export function segmentViewFromSnapshot(s: SegmentSnapshot, previous?: SegmentView): SegmentView {
  const view = emptySegmentView({ ...s.segment })
  view.prompts = s.prompts.map((p: PromptRecord) => ({ ...p, pointWorldRas: [...p.pointWorldRas] }))
  view.redoCount = s.redoCount
  const inLog = new Set(s.prompts.map((p) => p.seq))
  const reflected = new Set(s.mesh?.promptSeqs ?? [])
  view.pendingSeqs = (previous?.pendingSeqs ?? []).filter((q) => inLog.has(q) && !reflected.has(q))
  if (previous) {
    // The mesh on show stays until the snapshot's (possibly newer) one is decoded: no flicker on a
    // refresh or a reconnect. A restarted server replays the same log into the same mask from
    // revision 1: revision 0 then lets its meshes in.
    return {
      ...view,
      mesh: previous.mesh,
      meshPromptSeqs: previous.meshPromptSeqs,
      revision: serverRestarted(s, previous) ? 0 : previous.revision,
      volumeMl: previous.volumeMl,
      voxels: previous.voxels,
      iou: previous.iou,
      touchesCropBorder: previous.touchesCropBorder,
    }
  }
  if (s.mesh) {
    view.volumeMl = s.mesh.volumeMl
    view.voxels = s.mesh.voxels
    view.iou = s.mesh.iou
    view.touchesCropBorder = s.mesh.touchesCropBorder
  }
  return view
}

/**
 * Revisions only grow while a server runs; a snapshot behind what this client showed (or without a
 * mesh where it had one) comes from a restarted server that restored the room from its record.
 */
export function serverRestarted(s: SegmentSnapshot, previous: SegmentView): boolean {
  return previous.revision > 0 && (s.mesh === null || s.mesh.revision < previous.revision)
}
