/**
 * Trilinear upsampling (align_corners = False) + threshold, against (a) a straightforward 8-neighbour
 * implementation written from PyTorch's formula, (b) PyTorch's own numbers stored with the golden
 * vectors (statistics of F.interpolate on the call-A logits) and computed by a spawned PyTorch on random
 * logits, and (c) the float path for the fusion.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { axisWeights, upsampleThreshold, upsampleThresholdDense, upsampleTrilinear } from '../src/upsample.ts'
import { channel, goldenNpy, goldenStats } from './golden.ts'
import { readNpy, writeNpy } from './npy.ts'
import { runPython } from './python.ts'

const TORCH_UPSAMPLE = `
import sys, numpy as np, torch, torch.nn.functional as F
low = torch.from_numpy(np.load(sys.argv[1]))
np.save(sys.argv[2], F.interpolate(low, size=(128, 128, 128), mode='trilinear', align_corners=False).numpy())
`

/** Deterministic pseudo-random logits in [-1, 1) (xorshift32). */
function randomLogits(count: number, seed: number): Float32Array {
  let x = seed >>> 0 || 1
  return Float32Array.from({ length: count }, () => {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    return x / 2 ** 31 - 1
  })
}

/** Reference: every output voxel from its 8 neighbours, source coordinate per PyTorch. */
function naiveTrilinear(low: Float32Array, n: number, m: number): Float64Array {
  const src = (o: number): [number, number, number] => {
    const s = Math.max((o + 0.5) * (n / m) - 0.5, 0)
    const i0 = Math.floor(s)
    return [i0, Math.min(i0 + 1, n - 1), s - i0]
  }
  const at = (a: number, b: number, c: number): number => low[(a * n + b) * n + c]
  const out = new Float64Array(m ** 3)
  for (let o0 = 0; o0 < m; o0++) {
    const [a0, a1, t] = src(o0)
    for (let o1 = 0; o1 < m; o1++) {
      const [b0, b1, u] = src(o1)
      for (let o2 = 0; o2 < m; o2++) {
        const [c0, c1, v] = src(o2)
        let sum = 0
        for (const [a, wa] of [
          [a0, 1 - t],
          [a1, t],
        ])
          for (const [b, wb] of [
            [b0, 1 - u],
            [b1, u],
          ])
            for (const [c, wc] of [
              [c0, 1 - v],
              [c1, v],
            ])
              sum += wa * wb * wc * at(a, b, c)
        out[(o0 * m + o1) * m + o2] = sum
      }
    }
  }
  return out
}

describe('axisWeights', () => {
  it('follows s = (o + 0.5)/4 − 0.5 clamped at 0, i1 = min(i0 + 1, 31) for 32 → 128', () => {
    const w = axisWeights(32, 128)
    // o = 0, 1 clamp to s = 0; o = 2 → s = 0.125; o = 5 → s = 0.875; the last two clamp at 31.
    expect([w.i0[0], w.i1[0], w.w1[0]]).toEqual([0, 1, 0])
    expect([w.i0[1], w.w1[1]]).toEqual([0, 0])
    expect([w.i0[2], w.i1[2], w.w1[2]]).toEqual([0, 1, 0.125])
    expect([w.i0[5], w.i1[5], w.w1[5]]).toEqual([0, 1, 0.875])
    expect([w.i0[6], w.i1[6], w.w1[6]]).toEqual([1, 2, 0.125])
    expect([w.i0[126], w.i1[126], w.w1[126]]).toEqual([31, 31, 0.125])
    expect([w.i0[127], w.i1[127]]).toEqual([31, 31])
    for (let o = 0; o < 128; o++) expect(w.w0[o] + w.w1[o]).toBe(1)
  })
})

describe('upsampleTrilinear', () => {
  it('equals the 8-neighbour reference on random logits (32 → 128 and a non-cubic factor 5 → 15)', () => {
    for (const [n, m, seed] of [
      [32, 128, 7],
      [5, 15, 11],
    ]) {
      const low = randomLogits(n ** 3, seed)
      const fast = upsampleTrilinear(low, n, m)
      const ref = naiveTrilinear(low, n, m)
      let maxDiff = 0
      for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(fast[i] - ref[i]))
      expect(maxDiff).toBeLessThan(1e-6)
    }
  })

  it('an axis mix-up would be caught: a ramp along a2 stays along a2', () => {
    const n = 4
    const low = new Float32Array(n ** 3)
    for (let i = 0; i < low.length; i++) low[i] = i % n // depends on a2 only
    const up = upsampleTrilinear(low, n, 16)
    expect(up[0]).toBe(up[16 * 16 * 15]) // same a2, different a0
    expect(up[0]).toBe(up[16 * 15]) // same a2, different a1
    expect(up[15]).toBeGreaterThan(up[0])
  })

  it("reproduces PyTorch's F.interpolate on the golden call-A logits (stored statistics)", () => {
    const low = Float32Array.from(channel(goldenNpy('student_A_masks4'), 0))
    const ref = goldenStats().student_A_fullres_logits as {
      min: number
      max: number
      mean: number
      std: number
      sum_abs: number
      first8: number[]
    }
    const up = upsampleTrilinear(low, 32, 128)
    let min = Infinity
    let max = -Infinity
    let sum = 0
    let sumAbs = 0
    for (const v of up) {
      min = Math.min(min, v)
      max = Math.max(max, v)
      sum += v
      sumAbs += Math.abs(v)
    }
    const mean = sum / up.length
    let sq = 0
    for (const v of up) sq += (v - mean) ** 2
    expect(Array.from(up.subarray(0, 8))).toEqual(ref.first8.map(Math.fround))
    expect(min).toBeCloseTo(ref.min, 6)
    expect(max).toBeCloseTo(ref.max, 6)
    expect(mean).toBeCloseTo(ref.mean, 7)
    expect(Math.sqrt(sq / up.length)).toBeCloseTo(ref.std, 5)
    expect(Math.abs(sumAbs - ref.sum_abs) / ref.sum_abs).toBeLessThan(1e-7)
    let positive = 0
    for (const v of upsampleThreshold(low, 32, 128)) positive += v
    expect(positive).toBe(goldenStats().student_A_fullres_positive_voxels)
  })
})

describe('upsampleThreshold', () => {
  it('is exactly (upsampleTrilinear > threshold), for thresholds 0 and 0.3', () => {
    const low = randomLogits(32 ** 3, 99)
    const up = upsampleTrilinear(low, 32, 128)
    for (const threshold of [0, 0.3]) {
      const fused = upsampleThreshold(low, 32, 128, threshold)
      let mismatches = 0
      let inside = 0
      for (let i = 0; i < up.length; i++) {
        if (fused[i] !== (up[i] > threshold ? 1 : 0)) mismatches++
        inside += fused[i]
      }
      expect(mismatches).toBe(0)
      expect(inside).toBeGreaterThan(0)
      expect(inside).toBeLessThan(up.length)
    }
  })

  it('upsamples only the box that can be inside, with the same bytes as the dense passes', () => {
    /** Logits < 0 except a ball of radius r at c (and a ramp inside it), noise on top. */
    const ball = (n: number, c: [number, number, number], r: number, seed: number): Float32Array => {
      const noise = randomLogits(n ** 3, seed)
      const low = new Float32Array(n ** 3)
      for (let a0 = 0, q = 0; a0 < n; a0++)
        for (let a1 = 0; a1 < n; a1++)
          for (let a2 = 0; a2 < n; a2++, q++)
            low[q] = r - Math.hypot(a0 - c[0], a1 - c[1], a2 - c[2]) + 0.3 * noise[q]
      return low
    }
    const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b))
    const cases: [Float32Array, number, number][] = [
      [ball(32, [16, 16, 16], 5, 1), 32, 128],
      [ball(64, [10, 50, 33], 8, 2), 64, 128],
      [ball(64, [0, 0, 63], 4, 3), 64, 128], // at a corner: the clamped edge weights
      [ball(24, [12, 3, 20], 3, 4), 24, 128], // a non-integer factor
      [ball(32, [16, 16, 16], -100, 5), 32, 128], // nothing inside
      [randomLogits(32 ** 3, 6), 32, 128], // inside everywhere: the whole box
    ]
    for (const [low, n, m] of cases)
      for (const threshold of [0, 0.3, -0.2]) {
        const dense = upsampleThresholdDense(low, n, m, threshold)
        expect(same(upsampleThreshold(low, n, m, threshold), dense), `${n}->${m} t=${threshold}`).toBe(true)
      }
    // a voxel exactly at the threshold, alone: interpolations around it stay at or below it (0 inside)
    const edge = new Float32Array(32 ** 3).fill(-1)
    edge[5 * 32 * 32 + 7 * 32 + 9] = 0.5
    expect(same(upsampleThreshold(edge, 32, 128, 0.5), upsampleThresholdDense(edge, 32, 128, 0.5))).toBe(true)
    expect(same(upsampleThreshold(edge, 32, 128, 0), upsampleThresholdDense(edge, 32, 128, 0))).toBe(true)
  })

  it('reuses a given output buffer and rejects wrong sizes', () => {
    const low = randomLogits(8 ** 3, 3)
    const into = new Uint8Array(16 ** 3).fill(7)
    expect(upsampleThreshold(low, 8, 16, 0, into)).toBe(into)
    expect(into.every((v) => v === 0 || v === 1)).toBe(true)
    expect(() => upsampleThreshold(low, 8, 16, 0, new Uint8Array(10))).toThrow(RangeError)
    expect(() => upsampleThreshold(new Float32Array(100), 8, 16)).toThrow(RangeError)
  })
})

describe('against PyTorch F.interpolate (spawned)', () => {
  it('random 32³ logits: values within 1e-6, thresholds identical', async () => {
    const work = mkdtempSync(join(tmpdir(), 'fastsam-upsample-'))
    try {
      const low = randomLogits(32 ** 3, 2024)
      writeNpy(join(work, 'low.npy'), low, [1, 1, 32, 32, 32])
      await runPython(['-c', TORCH_UPSAMPLE, join(work, 'low.npy'), join(work, 'up.npy')])
      const ref = readNpy(join(work, 'up.npy')).data
      const ours = upsampleTrilinear(low, 32, 128)
      const mask = upsampleThreshold(low, 32, 128)
      let maxDiff = 0
      let flipped = 0
      for (let i = 0; i < ref.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(ours[i] - ref[i]))
        if (mask[i] !== (ref[i] > 0 ? 1 : 0)) flipped++
      }
      expect(maxDiff).toBeLessThan(1e-6)
      expect(flipped).toBe(0)
    } finally {
      rmSync(work, { recursive: true, force: true })
    }
  })
})
