/**
 * Reorientation to RAS+ by axis permutation and flips only (no interpolation), choosing the axes as
 * nibabel's `io_orientation` / `as_closest_canonical` (and torchio's ToCanonical) do: orthogonalise the
 * direction matrix (polar decomposition), then greedily give each voxel axis, in order, the world axis
 * its direction is closest to.
 */
import { VolumeError } from './errors.ts'
import { multiply4, spacingFromAffine } from './geometry.ts'
import type { Mat4, Vec3, Volume, VoxelArray } from './volume.ts'

/** For voxel axis a: `axis[a]` = world axis (0 = R, 1 = A, 2 = S) it runs along, `flip[a]` if it runs backwards. */
export interface Orientation {
  axis: [number, number, number]
  flip: [boolean, boolean, boolean]
}

function det3(m: number[]): number {
  return (
    m[0] * (m[4] * m[8] - m[5] * m[7]) -
    m[1] * (m[3] * m[8] - m[5] * m[6]) +
    m[2] * (m[3] * m[7] - m[4] * m[6])
  )
}

/** Orthogonal polar factor of a 3×3 matrix (Newton iteration X ← (X + X⁻ᵀ)/2), = P·Qᵀ of its SVD. */
function polarOrthogonal(m: number[]): number[] {
  let x = m.slice()
  for (let it = 0; it < 50; it++) {
    const d = det3(x)
    if (Math.abs(d) < 1e-300) break
    // Inverse transpose = cofactor matrix / det.
    const cof = [
      x[4] * x[8] - x[5] * x[7],
      -(x[3] * x[8] - x[5] * x[6]),
      x[3] * x[7] - x[4] * x[6],
      -(x[1] * x[8] - x[2] * x[7]),
      x[0] * x[8] - x[2] * x[6],
      -(x[0] * x[7] - x[1] * x[6]),
      x[1] * x[5] - x[2] * x[4],
      -(x[0] * x[5] - x[2] * x[3]),
      x[0] * x[4] - x[1] * x[3],
    ]
    const next = x.map((v, q) => 0.5 * (v + cof[q] / d))
    const delta = Math.max(...next.map((v, q) => Math.abs(v - x[q])))
    x = next
    if (delta < 1e-15) break
  }
  return x
}

export function orientationOf(affine: Mat4): Orientation {
  const zooms = spacingFromAffine(affine).map((z) => z || 1)
  const rs: number[] = []
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) rs.push(affine[4 * r + c] / zooms[c])
  const R = polarOrthogonal(rs)
  const axis: number[] = []
  const flip: boolean[] = []
  for (let a = 0; a < 3; a++) {
    let best = -1
    let bestAbs = -1
    for (let w = 0; w < 3; w++) {
      const v = Math.abs(R[3 * w + a])
      if (v > bestAbs) {
        bestAbs = v
        best = w
      }
    }
    if (bestAbs <= 1e-12) throw new VolumeError('BAD_GEOMETRY', 'affine has a degenerate voxel axis')
    axis.push(best)
    flip.push(R[3 * best + a] < 0)
    for (let c = 0; c < 3; c++) R[3 * best + c] = 0 // this world axis is taken
  }
  return { axis: axis as Orientation['axis'], flip: flip as Orientation['flip'] }
}

/** Axis codes like nibabel's aff2axcodes, e.g. 'LPS'. */
export function axisCodes(affine: Mat4): string {
  const { axis, flip } = orientationOf(affine)
  return axis.map((w, a) => (flip[a] ? 'LPI' : 'RAS')[w]).join('')
}

/**
 * The canonical grid of a (dims, affine) pair: its dims, its affine, and for each canonical axis r the
 * source voxel axis `src[r]` and whether it is reversed. Canonical index c_r ↔ source index
 * (flip ? dims[src] − 1 − c_r : c_r) along src[r].
 */
export function canonicalGrid(
  dims: Vec3,
  affine: Mat4,
): { dims: Vec3; affine: Mat4; src: Vec3; flip: [boolean, boolean, boolean] } {
  const o = orientationOf(affine)
  const src = [0, 0, 0] as Vec3
  const flip: [boolean, boolean, boolean] = [false, false, false]
  for (let a = 0; a < 3; a++) {
    src[o.axis[a]] = a
    flip[o.axis[a]] = o.flip[a]
  }
  // T maps canonical index → source index.
  const T = new Float64Array(16)
  T[15] = 1
  for (let r = 0; r < 3; r++) {
    const a = src[r]
    T[4 * a + r] = flip[r] ? -1 : 1
    T[4 * a + 3] = flip[r] ? dims[a] - 1 : 0
  }
  return { dims: [dims[src[0]], dims[src[1]], dims[src[2]]], affine: multiply4(affine, T), src, flip }
}

/** True when the voxel axes already run R, A, S (nothing to permute or flip). */
export function isCanonical(affine: Mat4): boolean {
  const o = orientationOf(affine)
  return o.axis.every((w, a) => w === a) && !o.flip.some(Boolean)
}

/**
 * `volume` with its array axes reordered/flipped to RAS+ (same voxels, same world positions). An
 * already-canonical volume comes back sharing its voxel array (no copy).
 */
export function toCanonical<T extends VoxelArray>(volume: Volume<T>): Volume<T> {
  const g = canonicalGrid(volume.dims, volume.affine)
  if (g.src.every((a, r) => a === r) && !g.flip.some(Boolean)) return { ...volume, affine: g.affine }
  const [nx, ny] = volume.dims
  const srcStride = [1, nx, nx * ny]
  // Stride and start in the source for each canonical axis.
  const stride = [0, 1, 2].map((r) => (g.flip[r] ? -1 : 1) * srcStride[g.src[r]])
  let start = 0
  for (let r = 0; r < 3; r++) if (g.flip[r]) start += (volume.dims[g.src[r]] - 1) * srcStride[g.src[r]]
  const [cx, cy, cz] = g.dims
  const src = volume.data
  const out = new (src.constructor as new (n: number) => T)(src.length)
  let q = 0
  for (let k = 0; k < cz; k++)
    for (let j = 0; j < cy; j++) {
      let s = start + j * stride[1] + k * stride[2]
      for (let i = 0; i < cx; i++, s += stride[0]) out[q++] = src[s]
    }
  return { ...volume, data: out, dims: g.dims, affine: g.affine }
}
