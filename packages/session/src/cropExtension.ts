/**
 * Extending a crop's mask across the faces of the model's 128³ crop, so a large organ is not cut
 * flat where the crop ends (issue 6). For each face the thresholded crop mask touches, where the
 * volume continues beyond it:
 *
 *   1. a neighbouring crop shifted by half a crop along that axis (so the two overlap by a 64-voxel
 *      slab), centred in-plane on the mask's extent on that face;
 *   2. one decoder pass there with a positive seed (the face voxel of the mask nearest the centroid of
 *      the mask on that face: inside the object and inside both crops) plus the log's clicks that fall
 *      inside the new crop, and as mask input the overlapping half of this crop's low-res logits;
 *   3. of its mask only the part 6-connected to voxels both crops call inside (the continuation of
 *      this mask), which the caller unions into the segment's mask.
 *
 * A pure function of (volume, crop, logits, prompts): the fold stays deterministic. Geometry is in
 * crop index space (a0, a1, a2) = canonical (R, A, S) at the model's spacing; crop masks are size³
 * C-order over (a0, a1, a2).
 */
import type { CropFace } from '@fastsam-xr/protocol'
import type { EncodedCrop, Prompt, Segmenter } from '@fastsam-xr/runtime'
import {
  applyAffine,
  canonicalResampledGrid,
  VolumeError,
  worldToCropIndex,
  type ModelCrop,
  type Vec3,
  type Volume,
} from '@fastsam-xr/volume'
import { connectedToSeeds } from './connectedPart.ts'

/**
 * At most this many neighbouring crops per crop result. Each costs an encode (≈ 0.3–0.8 s on CPU the
 * first time; the runtime's LRU makes replays and refining clicks cheap) plus a decode on every
 * refining click. Two cover an organ longer than the crop along one axis (it leaves through opposite
 * faces: the liver superior/inferior); more would multiply the first click's latency for faces
 * touched by a few voxels. Extensions are not extended again (one ring: bounded, predictable cost).
 */
export const MAX_EXTENSION_CROPS = 2

/**
 * In-plane centres of extension crops snap to this many crop voxels (24 mm at 1.5 mm): a refining
 * click that moves the mask's extent a little keeps the same neighbouring crop, whose embedding the
 * runtime has cached. A multiple of the low-res logits' cell (4 voxels), so the logits shift exactly.
 */
const CENTRE_SNAP = 16

/**
 * Encodes the crop `offset` crop voxels away from `encoded`'s. Refining clicks ask for the same
 * neighbours again: the runtime's embedding cache is keyed on the crop start (computed before any
 * resampling), so a replay costs neither an encode nor the crop preparation.
 */
async function encodeNeighbour(
  segmenter: Segmenter,
  volume: Volume,
  encoded: EncodedCrop,
  offset: Vec3,
): Promise<EncodedCrop> {
  const { crop } = encoded
  // The voxel at crop index offset + size/2 becomes the new crop's index size/2 (runtime encode).
  const centre = applyAffine(crop.cropAffine, offset.map((o) => o + crop.size / 2) as Vec3)
  const next = await segmenter.encode(volume, centre)
  if (next.crop.start.some((s, a) => s !== crop.start[a] + offset[a]))
    throw new Error(`extension crop starts at ${next.crop.start}, planned ${crop.start} + ${offset}`)
  return next
}

export interface TouchedFace {
  face: CropFace
  /** inside voxels of the crop mask on that face. */
  voxels: number
}

export interface ExtensionCrop {
  face: CropFace
  encoded: EncodedCrop
  /** the part of the neighbouring crop's mask that continues this crop's mask (size³, 1 = keep). */
  kept: Uint8Array
  keptVoxels: number
}

/** Voxel (a0, a1, a2) of a size³ C-order crop array. */
const at = (size: number, a: readonly number[]): number => size * size * a[0] + size * a[1] + a[2]

/**
 * Faces of `crop` that `cropMask` touches and beyond which the volume continues (the crop does not
 * reach past the canonical grid's edge there), most touched voxels first (ties: axis, then low side).
 */
export function continuingFaces(cropMask: Uint8Array, crop: ModelCrop, volume: Volume): TouchedFace[] {
  const { size, start } = crop
  const dims = canonicalResampledGrid(volume, crop.spacingMm).canonical.dims
  const faces: TouchedFace[] = []
  for (const axis of [0, 1, 2] as const)
    for (const side of [-1, 1] as const) {
      // The crop covers canonical voxels start .. start + size − 1 along `axis`.
      const continues = side < 0 ? start[axis] > 0 : start[axis] + size < dims[axis]
      if (!continues) continue
      let voxels = 0
      forEachOnFace(size, axis, side, (q) => void (voxels += cropMask[q]))
      if (voxels > 0) faces.push({ face: { axis, side }, voxels })
    }
  return faces.sort((x, y) => y.voxels - x.voxels) // stable: ties keep axis/side order
}

/** Calls `f(q, u, v)` for each voxel of a face layer; u, v are the two other axes' indices, in order. */
function forEachOnFace(
  size: number,
  axis: number,
  side: -1 | 1,
  f: (q: number, u: number, v: number) => void,
): void {
  const layer = side < 0 ? 0 : size - 1
  const idx = [0, 0, 0]
  idx[axis] = layer
  const [b, c] = [0, 1, 2].filter((a) => a !== axis)
  for (let u = 0; u < size; u++)
    for (let v = 0; v < size; v++) {
      idx[b] = u
      idx[c] = v
      f(at(size, idx), u, v)
    }
}

/**
 * Where the neighbouring crop across `face` starts relative to `crop` (crop voxels, a multiple of 4
 * per axis) and the seed voxel (crop index of `crop`), or null when the face holds no mask voxel.
 */
export function planExtension(
  cropMask: Uint8Array,
  size: number,
  face: CropFace,
): { offset: Vec3; seed: Vec3 } | null {
  const lo = [Infinity, Infinity]
  const hi = [-Infinity, -Infinity]
  const sum = [0, 0]
  let n = 0
  forEachOnFace(size, face.axis, face.side, (q, u, v) => {
    if (!cropMask[q]) return
    lo[0] = Math.min(lo[0], u)
    lo[1] = Math.min(lo[1], v)
    hi[0] = Math.max(hi[0], u)
    hi[1] = Math.max(hi[1], v)
    sum[0] += u
    sum[1] += v
    n++
  })
  if (n === 0) return null
  const half = size / 2
  const [b, c] = [0, 1, 2].filter((a) => a !== face.axis)
  const offset: Vec3 = [0, 0, 0]
  offset[face.axis] = face.side * half
  offset[b] = Math.round(((lo[0] + hi[0]) / 2 - (size - 1) / 2) / CENTRE_SNAP) * CENTRE_SNAP
  offset[c] = Math.round(((lo[1] + hi[1]) / 2 - (size - 1) / 2) / CENTRE_SNAP) * CENTRE_SNAP
  // Seed: the face's mask voxel nearest the centroid, among those inside the neighbouring crop.
  const centroid = [sum[0] / n, sum[1] / n]
  let seed: Vec3 | null = null
  let best = Infinity
  forEachOnFace(size, face.axis, face.side, (q, u, v) => {
    if (!cropMask[q]) return
    if (u - offset[b] < 0 || u - offset[b] >= size || v - offset[c] < 0 || v - offset[c] >= size) return
    const d = (u - centroid[0]) ** 2 + (v - centroid[1]) ** 2
    if (d < best) {
      best = d
      seed = [0, 0, 0]
      seed[face.axis] = face.side < 0 ? 0 : size - 1
      seed[b] = u
      seed[c] = v
    }
  })
  return seed ? { offset, seed } : null
}

/**
 * The low-res logits of a crop seen from a crop starting `offset` voxels further (a multiple of the
 * cell size): cells of the overlap carry the first crop's logits, the others 0 — the all-zero mask
 * input the model gets on a first click (spec §8.3), i.e. no prior there. Feeding the overlap makes
 * the neighbouring crop start from the first crop's belief on the shared slab, so the two agree
 * where they meet instead of meeting at a seam; a fresh zero mask would discard that.
 */
export function shiftLogits(
  logits: Float32Array,
  cells: number,
  offset: Vec3,
  cellVoxels: number,
): Float32Array {
  const d = offset.map((o) => o / cellVoxels)
  if (!d.every(Number.isInteger)) throw new RangeError(`offset ${offset} is not a multiple of ${cellVoxels}`)
  const out = new Float32Array(cells ** 3)
  for (let l0 = 0; l0 < cells; l0++) {
    const p0 = l0 + d[0]
    if (p0 < 0 || p0 >= cells) continue
    for (let l1 = 0; l1 < cells; l1++) {
      const p1 = l1 + d[1]
      if (p1 < 0 || p1 >= cells) continue
      for (let l2 = 0; l2 < cells; l2++) {
        const p2 = l2 + d[2]
        if (p2 < 0 || p2 >= cells) continue
        out[cells * cells * l0 + cells * l1 + l2] = logits[cells * cells * p0 + cells * p1 + p2]
      }
    }
  }
  return out
}

/**
 * Voxels of the neighbouring crop (starting `offset` further) that lie in the first crop and are
 * inside its mask: the seeds of the continuing part.
 */
function overlapSeeds(cropMask: Uint8Array, size: number, offset: Vec3): Uint8Array {
  const seeds = new Uint8Array(size ** 3)
  const range = offset.map((o) => [Math.max(0, -o), Math.min(size, size - o)])
  const shift = size * size * offset[0] + size * offset[1] + offset[2]
  for (let a0 = range[0][0]; a0 < range[0][1]; a0++)
    for (let a1 = range[1][0]; a1 < range[1][1]; a1++) {
      const row = size * size * a0 + size * a1
      for (let q = row + range[2][0], end = row + range[2][1]; q < end; q++) seeds[q] = cropMask[q + shift]
    }
  return seeds
}

function insideCrop(crop: ModelCrop, p: Vec3): boolean {
  return worldToCropIndex(crop, p).every((v) => v >= -0.5 && v < crop.size - 0.5)
}

/**
 * The neighbouring crops of one crop result (`logits` decoded in `encoded`, `cropMask` its thresholded
 * mask) across the faces it touches, at most `maxCrops`. `prompts`: the log's clicks folded so far
 * (those inside a neighbouring crop join its decoder pass). A neighbouring crop without tissue to
 * normalise (DEGENERATE_CROP) is skipped, as deterministically as everything else.
 */
export async function extendAcrossFaces(
  segmenter: Segmenter,
  volume: Volume,
  encoded: EncodedCrop,
  logits: Float32Array,
  cropMask: Uint8Array,
  prompts: readonly Prompt[],
  maxCrops = MAX_EXTENSION_CROPS,
): Promise<ExtensionCrop[]> {
  const { crop } = encoded
  const { size } = crop
  const cells = segmenter.manifest.lowResLogits.shape[2]
  const out: ExtensionCrop[] = []
  for (const { face } of continuingFaces(cropMask, crop, volume).slice(0, maxCrops)) {
    const plan = planExtension(cropMask, size, face)
    if (!plan) continue
    let next: EncodedCrop
    try {
      next = await encodeNeighbour(segmenter, volume, encoded, plan.offset)
    } catch (err) {
      if (err instanceof VolumeError && err.code === 'DEGENERATE_CROP') continue
      throw err
    }
    const seedPrompt: Prompt = { pointWorldRas: applyAffine(crop.cropAffine, plan.seed), positive: true }
    const clicks = prompts
      .filter((p) => insideCrop(next.crop, p.pointWorldRas))
      .map((p) => ({ pointWorldRas: p.pointWorldRas, positive: p.positive }))
    const prior = shiftLogits(logits, cells, plan.offset, size / cells)
    const decoded = await segmenter.decode(next, [seedPrompt, ...clicks], prior)
    const kept = connectedToSeeds(
      segmenter.cropMask(decoded.lowResLogits),
      overlapSeeds(cropMask, size, plan.offset),
      size,
    )
    let keptVoxels = 0
    for (const v of kept) keptVoxels += v
    out.push({ face, encoded: next, kept, keptVoxels })
  }
  return out
}
