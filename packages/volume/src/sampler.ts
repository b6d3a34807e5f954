/**
 * Separable sampling of a voxel grid whose output axes are each parallel to one source axis (resampling
 * with the same direction, axis permutations/flips, crops and pads — everything the model prep needs).
 * Each output axis gets a precomputed table of source offsets and weights, so the per-voxel work is
 * 8 loads and a few multiply-adds (trilinear) or 1 load (nearest): no per-voxel matrix math.
 *
 * Interpolation follows ITK/SimpleITK (what torchio's Resample runs): a sample at continuous source
 * index x is inside iff −0.5 ≤ x < size − 0.5 (else 0); linear uses base = max(0, ⌊x⌋),
 * d = max(0, x − base) and the upper neighbour min(base + 1, size − 1); nearest uses ⌊x + 0.5⌋.
 */
import type { VoxelArray } from './volume.ts'

export interface AxisTable {
  /** Output length along this axis. */
  length: number
  /** Source offsets (index × source stride) of the two neighbours, and their weights (0 when outside). */
  off0: Int32Array
  off1: Int32Array
  w0: Float64Array
  w1: Float64Array
  /** Nearest neighbour: source offset and 1/0 inside flag. */
  nearest: Int32Array
  inside: Uint8Array
}

/**
 * Table for one output axis from the continuous source coordinates of its samples (NaN = padding).
 * @param coords continuous source index of each output position along source axis of size `size`
 * @param stride that source axis's stride in the flat source array
 */
export function axisTable(coords: ArrayLike<number>, size: number, stride: number): AxisTable {
  const n = coords.length
  const t: AxisTable = {
    length: n,
    off0: new Int32Array(n),
    off1: new Int32Array(n),
    w0: new Float64Array(n),
    w1: new Float64Array(n),
    nearest: new Int32Array(n),
    inside: new Uint8Array(n),
  }
  for (let q = 0; q < n; q++) {
    const x = coords[q]
    if (!(x >= -0.5 && x < size - 0.5)) continue // NaN or outside: weights stay 0
    const base = Math.max(0, Math.floor(x))
    const d = Math.max(0, x - base)
    t.off0[q] = base * stride
    if (d > 0 && base + 1 <= size - 1) {
      t.off1[q] = (base + 1) * stride
      t.w0[q] = 1 - d
      t.w1[q] = d
    } else {
      t.off1[q] = base * stride
      t.w0[q] = 1
    }
    t.nearest[q] = Math.floor(x + 0.5) * stride
    t.inside[q] = 1
  }
  return t
}

/**
 * Trilinear sample: out[u0·s0 + u1·s1 + u2·s2] for u along the three tables (any output layout).
 * `out` must be zero-filled (outside samples are skipped).
 */
export function sampleLinear(
  src: VoxelArray,
  t: [AxisTable, AxisTable, AxisTable],
  out: Float32Array,
  strides: [number, number, number],
): void {
  const [t0, t1, t2] = t
  const [s0, s1, s2] = strides
  const n0 = t0.length
  const { off0: a0, off1: a1, w0: aw0, w1: aw1 } = t0
  for (let u2 = 0; u2 < t2.length; u2++) {
    const wz0 = t2.w0[u2]
    const wz1 = t2.w1[u2]
    if (wz0 === 0 && wz1 === 0) continue
    const z0 = t2.off0[u2]
    const z1 = t2.off1[u2]
    for (let u1 = 0; u1 < t1.length; u1++) {
      const wy0 = t1.w0[u1]
      const wy1 = t1.w1[u1]
      if (wy0 === 0 && wy1 === 0) continue
      const y0 = t1.off0[u1]
      const y1 = t1.off1[u1]
      const b00 = y0 + z0,
        b10 = y1 + z0,
        b01 = y0 + z1,
        b11 = y1 + z1
      const c00 = wy0 * wz0,
        c10 = wy1 * wz0,
        c01 = wy0 * wz1,
        c11 = wy1 * wz1
      let o = u1 * s1 + u2 * s2
      for (let u0 = 0; u0 < n0; u0++, o += s0) {
        const x0 = a0[u0]
        const x1 = a1[u0]
        const v0 = c00 * src[b00 + x0] + c10 * src[b10 + x0] + c01 * src[b01 + x0] + c11 * src[b11 + x0]
        const v1 = c00 * src[b00 + x1] + c10 * src[b10 + x1] + c01 * src[b01 + x1] + c11 * src[b11 + x1]
        out[o] = aw0[u0] * v0 + aw1[u0] * v1
      }
    }
  }
}

/** Nearest-neighbour sample (labels): same layout rules as sampleLinear; `out` zero-filled. */
export function sampleNearest<T extends VoxelArray>(
  src: T,
  t: [AxisTable, AxisTable, AxisTable],
  out: T,
  strides: [number, number, number],
): void {
  const [t0, t1, t2] = t
  const [s0, s1, s2] = strides
  const n0 = t0.length
  const { nearest: nx, inside: ix } = t0
  for (let u2 = 0; u2 < t2.length; u2++) {
    if (!t2.inside[u2]) continue
    const z = t2.nearest[u2]
    for (let u1 = 0; u1 < t1.length; u1++) {
      if (!t1.inside[u1]) continue
      const b = t1.nearest[u1] + z
      let o = u1 * s1 + u2 * s2
      for (let u0 = 0; u0 < n0; u0++, o += s0) if (ix[u0]) out[o] = src[b + nx[u0]]
    }
  }
}
