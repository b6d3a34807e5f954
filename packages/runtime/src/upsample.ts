/**
 * Post-processing of the decoder's low-res logits (model-spec §8.4): trilinear upsampling n³ → m³
 * with align_corners = False (PyTorch `F.interpolate(mode='trilinear')`), then `logit > threshold`.
 *
 * Layout: both grids are C-order over (a0, a1, a2): flat = a2 + m·(a1 + m·a0).
 *
 * Separable, in PyTorch's nesting order (a2 innermost, then a1, then a0): n² rows along a2, then n·m
 * rows along a1, then m planes along a0. The last pass writes the threshold directly, so the 128³
 * float result never exists (8 MiB saved and one pass fewer). Weights are exact in float32 for
 * integer factors (multiples of 1/(2f)).
 */

import { boxWhere } from '@fastsam-xr/geometry'

/** Per output coordinate o: source indices i0, i1 and weights w0 + w1 = 1 (spec §8.4). */
export interface AxisWeights {
  i0: Int32Array
  i1: Int32Array
  w0: Float64Array
  w1: Float64Array
}

/** s = (o + 0.5)·n/m − 0.5, clamped at 0; i0 = floor(s); i1 = min(i0 + 1, n − 1); w1 = s − i0. */
export function axisWeights(n: number, m: number): AxisWeights {
  const i0 = new Int32Array(m)
  const i1 = new Int32Array(m)
  const w0 = new Float64Array(m)
  const w1 = new Float64Array(m)
  const scale = n / m
  for (let o = 0; o < m; o++) {
    const s = Math.max((o + 0.5) * scale - 0.5, 0)
    const lo = Math.min(Math.floor(s), n - 1)
    i0[o] = lo
    i1[o] = Math.min(lo + 1, n - 1)
    w1[o] = s - lo
    w0[o] = 1 - w1[o]
  }
  return { i0, i1, w0, w1 }
}

interface Plan {
  n: number
  m: number
  w: AxisWeights
  /** n·n·m after the a2 pass, n·m·m after the a1 pass; reused between calls. */
  along2: Float32Array
  along1: Float32Array
}

const plans = new Map<string, Plan>()

function plan(n: number, m: number): Plan {
  if (!Number.isInteger(n) || !Number.isInteger(m) || n < 1 || m < 1)
    throw new RangeError(`upsample sizes must be positive integers (got ${n} → ${m})`)
  const key = `${n}:${m}`
  let p = plans.get(key)
  if (!p) {
    p = {
      n,
      m,
      w: axisWeights(n, m),
      along2: new Float32Array(n * n * m),
      along1: new Float32Array(n * m * m),
    }
    plans.set(key, p)
  }
  return p
}

/** Passes along a2 and a1 into the plan's scratch buffers; returns the n·m·m result. */
function firstTwoPasses(low: Float32Array, p: Plan): Float32Array {
  const { n, m, along2, along1 } = p
  const { i0, i1, w0, w1 } = p.w
  if (low.length !== n * n * n)
    throw new RangeError(`expected ${n}³ = ${n * n * n} logits, got ${low.length}`)
  // a2: n² rows of n → m.
  for (let r = 0, src = 0, dst = 0; r < n * n; r++, src += n, dst += m)
    for (let o = 0; o < m; o++) along2[dst + o] = w0[o] * low[src + i0[o]] + w1[o] * low[src + i1[o]]
  // a1: for each a0, m output rows (length m) from two of the n input rows.
  for (let a0 = 0; a0 < n; a0++) {
    const srcPlane = a0 * n * m
    const dstPlane = a0 * m * m
    for (let o = 0; o < m; o++) {
      const r0 = srcPlane + i0[o] * m
      const r1 = srcPlane + i1[o] * m
      const a = w0[o]
      const b = w1[o]
      const dst = dstPlane + o * m
      for (let k = 0; k < m; k++) along1[dst + k] = a * along2[r0 + k] + b * along2[r1 + k]
    }
  }
  return along1
}

/** Float result, C-order m³ (for tests and for callers that want probabilities). */
export function upsampleTrilinear(low: Float32Array, n: number, m: number): Float32Array {
  const p = plan(n, m)
  const along1 = firstTwoPasses(low, p)
  const { i0, i1, w0, w1 } = p.w
  const plane = m * m
  const out = new Float32Array(m * plane)
  for (let o = 0; o < m; o++) {
    const p0 = i0[o] * plane
    const p1 = i1[o] * plane
    const a = w0[o]
    const b = w1[o]
    const dst = o * plane
    for (let k = 0; k < plane; k++) out[dst + k] = a * along1[p0 + k] + b * along1[p1 + k]
  }
  return out
}

/**
 * The outputs along one axis that can exceed the threshold: those whose two source indices are not both
 * outside the low-res box [lo, hi] of the logits that do (an interpolation of values ≤ threshold is ≤ it).
 * Returns [first, end) of the outputs and [src0, src1] of the sources they read.
 */
function axisRange(w: AxisWeights, lo: number, hi: number): [number, number, number, number] {
  const m = w.i0.length
  let first = 0
  while (first < m && w.i1[first] < lo) first++
  let end = m
  while (end > first && w.i0[end - 1] > hi) end--
  return [first, end, first < end ? w.i0[first] : 0, first < end ? w.i1[end - 1] : -1]
}

/**
 * Upsample + threshold fused: 1 where the upsampled logit is > `threshold`, else 0. C-order m³.
 * `into` (length m³) is reused when given.
 *
 * Only the box that can hold an inside voxel is upsampled: the low-res voxels above the threshold (less a
 * margin for rounding) bound it, and outside it every output interpolates values at or below the
 * threshold, so it is 0 — the same bytes as upsampling everything (tested), for a fraction of the work
 * when the object is small in its crop (the refine click's postprocess at the server).
 */
export function upsampleThreshold(
  low: Float32Array,
  n: number,
  m: number,
  threshold = 0,
  into?: Uint8Array,
): Uint8Array {
  const p = plan(n, m)
  const { along2, along1 } = p
  const { i0, i1, w0, w1 } = p.w
  if (low.length !== n * n * n)
    throw new RangeError(`expected ${n}³ = ${n * n * n} logits, got ${low.length}`)
  const plane = m * m
  const out = into ?? new Uint8Array(m * plane)
  if (out.length !== m * plane)
    throw new RangeError(`output buffer must hold ${m}³ voxels, has ${out.length}`)
  out.fill(0)
  // The low-res box of the logits that may interpolate above the threshold.
  const cut = threshold - 1e-6 * (1 + Math.abs(threshold))
  // (C-order: the box comes back in (a2, a1, a0) order)
  const box = boxWhere([n, n, n], (q) => low[q] > cut)
  if (!box) return out
  const lo = [box.origin[2], box.origin[1], box.origin[0]]
  const hi = [0, 1, 2].map((a) => lo[a] + box.size[2 - a] - 1)
  const [f0, e0, s0lo, s0hi] = axisRange(p.w, lo[0], hi[0])
  const [f1, e1, s1lo, s1hi] = axisRange(p.w, lo[1], hi[1])
  const [f2, e2] = axisRange(p.w, lo[2], hi[2])
  // a2: the rows the box reads, outputs f2..e2.
  for (let a0 = s0lo; a0 <= s0hi; a0++)
    for (let a1 = s1lo; a1 <= s1hi; a1++) {
      const src = (a0 * n + a1) * n
      const dst = (a0 * n + a1) * m
      for (let o = f2; o < e2; o++) along2[dst + o] = w0[o] * low[src + i0[o]] + w1[o] * low[src + i1[o]]
    }
  // a1: planes the box reads, outputs f1..e1 × f2..e2.
  for (let a0 = s0lo; a0 <= s0hi; a0++) {
    const srcPlane = a0 * n * m
    const dstPlane = a0 * m * m
    for (let o = f1; o < e1; o++) {
      const r0 = srcPlane + i0[o] * m
      const r1 = srcPlane + i1[o] * m
      const a = w0[o]
      const b = w1[o]
      const dst = dstPlane + o * m
      for (let k = f2; k < e2; k++) along1[dst + k] = a * along2[r0 + k] + b * along2[r1 + k]
    }
  }
  // a0: the thresholded result inside the box.
  for (let o = f0; o < e0; o++) {
    const p0 = i0[o] * plane
    const p1 = i1[o] * plane
    const a = w0[o]
    const b = w1[o]
    for (let o1 = f1; o1 < e1; o1++) {
      const row = o * plane + o1 * m
      const r0 = p0 + o1 * m
      const r1 = p1 + o1 * m
      for (let k = f2; k < e2; k++) out[row + k] = +(a * along1[r0 + k] + b * along1[r1 + k] > threshold)
    }
  }
  return out
}

/** The reference: every voxel upsampled (the separable passes in full), then thresholded. */
export function upsampleThresholdDense(low: Float32Array, n: number, m: number, threshold = 0): Uint8Array {
  const p = plan(n, m)
  const along1 = firstTwoPasses(low, p)
  const { i0, i1, w0, w1 } = p.w
  const plane = m * m
  const out = new Uint8Array(m * plane)
  for (let o = 0; o < m; o++) {
    const p0 = i0[o] * plane
    const p1 = i1[o] * plane
    const a = w0[o]
    const b = w1[o]
    const dst = o * plane
    for (let k = 0; k < plane; k++) out[dst + k] = +(a * along1[p0 + k] + b * along1[p1 + k] > threshold)
  }
  return out
}
