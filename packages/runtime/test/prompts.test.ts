/**
 * World RAS prompt → crop index, on real data with flipped axes (the DICOM CT's i and j run towards
 * Left and Posterior): the crop voxel a prompt maps to must hold the CT value found at that point.
 * An axis flip, swap or an off-by-half would break the intensity agreement or the round trip.
 */
import {
  applyAffine,
  prepareModelCrop,
  worldToCropIndex,
  type ModelCrop,
  type Vec3,
  type Volume,
} from '@fastsam-xr/volume'
import { beforeAll, describe, expect, it } from 'vitest'
import { RuntimeError } from '../src/errors.ts'
import { promptsToDecoderPoints } from '../src/prompts.ts'
import { dicomCtPath, dicomCtSegPath, LIVER, labelPoint, readPair } from './realData.ts'

let ct: Volume
let liver: Vec3
let crop: ModelCrop

beforeAll(async () => {
  const pair = await readPair(dicomCtPath(), dicomCtSegPath())
  ct = pair.image
  liver = labelPoint(pair.seg, LIVER)
  crop = prepareModelCrop(ct, liver)
})

const index = (p: Vec3): Vec3 =>
  Array.from(promptsToDecoderPoints(crop, [{ pointWorldRas: p, positive: true }]).coords) as Vec3

/** CT value at a crop voxel, undoing the z-normalisation. */
const cropValue = (a: Vec3): number =>
  crop.input[crop.size * crop.size * a[0] + crop.size * a[1] + a[2]] * crop.stats.std + crop.stats.mean

describe('prompts in world RAS mm → crop indices (a0, a1, a2)', () => {
  it('the ROI centre lands on crop voxel 64 and the conversion round-trips through the crop affine', () => {
    const p = index(liver)
    for (const v of p) expect(Math.abs(v - 64)).toBeLessThanOrEqual(0.5)
    const back = applyAffine(crop.cropAffine, p)
    for (let a = 0; a < 3; a++) expect(back[a]).toBeCloseTo(liver[a], 4)
  })

  it('moving the point towards R, A and S increases a0, a1 and a2 (RAS+ crop), by mm / 1.5', () => {
    const p = index(liver)
    for (let a = 0; a < 3; a++) {
      const moved: Vec3 = [...liver]
      moved[a] += 15
      const q = index(moved)
      expect(q[a] - p[a]).toBeCloseTo(10, 5)
      for (let b = 0; b < 3; b++) if (b !== a) expect(q[b]).toBeCloseTo(p[b], 5)
    }
  })

  it('the crop voxel a CT voxel centre maps to holds that voxel’s value (flipped-axis CT)', () => {
    const [nx, ny, nz] = ct.dims
    const s = crop.size
    const errors = { correct: 0, flip0: 0, flip1: 0, flip2: 0, swap01: 0 }
    let n = 0
    // Every 7th voxel of the volume whose crop index is inside the crop.
    for (let k = 0; k < nz; k++)
      for (let j = 0; j < ny; j += 7)
        for (let i = 0; i < nx; i += 7) {
          const world = applyAffine(ct.affine, [i, j, k])
          if (!worldToCropIndex(crop, world).every((v) => v >= 0 && v <= s - 1)) continue
          const a = index(world).map(Math.round) as Vec3
          const truth = ct.data[i + nx * (j + ny * k)]
          errors.correct += Math.abs(cropValue(a) - truth)
          errors.flip0 += Math.abs(cropValue([s - 1 - a[0], a[1], a[2]]) - truth)
          errors.flip1 += Math.abs(cropValue([a[0], s - 1 - a[1], a[2]]) - truth)
          errors.flip2 += Math.abs(cropValue([a[0], a[1], s - 1 - a[2]]) - truth)
          errors.swap01 += Math.abs(cropValue([a[1], a[0], a[2]]) - truth)
          n++
        }
    expect(n).toBeGreaterThan(2000)
    const mean = Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, v / n]))
    // Resampling 0.98 × 0.98 × 2 mm → 1.5 mm blurs edges a little; a wrong axis is off by hundreds of HU.
    expect(mean.correct).toBeLessThan(30)
    for (const wrong of ['flip0', 'flip1', 'flip2', 'swap01'])
      expect(mean[wrong]).toBeGreaterThan(3 * mean.correct)
  })

  it('packs labels 1/0 in prompt order', () => {
    const moved: Vec3 = [liver[0] + 10, liver[1], liver[2]]
    const pts = promptsToDecoderPoints(crop, [
      { pointWorldRas: liver, positive: true },
      { pointWorldRas: moved, positive: false },
    ])
    expect(pts.count).toBe(2)
    expect(Array.from(pts.labels)).toEqual([1, 0])
    expect(pts.coords[3] - pts.coords[0]).toBeCloseTo(10 / 1.5, 4)
  })

  it('refuses a point outside the crop, no prompts, and non-finite points with typed errors', () => {
    const far: Vec3 = [liver[0], liver[1], liver[2] + 100] // 66.7 crop voxels above the centre
    const near: Vec3 = [liver[0], liver[1], liver[2] + 94] // 62.7: still inside
    expect(() => promptsToDecoderPoints(crop, [{ pointWorldRas: near, positive: true }])).not.toThrow()
    const err = (() => {
      try {
        promptsToDecoderPoints(crop, [{ pointWorldRas: far, positive: true }])
      } catch (e) {
        return e as RuntimeError
      }
    })()
    expect(err).toBeInstanceOf(RuntimeError)
    expect(err?.code).toBe('prompt-outside-crop')
    expect(() => promptsToDecoderPoints(crop, [])).toThrow(expect.objectContaining({ code: 'bad-input' }))
    expect(() => promptsToDecoderPoints(crop, [{ pointWorldRas: [NaN, 0, 0], positive: true }])).toThrow(
      expect.objectContaining({ code: 'bad-input' }),
    )
  })
})
