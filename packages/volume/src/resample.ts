/**
 * Resampling to isotropic spacing with torchio `Resample(spacing)` semantics (model spec §8.1 step 1):
 * same direction as the input, new size = ceil(old_size · old_spacing / new) per axis (1 stays 1),
 * new voxel 0 at continuous old index 0.5·(new/old − 1) (field-of-view edges aligned), trilinear for
 * images, nearest for labels, 0 outside.
 */
import { spacingFromAffine } from './geometry.ts'
import { axisTable, sampleLinear, sampleNearest, type AxisTable } from './sampler.ts'
import type { Mat4, Vec3, Volume, VoxelArray } from './volume.ts'

export type Interpolation = 'linear' | 'nearest'

export interface ResampledGrid {
  dims: Vec3
  affine: Mat4
  /** new/old spacing per source axis: resampled index n sits at old index origin[a] + n·ratio[a]. */
  ratio: Vec3
  origin: Vec3
}

/** The grid torchio's Resample(spacingMm) produces for (dims, affine), without touching voxels. */
export function resampledGrid(dims: Vec3, affine: Mat4, spacingMm: number): ResampledGrid {
  const old = spacingFromAffine(affine)
  const ratio = old.map((s) => spacingMm / s) as Vec3
  // Same float64 arithmetic order as torchio: old_size * old_spacing / new_spacing, then ceil.
  const newDims = dims.map((n, a) => (n === 1 ? 1 : Math.ceil((n * old[a]) / spacingMm))) as Vec3
  const origin = ratio.map((r) => 0.5 * (r - 1)) as Vec3
  const m = new Float64Array(16)
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) m[4 * r + c] = affine[4 * r + c] * ratio[c]
    m[4 * r + 3] =
      affine[4 * r + 3] +
      affine[4 * r] * origin[0] +
      affine[4 * r + 1] * origin[1] +
      affine[4 * r + 2] * origin[2]
  }
  m[15] = 1
  return { dims: newDims, affine: m, ratio, origin }
}

/** Table along source axis `a` for resampled indices `indices` (NaN = padding). */
export function resampleAxisTable(
  grid: ResampledGrid,
  srcDims: Vec3,
  a: number,
  indices: ArrayLike<number>,
): AxisTable {
  const coords = new Float64Array(indices.length)
  for (let q = 0; q < indices.length; q++) coords[q] = grid.origin[a] + indices[q] * grid.ratio[a]
  const stride = a === 0 ? 1 : a === 1 ? srcDims[0] : srcDims[0] * srcDims[1]
  return axisTable(coords, srcDims[a], stride)
}

function range(n: number): Float64Array {
  const r = new Float64Array(n)
  for (let q = 0; q < n; q++) r[q] = q
  return r
}

/**
 * Resample `volume` to `spacingMm` isotropic. 'linear' → float32 data; 'nearest' keeps the dtype.
 */
export function resample(volume: Volume, spacingMm = 1.5, interpolation: Interpolation = 'linear'): Volume {
  const g = resampledGrid(volume.dims, volume.affine, spacingMm)
  const tables = [0, 1, 2].map((a) => resampleAxisTable(g, volume.dims, a, range(g.dims[a]))) as [
    AxisTable,
    AxisTable,
    AxisTable,
  ]
  const n = g.dims[0] * g.dims[1] * g.dims[2]
  const strides: Vec3 = [1, g.dims[0], g.dims[0] * g.dims[1]]
  if (interpolation === 'linear') {
    const out = new Float32Array(n)
    sampleLinear(volume.data, tables, out, strides)
    return { data: out, dims: g.dims, affine: g.affine, dtype: 'float32', meta: { ...volume.meta } }
  }
  const out = new (volume.data.constructor as new (n: number) => VoxelArray)(n)
  sampleNearest(volume.data, tables, out, strides)
  return { data: out, dims: g.dims, affine: g.affine, dtype: volume.dtype, meta: { ...volume.meta } }
}
