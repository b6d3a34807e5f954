/**
 * The EDT must be EXACT (spec §9.1 picks voxels by comparing distances to max/2): equal to a
 * brute-force EDT on small random masks (every shape class: thin, flat, full, empty), and to scipy's
 * distance_transform_edt with a one-voxel zero pad (what `edt.edt(..., black_border=True)` computes)
 * on a real label crop.
 */
import { readVolume } from '@fastsam-xr/volume'
import { describe, expect, it } from 'vitest'
import { sharedData } from '../../../test/support/paths.ts'
import { edtBlackBorder, squaredEdtBlackBorder, squaredEdtBlackBorderInBox, type Dims3 } from '../src/edt.ts'
import { Rng } from '../src/rng.ts'
import { labelGeometry, targetBox, targetWindow } from '../src/targets.ts'
import { gtCentreCrop } from '../src/crop.ts'
import { scipyEdtBlackBorder } from './scipy.ts'

/** O(n²): squared distance to the nearest background voxel of the array padded by one zero voxel. */
function bruteForce(mask: Uint8Array, dims: Dims3): Float64Array {
  const [n0, n1, n2] = dims
  const background: [number, number, number][] = []
  for (let a0 = -1; a0 <= n0; a0++)
    for (let a1 = -1; a1 <= n1; a1++)
      for (let a2 = -1; a2 <= n2; a2++) {
        const inside = a0 >= 0 && a0 < n0 && a1 >= 0 && a1 < n1 && a2 >= 0 && a2 < n2
        if (!inside || !mask[n2 * (n1 * a0 + a1) + a2]) background.push([a0, a1, a2])
      }
  const out = new Float64Array(mask.length)
  for (let a0 = 0; a0 < n0; a0++)
    for (let a1 = 0; a1 < n1; a1++)
      for (let a2 = 0; a2 < n2; a2++) {
        const q = n2 * (n1 * a0 + a1) + a2
        if (!mask[q]) continue
        let best = Infinity
        for (const [b0, b1, b2] of background)
          best = Math.min(best, (a0 - b0) ** 2 + (a1 - b1) ** 2 + (a2 - b2) ** 2)
        out[q] = best
      }
  return out
}

function randomMask(dims: Dims3, density: number, rng: Rng): Uint8Array {
  const m = new Uint8Array(dims[0] * dims[1] * dims[2])
  for (let q = 0; q < m.length; q++) m[q] = +(rng.nextUint32() / 2 ** 32 < density)
  return m
}

describe('exact EDT with a black border', () => {
  it('equals brute force on random masks of every shape class', () => {
    const rng = new Rng(7)
    const shapes: Dims3[] = [
      [1, 1, 1],
      [1, 1, 9],
      [9, 1, 1],
      [1, 8, 1],
      [2, 3, 4],
      [7, 9, 6],
      [11, 5, 8],
      [3, 12, 10],
    ]
    let checked = 0
    for (const dims of shapes)
      for (const density of [0, 0.3, 0.7, 0.95, 1]) {
        const m = randomMask(dims, density, rng)
        const got = squaredEdtBlackBorder(m, dims)
        const want = bruteForce(m, dims)
        expect(Array.from(got)).toEqual(Array.from(want))
        checked++
      }
    expect(checked).toBe(40)
  })

  it('a full cube: distance to the outside, and sqrt of the squared transform', () => {
    const dims: Dims3 = [5, 7, 9]
    const m = new Uint8Array(5 * 7 * 9).fill(1)
    const d = edtBlackBorder(m, dims)
    // centre voxel (2,3,4): nearest outside is 3 steps along a0 (−1 or 5).
    expect(d[9 * (7 * 2 + 3) + 4]).toBe(3)
    // a corner voxel touches the outside.
    expect(d[0]).toBe(1)
    const sq = squaredEdtBlackBorder(m, dims)
    for (let q = 0; q < d.length; q++) expect(d[q]).toBe(Math.sqrt(sq[q]))
  })

  it('on the foreground bounding box only: the same as on the whole array', () => {
    const rng = new Rng(11)
    const dims: Dims3 = [30, 26, 34]
    for (const density of [0, 0.5, 0.9]) {
      // a random blob in a sub-box, so the bounding box is smaller than the array
      const m = new Uint8Array(30 * 26 * 34)
      for (let a0 = 4; a0 < 17; a0++)
        for (let a1 = 9; a1 < 25; a1++)
          for (let a2 = 0; a2 < 12; a2++)
            m[34 * (26 * a0 + a1) + a2] = +(rng.nextUint32() / 2 ** 32 < density)
      expect(Array.from(squaredEdtBlackBorderInBox(m, dims))).toEqual(
        Array.from(squaredEdtBlackBorder(m, dims)),
      )
    }
    const full = randomMask(dims, 0.97, rng)
    expect(Array.from(squaredEdtBlackBorderInBox(full, dims))).toEqual(
      Array.from(squaredEdtBlackBorder(full, dims)),
    )
  })

  it('refuses a mask whose length does not match the dims', () => {
    expect(() => squaredEdtBlackBorder(new Uint8Array(10), [2, 2, 2])).toThrow(RangeError)
    expect(() => squaredEdtBlackBorderInBox(new Uint8Array(10), [2, 2, 2])).toThrow(RangeError)
  })

  it('equals scipy distance_transform_edt (padded by one zero voxel) on a real label crop', async () => {
    // ITK-SNAP MRIcrop (LPS, 8 labels): label 1 in its 128³ GT-centred crop, and a 2-label union
    // so that the crop has several separate objects.
    const label = await readVolume(sharedData('volumes', 'itksnap', 'MRIcrop_seg.nii.gz'))
    const g = labelGeometry(label, 1.5)
    const t = g.targets[0]
    const crop = gtCentreCrop(g, t, 128)
    const gt = targetWindow(g, t.value, crop.start, 128)
    const other = targetWindow(g, g.targets[3].value, crop.start, 128)
    const both = gt.map((v, q) => v | other[q])
    let fg = 0
    for (const v of both) fg += v
    expect(fg).toBeGreaterThan(1000)
    for (const mask of [gt, both]) {
      const ours = edtBlackBorder(mask, [128, 128, 128])
      const ref = scipyEdtBlackBorder(mask, [128, 128, 128])
      let maxDiff = 0
      for (let q = 0; q < ours.length; q++) maxDiff = Math.max(maxDiff, Math.abs(ours[q] - ref[q]))
      expect(maxDiff).toBe(0)
    }
    // A box touching the array edge: the border counts as background (black_border).
    const box = targetBox(g, t)
    const ours = edtBlackBorder(box.gt, box.dims)
    const ref = scipyEdtBlackBorder(box.gt, box.dims)
    expect(Array.from(ours)).toEqual(Array.from(ref))
  })
})
