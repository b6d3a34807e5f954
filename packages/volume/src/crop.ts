/**
 * Model-space preparation (model spec §8.1) and its inverse.
 *
 * prepareModelCrop = Resample(1.5 mm) → ToCanonical (RAS+) → CropOrPad(128³) centred so the voxel
 * nearest the given world point lands at crop index 64 → z-normalisation over voxels > 0. It computes
 * only the 128³ window of the resampled canonical grid (one separable trilinear pass straight from the
 * source voxels), which equals resample → toCanonical → cropOrPad on the whole volume (tested).
 *
 * Model layout: C-order over (a0, a1, a2) = (R, A, S) canonical axes: flat = size²·a0 + size·a1 + a2,
 * the opposite of the Volume's i-fastest layout.
 */
import { canonicalGrid } from './canonical.ts'
import { VolumeError } from './errors.ts'
import { applyAffine, invert4, multiply4 } from './geometry.ts'
import { resampledGrid, resampleAxisTable } from './resample.ts'
import { sampleLinear, type AxisTable } from './sampler.ts'
import type { Mat4, Vec3, Volume, VoxelArray } from './volume.ts'

export interface ModelCrop {
  /** [1,1,size,size,size] model input, C-order over (a0,a1,a2), z-normalised (spec §8.1 step 4). */
  input: Float32Array
  size: number
  spacingMm: number
  /** crop voxel index (a0,a1,a2) → world RAS mm, row-major 4×4. */
  cropAffine: Float64Array
  /** start of the crop in the canonical resampled grid (may be negative = zero padding). */
  start: [number, number, number]
  /** statistics used for z-normalisation (mean, unbiased std, count of voxels > 0). */
  stats: { mean: number; std: number; count: number }
}

function translation(t: Vec3): Mat4 {
  const m = new Float64Array(16)
  m[0] = m[5] = m[10] = m[15] = 1
  m[3] = t[0]
  m[7] = t[1]
  m[11] = t[2]
  return m
}

/**
 * torchio CropOrPad's window start along each axis for a mask bounding box [min, maxExclusive):
 * centre c = (min + maxExclusive)/2; if (target even) XOR (c integral) then c −= 0.5; start = c − target/2.
 */
export function torchioCropStart(bboxMin: Vec3, bboxMaxExclusive: Vec3, target: number): Vec3 {
  return [0, 1, 2].map((a) => {
    let c = (bboxMin[a] + bboxMaxExclusive[a]) / 2
    if ((target % 2 === 0) !== Number.isInteger(c)) c -= 0.5
    return Math.trunc(c - target / 2)
  }) as Vec3
}

/** A size³ window starting at voxel `start` (zero outside the volume), same dtype, Volume order. */
export function cropOrPad<T extends VoxelArray>(v: Volume<T>, start: Vec3, size: number): Volume<T> {
  const [nx, ny, nz] = v.dims
  const out = new (v.data.constructor as new (n: number) => T)(size * size * size)
  for (let k = 0; k < size; k++) {
    const sk = start[2] + k
    if (sk < 0 || sk >= nz) continue
    for (let j = 0; j < size; j++) {
      const sj = start[1] + j
      if (sj < 0 || sj >= ny) continue
      const i0 = Math.max(0, -start[0])
      const i1 = Math.min(size, nx - start[0])
      if (i1 <= i0) continue
      const from = start[0] + i0 + nx * (sj + ny * sk)
      out.set(v.data.subarray(from, from + (i1 - i0)) as never, i0 + size * (j + size * k))
    }
  }
  return { ...v, data: out, dims: [size, size, size], affine: multiply4(v.affine, translation(start)) }
}

/**
 * The size³ window starting at canonical voxel `start` of toCanonical(v), read straight through the
 * axis permutation/flips (no reoriented copy of the whole volume), as a float32 array in the model's
 * C-order. Equals toModelOrder(cropOrPad(toCanonical(v), start, size).data) (tested).
 */
export function canonicalWindow(v: Volume, start: Vec3, size: number): Float32Array {
  const g = canonicalGrid(v.dims, v.affine)
  const srcStride = [1, v.dims[0], v.dims[0] * v.dims[1]]
  // Per canonical axis r: source offset of each window position, or −1 outside (zero padding).
  const offsets = [0, 1, 2].map((r) => {
    const a = g.src[r]
    const o = new Int32Array(size)
    for (let t = 0; t < size; t++) {
      const c = start[r] + t
      o[t] = c < 0 || c >= g.dims[r] ? -1 : (g.flip[r] ? v.dims[a] - 1 - c : c) * srcStride[a]
    }
    return o
  })
  const out = new Float32Array(size * size * size)
  const [o0, o1, o2] = offsets
  // Along a2 the valid positions are one contiguous run (padding only at the ends) with a constant step.
  let t0 = 0
  while (t0 < size && o2[t0] < 0) t0++
  let t1 = t0
  while (t1 < size && o2[t1] >= 0) t1++
  const step = t1 - t0 > 1 ? o2[t0 + 1] - o2[t0] : 0
  const src = v.data
  for (let a0 = 0; a0 < size; a0++) {
    if (o0[a0] < 0) continue
    for (let a1 = 0; a1 < size; a1++) {
      if (o1[a1] < 0) continue
      let s = o0[a0] + o1[a1] + (t1 > t0 ? o2[t0] : 0)
      const row = size * size * a0 + size * a1
      for (let a2 = t0; a2 < t1; a2++, s += step) out[row + a2] = src[s]
    }
  }
  return out
}

/** A size³ Volume-order (i fastest) array → the model's C-order (a2 fastest). */
export function toModelOrder(data: ArrayLike<number>, size: number): Float32Array {
  const out = new Float32Array(size * size * size)
  let q = 0
  for (let k = 0; k < size; k++)
    for (let j = 0; j < size; j++)
      for (let i = 0; i < size; i++) out[size * size * i + size * j + k] = data[q++]
  return out
}

/**
 * torchio ZNormalization(masking_method = x > 0): mean and unbiased std of the voxels > 0, then
 * (x − mean)/std for every voxel, in place. Throws DEGENERATE_CROP when the std is 0 or undefined.
 */
export function zNormalise(data: Float32Array): { mean: number; std: number; count: number } {
  // One pass of shifted sums (shift = first foreground value) — as exact as two passes for these
  // magnitudes, and one read of the 2M voxels fewer.
  let count = 0
  let shift = 0
  let s1 = 0
  let s2 = 0
  for (let q = 0; q < data.length; q++) {
    const x = data[q]
    if (x > 0) {
      if (count === 0) shift = x
      const d = x - shift
      count++
      s1 += d
      s2 += d * d
    }
  }
  const mean = count ? shift + s1 / count : 0
  const std = count > 1 ? Math.sqrt(Math.max(0, s2 - (s1 * s1) / count) / (count - 1)) : 0
  if (!(std > 0))
    throw new VolumeError(
      'DEGENERATE_CROP',
      `cannot z-normalise the crop: ${count} voxel(s) > 0 with std ${std} (is the point outside the body/volume?)`,
    )
  const inv = 1 / std
  for (let q = 0; q < data.length; q++) data[q] = (data[q] - mean) * inv
  return { mean, std, count }
}

/**
 * Where `prepareModelCrop` would place its window, without sampling anything: the crop start in the
 * canonical resampled grid (the voxel nearest the point, round half up like ITK, lands at size/2).
 * Cheap, so a cache can be keyed on it before any crop is prepared.
 */
export function modelCropStart(
  volume: Volume,
  centreWorldRas: Vec3,
  opts?: { spacingMm?: number; size?: number },
): [number, number, number] {
  const spacingMm = opts?.spacingMm ?? 1.5
  const size = opts?.size ?? 128
  if (!centreWorldRas.every(Number.isFinite))
    throw new VolumeError('BAD_ARGUMENT', `centre ${centreWorldRas} is not a finite point`)
  if (!Number.isInteger(size) || size < 2)
    throw new VolumeError('BAD_ARGUMENT', `crop size ${size} must be an integer ≥ 2`)
  const { canonical: c } = canonicalResampledGrid(volume, spacingMm)
  const idx = applyAffine(invert4(c.affine), centreWorldRas)
  return idx.map((x) => Math.floor(x + 0.5) - Math.floor(size / 2)) as [number, number, number]
}

/** The canonical 1.5 mm grid of a volume and the continuous canonical index of a world point. */
export function canonicalResampledGrid(volume: Volume, spacingMm: number) {
  const g = resampledGrid(volume.dims, volume.affine, spacingMm)
  const c = canonicalGrid(g.dims, g.affine)
  return { resampled: g, canonical: c }
}

export function prepareModelCrop(
  volume: Volume,
  centreWorldRas: Vec3,
  opts?: { spacingMm?: number; size?: number },
): ModelCrop {
  const spacingMm = opts?.spacingMm ?? 1.5
  const size = opts?.size ?? 128
  const { resampled: g, canonical: c } = canonicalResampledGrid(volume, spacingMm)
  const start = modelCropStart(volume, centreWorldRas, { spacingMm, size })
  const tables = [0, 1, 2].map((r) => {
    const a = c.src[r]
    const indices = new Float64Array(size)
    for (let t = 0; t < size; t++) {
      const cr = start[r] + t
      indices[t] = cr < 0 || cr >= c.dims[r] ? NaN : c.flip[r] ? g.dims[a] - 1 - cr : cr
    }
    return resampleAxisTable(g, volume.dims, a, indices)
  }) as [AxisTable, AxisTable, AxisTable]
  const input = new Float32Array(size * size * size)
  sampleLinear(volume.data, tables, input, [size * size, size, 1])
  const stats = zNormalise(input)
  return { input, size, spacingMm, cropAffine: multiply4(c.affine, translation(start)), start, stats }
}

/** Continuous crop index (a0, a1, a2) of a world RAS point. */
export function worldToCropIndex(crop: ModelCrop, pointWorldRas: Vec3): Vec3 {
  return applyAffine(invert4(crop.cropAffine), pointWorldRas)
}

/**
 * The inclusive voxel-index range [from, to] of `target` that a crop can touch: the crop's corners (crop
 * index −0.5 and size − 0.5 per axis) mapped onto the target grid, widened by one voxel, clamped to the
 * target. Empty on an axis where from > to. Pasting a crop mask changes no voxel outside it.
 */
export function cropFootprint(
  crop: Pick<ModelCrop, 'cropAffine' | 'size'>,
  target: Pick<Volume, 'affine' | 'dims'>,
): { from: Vec3; to: Vec3 } {
  const size = crop.size
  const toTarget = multiply4(invert4(target.affine), crop.cropAffine)
  const lo = [Infinity, Infinity, Infinity]
  const hi = [-Infinity, -Infinity, -Infinity]
  for (let corner = 0; corner < 8; corner++) {
    const p = applyAffine(toTarget, [
      corner & 1 ? size - 0.5 : -0.5,
      corner & 2 ? size - 0.5 : -0.5,
      corner & 4 ? size - 0.5 : -0.5,
    ])
    for (let a = 0; a < 3; a++) {
      lo[a] = Math.min(lo[a], p[a])
      hi[a] = Math.max(hi[a], p[a])
    }
  }
  const from = lo.map((v) => Math.max(0, Math.floor(v) - 1)) as Vec3
  const to = hi.map((v, a) => Math.min(target.dims[a] - 1, Math.ceil(v) + 1)) as Vec3
  return { from, to }
}

/**
 * Paste a size³ C-order binary mask back onto `target`'s grid: each target voxel whose centre falls in
 * the crop takes the value of its nearest crop voxel (round half up); the others keep their value in
 * `into` (default zeros). `union`: a voxel only ever gains 1 (an extension crop adds to a mask, it never
 * clears what another crop found). Returns a Uint8Array in Volume order.
 */
export function pasteCropMask(
  mask: Uint8Array,
  crop: Pick<ModelCrop, 'cropAffine' | 'size'>,
  target: Pick<Volume, 'affine' | 'dims'>,
  into?: Uint8Array,
  opts: { union?: boolean } = {},
): Uint8Array {
  const union = opts.union === true
  const { size } = crop
  const [nx, ny, nz] = target.dims
  if (mask.length !== size * size * size)
    throw new VolumeError('BAD_ARGUMENT', `mask has ${mask.length} voxels, expected ${size}³`)
  const out = into ?? new Uint8Array(nx * ny * nz)
  if (out.length !== nx * ny * nz)
    throw new VolumeError('BAD_ARGUMENT', `'into' has ${out.length} voxels, target has ${nx * ny * nz}`)
  // Target voxel → crop index.
  const M = multiply4(invert4(crop.cropAffine), target.affine)
  const { from, to } = cropFootprint(crop, target)
  const s2 = size * size
  for (let k = from[2]; k <= to[2]; k++)
    for (let j = from[1]; j <= to[1]; j++) {
      // Crop index at i = from[0]; it moves by M's first column per step in i.
      let x = M[0] * from[0] + M[1] * j + M[2] * k + M[3]
      let y = M[4] * from[0] + M[5] * j + M[6] * k + M[7]
      let z = M[8] * from[0] + M[9] * j + M[10] * k + M[11]
      let t = from[0] + nx * (j + ny * k)
      for (let i = from[0]; i <= to[0]; i++, t++, x += M[0], y += M[4], z += M[8]) {
        const a0 = Math.floor(x + 0.5)
        const a1 = Math.floor(y + 0.5)
        const a2 = Math.floor(z + 0.5)
        if (a0 < 0 || a0 >= size || a1 < 0 || a1 >= size || a2 < 0 || a2 >= size) continue
        const v = mask[s2 * a0 + size * a1 + a2]
        if (!union || v) out[t] = v
      }
    }
  return out
}

/**
 * The inverse view of `pasteCropMask`: a mask on `source`'s grid (volume order, i fastest) read at the centre
 * of every voxel of the size³ crop, nearest neighbour, as a C-order crop mask (0 outside the source) — how
 * the evaluation measures a volume-grid mask (the server's fold) inside the crop it simulates clicks in.
 */
export function sampleMaskInCrop(
  mask: Uint8Array,
  source: Pick<Volume, 'affine' | 'dims'>,
  crop: Pick<ModelCrop, 'cropAffine' | 'size'>,
): Uint8Array {
  const { size } = crop
  const [nx, ny, nz] = source.dims
  if (mask.length !== nx * ny * nz)
    throw new VolumeError('BAD_ARGUMENT', `mask has ${mask.length} voxels, the source grid ${nx * ny * nz}`)
  // Crop index → source voxel; it moves by M's last column per step in a2 (the C-order inner axis).
  const M = multiply4(invert4(source.affine), crop.cropAffine)
  const out = new Uint8Array(size * size * size)
  let q = 0
  for (let a0 = 0; a0 < size; a0++)
    for (let a1 = 0; a1 < size; a1++) {
      let x = M[0] * a0 + M[1] * a1 + M[3]
      let y = M[4] * a0 + M[5] * a1 + M[7]
      let z = M[8] * a0 + M[9] * a1 + M[11]
      for (let a2 = 0; a2 < size; a2++, q++, x += M[2], y += M[6], z += M[10]) {
        const i = Math.floor(x + 0.5)
        const j = Math.floor(y + 0.5)
        const k = Math.floor(z + 0.5)
        if (i < 0 || i >= nx || j < 0 || j >= ny || k < 0 || k >= nz) continue
        out[q] = mask[i + nx * (j + ny * k)]
      }
    }
  return out
}
