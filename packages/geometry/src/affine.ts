/** 4×4 affine helpers (row-major: element (r, c) is `m[4 * r + c]`). */
import { GeometryError, type Affine, type Mat4, type Vec3 } from './types.ts'

export function identity4(): Mat4 {
  const m = new Float64Array(16)
  m[0] = m[5] = m[10] = m[15] = 1
  return m
}

/** a · b */
export function multiply4(a: Affine, b: Affine): Mat4 {
  const out = new Float64Array(16)
  for (let r = 0; r < 4; r++)
    for (let c = 0; c < 4; c++) {
      let s = 0
      for (let k = 0; k < 4; k++) s += a[4 * r + k] * b[4 * k + c]
      out[4 * r + c] = s
    }
  return out
}

/** Inverse by Gauss–Jordan elimination with partial pivoting; a GeometryError when singular. */
export function invert4(m: Affine): Mat4 {
  const a = Array.from(m)
  const inv = Array.from(identity4())
  for (let col = 0; col < 4; col++) {
    let pivot = col
    for (let r = col + 1; r < 4; r++) if (Math.abs(a[4 * r + col]) > Math.abs(a[4 * pivot + col])) pivot = r
    const p = a[4 * pivot + col]
    if (!Number.isFinite(p) || Math.abs(p) < 1e-12)
      throw new GeometryError('affine is singular (cannot invert)')
    if (pivot !== col)
      for (let c = 0; c < 4; c++) {
        ;[a[4 * col + c], a[4 * pivot + c]] = [a[4 * pivot + c], a[4 * col + c]]
        ;[inv[4 * col + c], inv[4 * pivot + c]] = [inv[4 * pivot + c], inv[4 * col + c]]
      }
    for (let c = 0; c < 4; c++) {
      a[4 * col + c] /= p
      inv[4 * col + c] /= p
    }
    for (let r = 0; r < 4; r++) {
      if (r === col) continue
      const f = a[4 * r + col]
      if (f === 0) continue
      for (let c = 0; c < 4; c++) {
        a[4 * r + c] -= f * a[4 * col + c]
        inv[4 * r + c] -= f * inv[4 * col + c]
      }
    }
  }
  return Float64Array.from(inv)
}

/** m · (x, y, z, 1), the first three components. */
export function applyAffine(m: Affine, p: Vec3): Vec3 {
  return [
    m[0] * p[0] + m[1] * p[1] + m[2] * p[2] + m[3],
    m[4] * p[0] + m[5] * p[1] + m[6] * p[2] + m[7],
    m[8] * p[0] + m[9] * p[1] + m[10] * p[2] + m[11],
  ]
}

/**
 * Determinant of the upper-left 3×3 block: |det| is a voxel's volume in mm³, its sign says whether the
 * voxel axes are mirrored in RAS.
 */
export function determinant3(m: Affine): number {
  return (
    m[0] * (m[5] * m[10] - m[6] * m[9]) -
    m[1] * (m[4] * m[10] - m[6] * m[8]) +
    m[2] * (m[4] * m[9] - m[5] * m[8])
  )
}

/** Voxel size along each voxel axis (mm): the norms of the affine's first three columns. */
export function spacingFromAffine(m: Affine): Vec3 {
  const s: number[] = []
  for (let c = 0; c < 3; c++) s.push(Math.hypot(m[c], m[4 + c], m[8 + c]))
  return s as Vec3
}
