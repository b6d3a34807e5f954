/**
 * The volume's view of the 4×4 affine helpers (row-major Float64Array(16): element (r, c) is `m[4 * r + c]`):
 * @fastsam-xr/geometry's algebra, with singular inverses reported as VolumeErrors, plus row I/O.
 */
import { determinant3, GeometryError, invert4 as invertAffine } from '@fastsam-xr/geometry'
import { VolumeError } from './errors.ts'
import type { Mat4 } from './volume.ts'

export { applyAffine, identity4, multiply4, spacingFromAffine } from '@fastsam-xr/geometry'

/**
 * The inverse of an affine, as a VolumeError (BAD_GEOMETRY) when singular: the volume reader's callers
 * catch VolumeErrors. The algebra itself is @fastsam-xr/geometry's.
 */
export function invert4(m: Mat4): Mat4 {
  try {
    return invertAffine(m)
  } catch (err) {
    if (err instanceof GeometryError) throw new VolumeError('BAD_GEOMETRY', err.message)
    throw err
  }
}

/** The affine as 4 rows of 4 numbers (for JSON / printing). */
export function affineRows(m: Mat4): number[][] {
  return [0, 1, 2, 3].map((r) => Array.from(m.subarray(4 * r, 4 * r + 4)))
}

export function affineFromRows(rows: number[][]): Mat4 {
  return Float64Array.from(rows.flat())
}

/** True when every entry of the affine is finite and its 3×3 part is invertible. */
export function isUsableAffine(m: Mat4): boolean {
  for (let q = 0; q < 16; q++) if (!Number.isFinite(m[q])) return false
  return Math.abs(determinant3(m)) > 1e-12
}
