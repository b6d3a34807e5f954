/**
 * Volume → isosurface (skin, bone…) from a box-downsampled copy so a whole patient fits a headset's
 * triangle budget, with levels of detail.
 */
import { multiply4 } from '@fastsam-xr/geometry'
import { checkAffine } from './affine.ts'
import { finishMesh } from './maskToMesh.ts'
import { marchingCubes, NONZERO_LUT } from './marchingCubes.ts'
import { simplify } from './simplify.ts'
import type { TaubinOptions } from './smooth.ts'
import { MeshInputError, type Affine, type Mesh, type Vec3 } from './types.ts'

/** Structural subset of `Volume` from @fastsam-xr/volume. */
export interface ScalarGrid {
  data: ArrayLike<number>
  dims: Vec3
  affine: Affine
}

export interface IsosurfaceOptions {
  /** Integer box-downsampling factor per axis (default 1 = full resolution). */
  downsample?: number
  smooth?: number | TaubinOptions
  normals?: boolean
}

/**
 * Box-average `grid` by an integer factor f per axis (edge blocks average what they have).
 * Returns the smaller grid with an affine placing each new voxel at the centre of its block.
 */
export function downsampleGrid(
  grid: ScalarGrid,
  f: number,
): { data: Float32Array; dims: Vec3; affine: Float64Array } {
  if (!Number.isInteger(f) || f < 1)
    throw new MeshInputError(`downsample factor ${f} must be a positive integer`)
  const [nx, ny, nz] = grid.dims
  const mx = Math.ceil(nx / f)
  const my = Math.ceil(ny / f)
  const mz = Math.ceil(nz / f)
  const sum = new Float32Array(mx * my * mz)
  const cnt = new Uint16Array(mx * my * mz)
  const src = grid.data
  for (let k = 0; k < nz; k++) {
    const K = ((k / f) | 0) * mx * my
    for (let j = 0; j < ny; j++) {
      const JK = K + ((j / f) | 0) * mx
      const row = nx * (j + ny * k)
      for (let i = 0; i < nx; i++) {
        const o = JK + ((i / f) | 0)
        sum[o] += src[row + i]
        cnt[o]++
      }
    }
  }
  for (let o = 0; o < sum.length; o++) sum[o] /= cnt[o]
  const c = (f - 1) / 2
  const scale = Float64Array.from([f, 0, 0, c, 0, f, 0, c, 0, 0, f, c, 0, 0, 0, 1])
  return { data: sum, dims: [mx, my, mz], affine: multiply4(grid.affine, scale) }
}

/** Mesh the surface where the volume crosses `threshold` (inside: value ≥ threshold), in world RAS mm. */
export function isosurface(grid: ScalarGrid, threshold: number, opts: IsosurfaceOptions = {}): Mesh {
  checkAffine(grid.affine)
  const [nx, ny, nz] = grid.dims
  if (grid.data.length !== nx * ny * nz) throw new MeshInputError('volume data length does not match dims')
  if (!Number.isFinite(threshold)) throw new MeshInputError('threshold must be finite')
  const f = opts.downsample ?? 1
  const g =
    f === 1
      ? { data: grid.data, dims: grid.dims, affine: Float64Array.from(grid.affine) }
      : downsampleGrid(grid, f)
  const values = g.data
  const inside = new Uint8Array(values.length)
  for (let i = 0; i < values.length; i++) inside[i] = values[i] >= threshold ? 1 : 0
  const vm = marchingCubes(inside, g.dims, { lut: NONZERO_LUT, field: { values, threshold } })
  return finishMesh(vm.positions, vm.indices, g.affine, opts)
}

export interface Lod {
  downsample: number
  mesh: Mesh
}

/** Levels of detail, coarsest first (default factors 4, 2, 1). */
export function isosurfaceLods(
  grid: ScalarGrid,
  threshold: number,
  factors: number[] = [4, 2, 1],
  opts: Omit<IsosurfaceOptions, 'downsample'> = {},
): Lod[] {
  return [...factors]
    .sort((a, b) => b - a)
    .map((downsample) => ({ downsample, mesh: isosurface(grid, threshold, { ...opts, downsample }) }))
}

export interface BudgetIsosurface {
  mesh: Mesh
  /** Downsampling factor the mesh was extracted at. */
  downsample: number
  /** meshopt's reported deviation of the final simplification in mm (0 when none was needed). */
  simplifyErrorMm: number
}

/**
 * The finest isosurface that fits `maxTriangles` (a headset's budget for the whole patient): extract
 * at a coarse factor, predict finer counts (triangles scale with 1/f²), extract at the finest
 * factor predicted to fit, then simplify the rest of the way (display-only: no manifold guard).
 * The result can stay above the budget only when `maxErrorMm` (default: two downsampled voxels)
 * forbids further simplification. Requires `await meshReady` (simplification).
 */
export function isosurfaceForBudget(
  grid: ScalarGrid,
  threshold: number,
  maxTriangles: number,
  opts: Omit<IsosurfaceOptions, 'downsample'> & { maxErrorMm?: number } = {},
): BudgetIsosurface {
  if (!(maxTriangles >= 1)) throw new MeshInputError('maxTriangles must be ≥ 1')
  const probeFactor = Math.max(1, Math.min(8, Math.floor(Math.min(...grid.dims) / 16)))
  const probe = isosurface(grid, threshold, { ...opts, downsample: probeFactor })
  let f = probeFactor
  const probeTris = probe.indices.length / 3
  while (f > 1 && probeTris * (probeFactor / (f - 1)) ** 2 <= maxTriangles) f--
  let mesh = f === probeFactor ? probe : isosurface(grid, threshold, { ...opts, downsample: f })
  let simplifyErrorMm = 0
  if (mesh.indices.length / 3 > maxTriangles) {
    // Default error bound: one downsampled voxel.
    const a = grid.affine
    const voxel = Math.max(
      Math.hypot(a[0], a[4], a[8]),
      Math.hypot(a[1], a[5], a[9]),
      Math.hypot(a[2], a[6], a[10]),
    )
    const r = simplify(mesh, {
      targetTriangles: maxTriangles,
      maxErrorMm: opts.maxErrorMm ?? voxel * f * 2,
      keepManifold: false,
    })
    mesh = r.mesh
    simplifyErrorMm = r.errorMm
  }
  return { mesh, downsample: f, simplifyErrorMm }
}
