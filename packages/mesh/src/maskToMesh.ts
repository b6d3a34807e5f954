/** Segmentation mask → closed, indexed, outward-oriented triangle mesh in world RAS mm. */
import { applyAffineInPlace, checkAffine, determinant3, flipWindingInPlace } from './affine.ts'
import { labelLut, marchingCubes, NONZERO_LUT, type GridField } from './marchingCubes.ts'
import { computeNormals } from './normals.ts'
import { taubinSmoothInPlace, type TaubinOptions } from './smooth.ts'
import { MeshInputError, type Affine, type Mesh, type Vec3 } from './types.ts'

export interface MaskMeshOptions {
  /** Mesh only voxels equal to this label (default: every nonzero voxel). */
  label?: number
  /** Mesh only this box of the mask (voxels outside it count as outside; positions stay in the full grid's world frame). */
  region?: { origin: Vec3; size: Vec3 }
  /** Taubin smoothing: number of λ|μ iterations or full options (default: none). Volume-preserving. */
  smooth?: number | TaubinOptions
  /** Compute smooth per-vertex normals (default true). */
  normals?: boolean
}

/**
 * Mesh the boundary of a uint8 mask (`mask[i + nx·(j + ny·k)]`, dims [nx, ny, nz]) with marching
 * cubes at the 0.5 level (vertices at edge midpoints). Positions are world RAS mm through `affine`
 * (row-major 4×4 voxel → RAS); triangles are counter-clockwise seen from outside even when the
 * affine mirrors an axis. The result is watertight: the mask is padded with outside voxels.
 */
export function maskToMesh(mask: Uint8Array, dims: Vec3, affine: Affine, opts: MaskMeshOptions = {}): Mesh {
  if (!(mask instanceof Uint8Array)) throw new MeshInputError('mask must be a Uint8Array')
  checkAffine(affine)
  const lut = opts.label === undefined ? NONZERO_LUT : labelLut(opts.label)
  const vm = marchingCubes(mask, dims, { lut, origin: opts.region?.origin, size: opts.region?.size })
  return finishMesh(vm.positions, vm.indices, affine, opts)
}

/** Shared tail of every mesher: voxel → world, orientation fix, smoothing, normals. */
export function finishMesh(
  positions: Float32Array,
  indices: Uint32Array,
  affine: Affine,
  opts: { smooth?: number | TaubinOptions; normals?: boolean },
): Mesh {
  applyAffineInPlace(positions, affine)
  if (determinant3(affine) < 0) flipWindingInPlace(indices)
  if (opts.smooth) {
    const o = typeof opts.smooth === 'number' ? { iterations: opts.smooth } : opts.smooth
    taubinSmoothInPlace(positions, indices, o)
  }
  const mesh: Mesh = { positions, indices }
  if (opts.normals !== false) mesh.normals = computeNormals(positions, indices)
  return mesh
}

export type { GridField }
