/** Segmentation mask → closed, indexed, outward-oriented triangle mesh in world RAS mm. */
import { determinant3 } from '@fastsam-xr/geometry'
import { applyAffineInPlace, checkAffine, flipWindingInPlace } from './affine.ts'
import { labelLut, marchingCubes, NONZERO_LUT } from './marchingCubes.ts'
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
  // Without smoothing the normals come straight from the case tables (vertices stay mid-edge).
  const tableNormals = opts.normals !== false && !opts.smooth
  const vm = marchingCubes(mask, dims, {
    lut,
    origin: opts.region?.origin,
    size: opts.region?.size,
    normals: tableNormals,
  })
  return finishMesh(vm.positions, vm.indices, affine, opts, vm.normals)
}

/** Shared tail of every mesher: voxel → world, orientation fix, smoothing, normals. */
export function finishMesh(
  positions: Float32Array,
  indices: Uint32Array,
  affine: Affine,
  opts: { smooth?: number | TaubinOptions; normals?: boolean },
  voxelNormals?: Float32Array,
): Mesh {
  applyAffineInPlace(positions, affine)
  if (determinant3(affine) < 0) flipWindingInPlace(indices)
  if (opts.smooth) {
    const o = typeof opts.smooth === 'number' ? { iterations: opts.smooth } : opts.smooth
    taubinSmoothInPlace(positions, indices, o)
  }
  const mesh: Mesh = { positions, indices }
  if (opts.normals !== false)
    mesh.normals =
      voxelNormals && !opts.smooth
        ? worldNormalsInPlace(voxelNormals, affine)
        : computeNormals(positions, indices)
  return mesh
}

/**
 * Voxel-space area-weighted normal sums → unit world normals. A triangle's cross product maps
 * through the cofactor matrix cof(A) = det(A)·A⁻ᵀ, so sums map too; sign(det) keeps them outward
 * (matching the winding flip for mirroring affines).
 */
function worldNormalsInPlace(n: Float32Array, m: Affine): Float32Array {
  const a = m[0],
    b = m[1],
    c = m[2],
    d = m[4],
    e = m[5],
    f = m[6],
    g = m[8],
    h = m[9],
    i = m[10]
  const s = determinant3(m) < 0 ? -1 : 1
  const c11 = s * (e * i - f * h),
    c12 = s * (f * g - d * i),
    c13 = s * (d * h - e * g)
  const c21 = s * (c * h - b * i),
    c22 = s * (a * i - c * g),
    c23 = s * (b * g - a * h)
  const c31 = s * (b * f - c * e),
    c32 = s * (c * d - a * f),
    c33 = s * (a * e - b * d)
  for (let o = 0; o < n.length; o += 3) {
    const x = n[o],
      y = n[o + 1],
      z = n[o + 2]
    const wx = c11 * x + c12 * y + c13 * z
    const wy = c21 * x + c22 * y + c23 * z
    const wz = c31 * x + c32 * y + c33 * z
    const l = Math.sqrt(wx * wx + wy * wy + wz * wz)
    const k = l > 0 ? 1 / l : 0
    n[o] = wx * k
    n[o + 1] = wy * k
    n[o + 2] = wz * k
  }
  return n
}
