/** Measurements users ask for: enclosed volume (mL) and surface area (mm²). */
import { determinant3 } from '@fastsam-xr/geometry'
import { MeshInputError, type Affine, type Mesh, type Vec3 } from './types.ts'

/** Enclosed volume of a closed outward-oriented mesh in mm³ (divergence theorem, centred for precision). */
export function meshVolumeMm3(mesh: Mesh): number {
  const p = mesh.positions
  const ix = mesh.indices
  const n = p.length / 3
  if (n === 0) return 0
  let cx = 0,
    cy = 0,
    cz = 0
  for (let o = 0; o < p.length; o += 3) {
    cx += p[o]
    cy += p[o + 1]
    cz += p[o + 2]
  }
  cx /= n
  cy /= n
  cz /= n
  let v = 0
  for (let t = 0; t < ix.length; t += 3) {
    const a = 3 * ix[t]
    const b = 3 * ix[t + 1]
    const c = 3 * ix[t + 2]
    const ax = p[a] - cx,
      ay = p[a + 1] - cy,
      az = p[a + 2] - cz
    const bx = p[b] - cx,
      by = p[b + 1] - cy,
      bz = p[b + 2] - cz
    const qx = p[c] - cx,
      qy = p[c + 1] - cy,
      qz = p[c + 2] - cz
    v += ax * (by * qz - bz * qy) - ay * (bx * qz - bz * qx) + az * (bx * qy - by * qx)
  }
  return v / 6
}

/** Enclosed volume in millilitres (1 mL = 1000 mm³). */
export function meshVolumeMl(mesh: Mesh): number {
  return meshVolumeMm3(mesh) / 1000
}

/** Total surface area in mm². */
export function surfaceAreaMm2(mesh: Mesh): number {
  const p = mesh.positions
  const ix = mesh.indices
  let s = 0
  for (let t = 0; t < ix.length; t += 3) {
    const a = 3 * ix[t]
    const b = 3 * ix[t + 1]
    const c = 3 * ix[t + 2]
    const ux = p[b] - p[a],
      uy = p[b + 1] - p[a + 1],
      uz = p[b + 2] - p[a + 2]
    const vx = p[c] - p[a],
      vy = p[c + 1] - p[a + 1],
      vz = p[c + 2] - p[a + 2]
    s += Math.hypot(uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx)
  }
  return s / 2
}

/** Voxel-counting volume of a mask (nonzero, or == label) in mL: count × |det(affine)| / 1000. */
export function voxelVolumeMl(mask: ArrayLike<number>, dims: Vec3, affine: Affine, label?: number): number {
  if (mask.length !== dims[0] * dims[1] * dims[2]) throw new MeshInputError('mask length does not match dims')
  let count = 0
  if (label === undefined) {
    for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) count++
  } else {
    for (let i = 0; i < mask.length; i++) if (mask[i] === label) count++
  }
  return (count * Math.abs(determinant3(affine))) / 1000
}
