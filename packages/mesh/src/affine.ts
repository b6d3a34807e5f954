/** Voxel → world placement of meshes. */
import { determinant3 } from '@fastsam-xr/geometry'
import { MeshInputError, type Affine } from './types.ts'

export function checkAffine(affine: Affine): void {
  if (!affine || affine.length !== 16) throw new MeshInputError('affine must have 16 numbers (row-major 4×4)')
  for (let i = 0; i < 16; i++)
    if (!Number.isFinite(affine[i])) throw new MeshInputError(`affine[${i}] is not finite`)
  if (determinant3(affine) === 0) throw new MeshInputError('affine is singular')
}

/** Voxel coordinates → world mm, in place. */
export function applyAffineInPlace(positions: Float32Array, m: Affine): void {
  const a0 = m[0],
    a1 = m[1],
    a2 = m[2],
    a3 = m[3]
  const b0 = m[4],
    b1 = m[5],
    b2 = m[6],
    b3 = m[7]
  const c0 = m[8],
    c1 = m[9],
    c2 = m[10],
    c3 = m[11]
  for (let o = 0; o < positions.length; o += 3) {
    const x = positions[o]
    const y = positions[o + 1]
    const z = positions[o + 2]
    positions[o] = a0 * x + a1 * y + a2 * z + a3
    positions[o + 1] = b0 * x + b1 * y + b2 * z + b3
    positions[o + 2] = c0 * x + c1 * y + c2 * z + c3
  }
}

/** Reverse the winding of every triangle, in place (a mirroring affine turns outward normals inward). */
export function flipWindingInPlace(indices: Uint32Array): void {
  for (let t = 0; t < indices.length; t += 3) {
    const b = indices[t + 1]
    indices[t + 1] = indices[t + 2]
    indices[t + 2] = b
  }
}
