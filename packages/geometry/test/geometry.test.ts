/**
 * The geometry owner's helpers: the affine algebra on the real (oblique, LPS-converted) DICOM CT affine and
 * the fast box scan against a plain triple loop on a real label map.
 */
import { readVolume } from '@fastsam-xr/volume'
import { sharedData } from '@fastsam-xr/test/paths'
import { describe, expect, it } from 'vitest'
import {
  applyAffine,
  determinant3,
  GeometryError,
  identity4,
  invert4,
  boxWhere,
  maskBoundingBox,
  multiply4,
  spacingFromAffine,
  unionBox,
  type Vec3,
} from '../src/index.ts'

describe('affine algebra', () => {
  it('inverts, multiplies and measures the real DICOM CT affine', async () => {
    const ct = await readVolume(sharedData('dicom', 'totalsegmentator_example_ct_series_seg.nii.gz'))
    const m = ct.affine
    const back = multiply4(invert4(m), m)
    for (let q = 0; q < 16; q++) expect(back[q]).toBeCloseTo(identity4()[q], 9)
    const s = spacingFromAffine(m)
    expect(Math.abs(determinant3(m))).toBeCloseTo(s[0] * s[1] * s[2], 6)
    const p: Vec3 = [10, 20, 30]
    const w = applyAffine(m, p)
    applyAffine(invert4(m), w).forEach((v, a) => expect(v).toBeCloseTo(p[a], 9))
    // a mirrored axis flips the determinant's sign
    const flipped = Float64Array.from(m)
    for (const r of [0, 4, 8]) flipped[r] = -flipped[r]
    expect(Math.sign(determinant3(flipped))).toBe(-Math.sign(determinant3(m)))
  })

  it('refuses a singular affine', () => {
    expect(() => invert4(new Float64Array(16))).toThrow(GeometryError)
  })
})

describe('boxes', () => {
  it('maskBoundingBox equals a plain scan for every label of a real label map, and inside a region', async () => {
    const seg = await readVolume(sharedData('volumes', 'totalsegmentator', 'example_ct_seg.nii.gz'))
    const mask = Uint8Array.from(seg.data)
    const [nx, ny, nz] = seg.dims
    for (const label of [1, 5, 52]) {
      const lo = [Infinity, Infinity, Infinity]
      const hi = [-1, -1, -1]
      for (let k = 0, q = 0; k < nz; k++)
        for (let j = 0; j < ny; j++)
          for (let i = 0; i < nx; i++, q++)
            if (mask[q] === label)
              [i, j, k].forEach((v, a) => {
                lo[a] = Math.min(lo[a], v)
                hi[a] = Math.max(hi[a], v)
              })
      const box = maskBoundingBox(mask, seg.dims, { label })!
      expect(box.origin).toEqual(lo)
      expect(box.size).toEqual(hi.map((h, a) => h - lo[a] + 1))
      // the upper half (in k) of that box, scanned as a region
      const half = Math.floor(box.size[2] / 2)
      const region = {
        origin: [0, 0, box.origin[2] + half] as Vec3,
        size: [nx, ny, box.size[2] - half] as Vec3,
      }
      const upper = maskBoundingBox(mask, seg.dims, { label, region })!
      expect(upper.origin[2] + upper.size[2]).toBe(box.origin[2] + box.size[2])
      expect(upper.origin[2]).toBeGreaterThanOrEqual(region.origin[2])
    }
    // the general scan agrees with the uint8 one, and on a reversed (C-order) reading gives the box reversed
    const liver = maskBoundingBox(mask, seg.dims, { label: 5 })!
    expect(boxWhere(seg.dims, (q) => mask[q] === 5)).toEqual(liver)
    expect(boxWhere(seg.dims, () => false)).toBeNull()
    expect(maskBoundingBox(new Uint8Array(mask.length), seg.dims)).toBeNull()
    expect(() => maskBoundingBox(mask, [nx, ny, nz + 1])).toThrow(GeometryError)
  })

  it('unionBox spans both and ignores null', () => {
    const a = { origin: [0, 5, 2] as Vec3, size: [3, 1, 4] as Vec3 }
    const b = { origin: [2, 0, 9] as Vec3, size: [4, 2, 1] as Vec3 }
    expect(unionBox(a, b)).toEqual({ origin: [0, 0, 2], size: [6, 6, 8] })
    expect(unionBox(null, b)).toBe(b)
    expect(unionBox(null, null)).toBeNull()
  })
})
