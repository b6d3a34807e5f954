/**
 * Crop placement against REAL labels with permuted/flipped axes (sct_spine t2 is PSR, MONAI
 * anatomical is LAS): the ground-truth window the clicks are simulated on must be the very window the
 * runtime crops from the image (`prepareModelCrop`), voxel for voxel — pasting it back through the
 * runtime's crop affine must give the label exactly. Any flipped or swapped axis breaks these.
 */
import {
  applyAffine,
  axisCodes,
  canonicalWindow,
  invert4,
  multiply4,
  prepareModelCrop,
  readVolume,
  type Vec3,
  type Volume,
} from '@fastsam-xr/volume'
import { describe, expect, it } from 'vitest'
import { sharedData } from '../../../test/support/paths.ts'
import { firstClickCrop, gtCentreCrop } from '../src/crop.ts'
import { Rng } from '../src/rng.ts'
import { labelGeometry, targetWindow } from '../src/targets.ts'

async function pair(dataset: string, c: string): Promise<{ image: Volume; label: Volume }> {
  const [image, label] = await Promise.all([
    readVolume(sharedData('volumes', dataset, `${c}_img.nii.gz`)),
    readVolume(sharedData('volumes', dataset, `${c}_seg.nii.gz`)),
  ])
  return { image, label }
}

const count = (a: ArrayLike<number>): number => {
  let n = 0
  for (let q = 0; q < a.length; q++) n += a[q] ? 1 : 0
  return n
}

// Which mirrored axes each label can detect: MRIcrop has left/right hippocampi and front/back/top
// structures; the cord levels are stacked along S and curve along A (R is symmetric); MONAI's brain
// mask is nearly symmetric top/bottom within its crop.
describe.each([
  ['itksnap', 'MRIcrop', 'LPS', [0, 1, 2]],
  ['sct_spine', 't2_vertlevels', 'PSR', [1, 2]],
  ['monai', 'anatomical', 'LAS', [0, 1]],
])('crop geometry on %s/%s', (dataset, c, codes, flipsThatMatter) => {
  it(`(${codes}) gt-center: GT window = runtime crop, torchio-centred, maps back onto the original label exactly`, async () => {
    const { image, label } = await pair(dataset, c)
    expect(axisCodes(label.affine)).toBe(codes)
    const g = labelGeometry(label, 1.5)
    expect(g.targets.length).toBeGreaterThan(0)
    const t = g.targets[0]
    const crop = gtCentreCrop(g, t, 128)
    const model = prepareModelCrop(image, crop.centreWorldRas)
    expect(model.start).toEqual(crop.start)
    const gt = targetWindow(g, t.value, crop.start, 128)
    expect(count(gt)).toBe(t.voxels) // the whole target fits in 192 mm
    expect(count(gt)).toBeGreaterThan(50)

    // torchio CropOrPad rule: the bounding box centre lands at 64 (rounded down for odd extents).
    const lo = [128, 128, 128]
    const hi = [-1, -1, -1]
    for (let q = 0; q < gt.length; q++)
      if (gt[q]) {
        const p = [Math.floor(q / 16384), Math.floor(q / 128) % 128, q % 128]
        for (let a = 0; a < 3; a++) {
          lo[a] = Math.min(lo[a], p[a])
          hi[a] = Math.max(hi[a], p[a])
        }
      }
    for (let a = 0; a < 3; a++) expect([128, 129]).toContain(lo[a] + hi[a] + 1)

    // Every labelled voxel of the window (all label values, not only the target), carried to world
    // space through the RUNTIME crop's affine, must find the same value on the ORIGINAL label grid
    // (nearest voxel). The window is the label resampled to 1.5 mm (nearest), so a few boundary
    // voxels may differ; a flipped or swapped axis moves left/right, front/back or level structures
    // onto other values. Control: the same check with the window flipped along each axis fails.
    const window = canonicalWindow(g.resampled, crop.start, 128)
    const toLabel = multiply4(invert4(label.affine), model.cropAffine)
    const agreement = (flip: number): number => {
      let same = 0
      let total = 0
      for (let q = 0; q < window.length; q++) {
        if (!window[q]) continue
        const p = [Math.floor(q / 16384), Math.floor(q / 128) % 128, q % 128]
        if (flip >= 0) p[flip] = 128 - p[flip] // mirror about the crop centre (index 64)
        const ijk = applyAffine(toLabel, p as Vec3).map((x) => Math.floor(x + 0.5))
        if (!ijk.every((v, a) => v >= 0 && v < label.dims[a])) continue
        total++
        const [nx, ny] = label.dims
        if (label.data[ijk[0] + nx * (ijk[1] + ny * ijk[2])] === window[q]) same++
      }
      return same / total
    }
    expect(agreement(-1)).toBeGreaterThan(0.99) // measured: exactly 1
    for (const axis of flipsThatMatter) expect(agreement(axis)).toBeLessThan(0.85) // measured: 0.06 to 0.81
  })

  it(`(${codes}) first-click: the crop centre is a voxel of the target in world space`, async () => {
    const { image, label } = await pair(dataset, c)
    const g = labelGeometry(label, 1.5)
    const t = g.targets[0]
    const rng = new Rng(2023, 'geometry')
    for (let n = 0; n < 5; n++) {
      const crop = firstClickCrop(g, t, 128, rng)
      expect(crop.firstClick?.point).toEqual([64, 64, 64])
      const model = prepareModelCrop(image, crop.centreWorldRas)
      expect(model.start).toEqual(crop.start)
      const gt = targetWindow(g, t.value, crop.start, 128)
      expect(gt[64 * 16384 + 64 * 128 + 64]).toBe(1)
      // The click's world point on the ORIGINAL label grid: a labelled voxel (deep inside, so the
      // 1.5 mm resampling cannot move it off the target).
      const world = applyAffine(model.cropAffine, [64, 64, 64])
      const ijk = applyAffine(invert4(label.affine), world).map((x) => Math.round(x))
      const [nx, ny] = label.dims
      expect(label.data[ijk[0] + nx * (ijk[1] + ny * ijk[2])]).toBe(t.value)
    }
  })
})
