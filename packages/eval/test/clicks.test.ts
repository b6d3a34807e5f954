/**
 * Click rules of spec §9.1 on constructed masks: the first click lands deep inside the object, the
 * label follows the larger error (FN → include, FP → exclude), 'random' picks uniformly from FN | FP,
 * a perfect prediction gives no click (the official code would crash), indices are (a0, a1, a2), and
 * the same seed gives the same clicks.
 */
import { describe, expect, it } from 'vitest'
import { errorMaps, nextClick, randomClick, ritmClick } from '../src/clicks.ts'
import { edtBlackBorder, type Dims3 } from '../src/edt.ts'
import { Rng } from '../src/rng.ts'

const at = (dims: Dims3, p: readonly number[]): number => dims[2] * (dims[1] * p[0] + p[1]) + p[2]

/** A ball of radius r around c, 0/1, C-order. */
function ball(dims: Dims3, c: readonly number[], r: number): Uint8Array {
  const m = new Uint8Array(dims[0] * dims[1] * dims[2])
  for (let a0 = 0; a0 < dims[0]; a0++)
    for (let a1 = 0; a1 < dims[1]; a1++)
      for (let a2 = 0; a2 < dims[2]; a2++)
        if ((a0 - c[0]) ** 2 + (a1 - c[1]) ** 2 + (a2 - c[2]) ** 2 <= r * r) m[at(dims, [a0, a1, a2])] = 1
  return m
}

const or = (a: Uint8Array, b: Uint8Array): Uint8Array => a.map((v, q) => v | b[q])

describe('§9.1 click simulation', () => {
  const dims: Dims3 = [40, 36, 44]
  const gt = ball(dims, [20, 18, 22], 9)

  it('first click (empty prediction): positive ritm click deep inside the object', () => {
    const rng = new Rng(2023)
    const dist = edtBlackBorder(gt, dims)
    let dmax = 0
    for (const d of dist) dmax = Math.max(dmax, d)
    for (let n = 0; n < 50; n++) {
      const c = nextClick(null, gt, dims, 0, rng)!
      expect(c.method).toBe('ritm')
      expect(c.positive).toBe(true)
      expect(gt[at(dims, c.point)]).toBe(1)
      // farther from the boundary than half the deepest point
      expect(dist[at(dims, c.point)]).toBeGreaterThan(dmax / 2)
    }
  })

  it('label sign: the larger error wins — a big false positive gives an exclude click inside it', () => {
    const rng = new Rng(1)
    const blob = ball(dims, [8, 8, 8], 6) // FP, deeper (radius 6) than the thin FN shell
    const shrunk = ball(dims, [20, 18, 22], 8) // FN = a 1-voxel shell of gt
    const pred = or(shrunk, blob)
    const c = ritmClick(errorMaps(pred, gt), dims, rng)!
    expect(c.positive).toBe(false)
    expect(blob[at(dims, c.point)]).toBe(1)
    // Without the blob, the shell is the only error: include click on the shell.
    const c2 = ritmClick(errorMaps(shrunk, gt), dims, rng)!
    expect(c2.positive).toBe(true)
    expect(gt[at(dims, c2.point)] === 1 && shrunk[at(dims, c2.point)] === 0).toBe(true)
  })

  it("clicks 3.. are 'random': uniform over FN | FP, label from the map it falls in", () => {
    const rng = new Rng(5)
    const pred = new Uint8Array(gt.length)
    const fnVoxel = [3, 4, 5]
    const fpVoxel = [30, 2, 40]
    const tinyGt = new Uint8Array(gt.length)
    tinyGt[at(dims, fnVoxel)] = 1
    pred[at(dims, fpVoxel)] = 1
    let positives = 0
    for (let n = 0; n < 400; n++) {
      const c = nextClick(pred, tinyGt, dims, 2 + (n % 5), rng)!
      expect(c.method).toBe('random')
      if (c.positive) {
        positives++
        expect(c.point).toEqual(fnVoxel)
      } else expect(c.point).toEqual(fpVoxel)
    }
    // two candidates, 400 draws: 200 ± 4σ (σ = 10)
    expect(positives).toBeGreaterThan(160)
    expect(positives).toBeLessThan(240)
  })

  it('points are (a0, a1, a2) indices of C-order arrays', () => {
    const d: Dims3 = [5, 7, 9]
    const m = new Uint8Array(5 * 7 * 9)
    m[9 * (7 * 1 + 2) + 3] = 1
    expect(nextClick(null, m, d, 0, new Rng(0))!.point).toEqual([1, 2, 3])
    expect(randomClick(errorMaps(null, m), d, new Rng(0))!.point).toEqual([1, 2, 3])
  })

  it('perfect prediction: no click (guard), for ritm and random alike', () => {
    const rng = new Rng(3)
    expect(nextClick(gt, gt, dims, 0, rng)).toBeNull()
    expect(nextClick(gt, gt, dims, 1, rng)).toBeNull()
    expect(nextClick(gt, gt, dims, 4, rng)).toBeNull()
    // empty GT and empty prediction: nothing to click either
    const empty = new Uint8Array(gt.length)
    expect(nextClick(null, empty, dims, 0, rng)).toBeNull()
  })

  it('deterministic for a seed, different for another seed or stream', () => {
    const draw = (rng: Rng): number[][] =>
      Array.from({ length: 8 }, () => nextClick(null, gt, dims, 0, rng)!.point)
    expect(draw(new Rng(2023))).toEqual(draw(new Rng(2023)))
    expect(draw(new Rng(2023))).not.toEqual(draw(new Rng(2024)))
    expect(draw(new Rng(2023, 'a#1'))).not.toEqual(draw(new Rng(2023, 'a#2')))
  })

  it('errorMaps refuses mismatched sizes', () => {
    expect(() => errorMaps(new Uint8Array(3), new Uint8Array(4))).toThrow(RangeError)
  })
})

describe('Rng', () => {
  it('integer(n) stays in [0, n) and covers it; bad n is refused', () => {
    const rng = new Rng(9)
    const seen = new Set<number>()
    for (let q = 0; q < 2000; q++) {
      const v = rng.integer(7)
      expect(v >= 0 && v < 7 && Number.isInteger(v)).toBe(true)
      seen.add(v)
    }
    expect(seen.size).toBe(7)
    expect(() => rng.integer(0)).toThrow(RangeError)
    expect(() => rng.integer(1.5)).toThrow(RangeError)
    expect(() => new Rng(0.5)).toThrow(RangeError)
  })
})
