/**
 * Model-space preparation (spec §8.1) on real volumes: the direct windowed crop equals the whole-volume
 * pipeline, both equal models/preprocess.py (scipy + nibabel), canonical axes agree with nibabel, the
 * single-voxel rule, z-normalisation statistics, and the resample → crop → paste-back round trip.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { maskBoundingBox } from '@fastsam-xr/geometry'
import { sharedData } from '@fastsam-xr/test/paths'
import {
  applyAffine,
  axisCodes,
  canonicalWindow,
  cropOrPad,
  invert4,
  pasteCropMask,
  prepareModelCrop,
  readVolume,
  resample,
  sampleMaskInCrop,
  toCanonical,
  toModelOrder,
  torchioCropStart,
  worldToCropIndex,
  zNormalise,
  type Vec3,
  type Volume,
} from '../src/index.ts'
import { at, maxAbsDiff, python } from './support.ts'

const tmp = mkdtempSync(join(tmpdir(), 'fxr-prep-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const CT = sharedData('volumes', 'totalsegmentator', 'example_ct_img.nii.gz')
const CT_SEG = sharedData('volumes', 'totalsegmentator', 'example_ct_seg.nii.gz')
const T2 = sharedData('volumes', 'sct_spine', 't2_img.nii.gz') // PSR: axes permuted
const BRAIN = sharedData('volumes', 'brats2013_deepmedic', 'pat0001_t1c_img.nii.gz') // LPS float32

/** World position of the centre of the voxels > 0 of a label volume (mean of their world coordinates). */
function labelCentroid(v: Volume, label: number): Vec3 {
  const s = [0, 0, 0]
  let n = 0
  const [nx, ny, nz] = v.dims
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++)
        if (v.data[i + nx * (j + ny * k)] === label) {
          s[0] += i
          s[1] += j
          s[2] += k
          n++
        }
  return applyAffine(v.affine, [s[0] / n, s[1] / n, s[2] / n])
}

function readF32(path: string): Float32Array {
  const b = readFileSync(path)
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength))
}

describe('model crop', () => {
  it('canonical axes agree with nibabel (aff2axcodes before, RAS after, same world positions)', async () => {
    const expected: [string, string][] = [
      [CT, 'RAS'],
      [T2, 'PSR'],
      [BRAIN, 'LPS'],
      [sharedData('dicom', 'totalsegmentator_example_ct_series_seg.nii.gz'), 'LAS'],
    ]
    for (const [path, codes] of expected) {
      const v = await readVolume(path)
      expect(axisCodes(v.affine)).toBe(codes)
      const c = toCanonical(v)
      expect(axisCodes(c.affine)).toBe('RAS')
      // Same voxel values at the same world points.
      const back = invert4(v.affine)
      for (const ijk of [
        [0, 0, 0],
        [c.dims[0] - 1, 1, 2],
        [3, c.dims[1] - 2, c.dims[2] - 1],
      ] as Vec3[]) {
        const o = applyAffine(back, applyAffine(c.affine, ijk)).map(Math.round) as Vec3
        expect(at(c.data, c.dims, ...ijk)).toBe(at(v.data, v.dims, ...o))
      }
    }
  })

  it('resample follows the torchio size and origin rules', async () => {
    const ct = await readVolume(CT)
    const r = resample(ct, 1.5)
    expect(r.dims).toEqual([244, 202, 224])
    // New voxel 0 sits at old continuous index 0.5·(1.5/3 − 1) = −0.25 on every axis.
    expect(applyAffine(invert4(ct.affine), applyAffine(r.affine, [0, 0, 0]))).toEqual(
      [-0.25, -0.25, -0.25].map((x) => expect.closeTo(x, 9)),
    )
    const dicomSeg = await readVolume(sharedData('dicom', 'totalsegmentator_example_ct_series_seg.nii.gz'))
    expect(resample(dicomSeg, 1.5, 'nearest').dims).toEqual([334, 334, 27]) // ceil(512·0.9765625/1.5), ceil(20·2/1.5)
  })

  it('the windowed crop equals resample → toCanonical → cropOrPad → z-norm on the whole volume', async () => {
    for (const path of [T2, CT]) {
      const v = await readVolume(path)
      const point = applyAffine(v.affine, [v.dims[0] * 0.4, v.dims[1] * 0.55, v.dims[2] * 0.5])
      const crop = prepareModelCrop(v, point)
      const canon = toCanonical(resample(v, 1.5))
      const window = cropOrPad(canon, crop.start, 128)
      const input = toModelOrder(window.data, 128)
      // Reading the window through the axis flips gives the same voxels as reorienting first.
      expect(Array.from(canonicalWindow(resample(v, 1.5), crop.start, 128))).toEqual(Array.from(input))
      const stats = zNormalise(input)
      expect(stats.count).toBe(crop.stats.count)
      expect(maxAbsDiff(input, crop.input)).toBeLessThan(1e-5)
      expect(Array.from(window.affine)).toEqual(Array.from(crop.cropAffine))
    }
  })

  it('matches models/preprocess.py (scipy + nibabel) on real volumes to 1e-4', async () => {
    for (const [path, frac] of [
      [CT, [0.5, 0.5, 0.5]],
      [T2, [0.3, 0.6, 0.5]],
      [BRAIN, [0.45, 0.5, 0.4]],
    ] as [string, Vec3][]) {
      const v = await readVolume(path)
      // + 0.1234 voxel: keep clear of exact half-voxel ties, where rounding in either inversion could flip.
      const point = applyAffine(v.affine, [
        v.dims[0] * frac[0] + 0.1234,
        v.dims[1] * frac[1] + 0.1234,
        v.dims[2] * frac[2] + 0.1234,
      ])
      const crop = prepareModelCrop(v, point)
      const out = join(tmp, 'crop.npz')
      python(['-m', 'models.preprocess', path, '--point', ...point.map(String), '--out', out])
      const meta = JSON.parse(
        python([
          '-c',
          `import numpy as np, json; d = np.load(${JSON.stringify(out)})
d['input'].astype('<f4').tofile(${JSON.stringify(join(tmp, 'input.f32'))})
print(json.dumps({'start': d['start'].tolist(), 'affine': d['crop_affine'].tolist(), 'stats': d['stats'].tolist()}))`,
        ]),
      ) as { start: number[]; affine: number[][]; stats: number[] }
      expect(crop.start).toEqual(meta.start)
      for (let q = 0; q < 16; q++) expect(crop.cropAffine[q]).toBeCloseTo(meta.affine[q >> 2][q & 3], 9)
      expect(crop.stats.count).toBe(meta.stats[2])
      expect(crop.stats.mean).toBeCloseTo(meta.stats[0], 6)
      expect(maxAbsDiff(crop.input, readF32(join(tmp, 'input.f32')))).toBeLessThan(1e-4)
    }
  })

  it('nearest resampling of a label map matches models/preprocess.py exactly', async () => {
    const seg = await readVolume(CT_SEG)
    const ours = resample(seg, 1.5, 'nearest')
    const raw = join(tmp, 'seg.u8')
    const shape = JSON.parse(
      python([
        '-c',
        `from models.preprocess import load, resample; import numpy as np, json
d, a = load(${JSON.stringify(CT_SEG)}); r, ra = resample(d, a, 1.5, order=0)
r.astype(np.uint8).transpose(2, 1, 0).tofile(${JSON.stringify(raw)})  # i fastest, as a Volume
print(json.dumps(list(r.shape)))`,
      ]),
    )
    expect(ours.dims).toEqual(shape)
    expect(Buffer.from(ours.data.buffer).equals(readFileSync(raw))).toBe(true)
  })

  it('the voxel nearest the point lands at crop index 64; torchio’s single-voxel rule gives the same window', async () => {
    const v = await readVolume(T2)
    const c0 = prepareModelCrop(v, applyAffine(v.affine, [20, 30, 25]))
    // The world centre of canonical voxel p lands exactly on 64.
    const p: Vec3 = [c0.start[0] + 70, c0.start[1] + 50, c0.start[2] + 64]
    const centre = applyAffine(c0.cropAffine, [p[0] - c0.start[0], p[1] - c0.start[1], p[2] - c0.start[2]])
    const crop = prepareModelCrop(v, centre)
    expect(worldToCropIndex(crop, centre).map((x) => Math.round(x * 1e9) / 1e9)).toEqual([64, 64, 64])
    expect(crop.start).toEqual([p[0] - 64, p[1] - 64, p[2] - 64])
    // torchio CropOrPad on a single-voxel mask at p: window [p − 64, p + 64).
    expect(torchioCropStart(p, [p[0] + 1, p[1] + 1, p[2] + 1], 128)).toEqual(crop.start)
    // A point 0.4 voxel off still picks the same voxel.
    const off = applyAffine(c0.cropAffine, [
      p[0] - c0.start[0] + 0.4,
      p[1] - c0.start[1] - 0.4,
      p[2] - c0.start[2] + 0.2,
    ])
    expect(prepareModelCrop(v, off).start).toEqual(crop.start)
  })

  it('z-normalises over the crop’s voxels > 0 with the unbiased std', async () => {
    const v = await readVolume(CT)
    const crop = prepareModelCrop(v, labelCentroid(await readVolume(CT_SEG), 5))
    const { mean, std, count } = crop.stats
    let n = 0
    let s = 0
    let ss = 0
    for (const x of crop.input) {
      if (x * std + mean > 0) {
        n++
        s += x
        ss += x * x
      }
    }
    expect(n).toBe(count)
    expect(s / n).toBeCloseTo(0, 5)
    expect(Math.sqrt((ss - (s * s) / n) / (n - 1))).toBeCloseTo(1, 5)
    expect(count).toBeGreaterThan(100_000)
  })

  it('resample (nearest) → canonical → crop → paste-back returns the original label where the crop covers it', async () => {
    const seg = await readVolume(CT_SEG)
    const ct = await readVolume(CT)
    for (const label of [5, 1]) {
      // liver, spleen
      const crop = prepareModelCrop(ct, labelCentroid(seg, label))
      // The model-space mask: the label resampled with nearest and cut with the crop's window.
      const canonSeg = toCanonical(resample(seg, 1.5, 'nearest'))
      const window = cropOrPad(canonSeg, crop.start, 128)
      const mask = new Uint8Array(128 ** 3)
      toModelOrder(window.data, 128).forEach((x, q) => (mask[q] = x === label ? 1 : 0))
      const into = new Uint8Array(seg.data.length).fill(7)
      const pasted = pasteCropMask(mask, crop, seg, into)
      expect(pasted).toBe(into)
      // 3 mm voxel centres fall exactly on 1.5 mm crop voxel borders, so the crop's own border is a
      // rounding tie: voxels within 1e-6 of it may go either way (written or kept), all others may not.
      const back = invert4(crop.cropAffine)
      let covered = 0
      let labelled = 0
      let coveredLabelled = 0
      let wrong = 0
      const [nx, ny, nz] = seg.dims
      const eps = 1e-6
      for (let k = 0; k < nz; k++)
        for (let j = 0; j < ny; j++)
          for (let i = 0; i < nx; i++) {
            const q = i + nx * (j + ny * k)
            const truth = seg.data[q] === label ? 1 : 0
            labelled += truth
            const c = applyAffine(back, applyAffine(seg.affine, [i, j, k]))
            if (c.every((x) => x >= -0.5 + eps && x < 127.5 - eps)) {
              covered++
              coveredLabelled += truth
              if (pasted[q] !== truth) wrong++
            } else if (c.every((x) => x >= -0.5 - eps && x < 127.5 + eps)) {
              if (pasted[q] !== truth && pasted[q] !== 7) wrong++
            } else if (pasted[q] !== 7) wrong++
          }
      expect(wrong, `label ${label}`).toBe(0)
      expect(coveredLabelled / labelled).toBeGreaterThan(0.9)
      expect(covered).toBeGreaterThan(100_000) // 64×64×45 voxels of 3 mm at most here
    }
  })

  it('sampleMaskInCrop reads a volume-grid mask in the crop exactly as the label resampled to the crop (real CT, liver and spleen)', async () => {
    const seg = await readVolume(CT_SEG)
    const ct = await readVolume(CT)
    const canonSeg = toCanonical(resample(seg, 1.5, 'nearest'))
    for (const label of [5, 1]) {
      const crop = prepareModelCrop(ct, labelCentroid(seg, label))
      const expected = new Uint8Array(128 ** 3)
      toModelOrder(cropOrPad(canonSeg, crop.start, 128).data, 128).forEach(
        (x, q) => (expected[q] = +(x === label)),
      )
      const volumeMask = new Uint8Array(seg.data.length)
      seg.data.forEach((x, q) => (volumeMask[q] = +(x === label)))
      const sampled = sampleMaskInCrop(volumeMask, seg, crop)
      let inside = 0
      let differ = 0
      for (let q = 0; q < expected.length; q++) {
        inside += expected[q]
        if (sampled[q] !== expected[q]) differ++
      }
      expect(inside, `label ${label}`).toBeGreaterThan(10_000)
      expect(differ, `label ${label}`).toBe(0)
      // an axis flipped (the crop read mirrored along a0) would not match
      const flipped = { ...crop, cropAffine: crop.cropAffine.slice() as typeof crop.cropAffine }
      for (const r of [0, 4, 8]) {
        flipped.cropAffine[r + 3] += 127 * flipped.cropAffine[r]
        flipped.cropAffine[r] = -flipped.cropAffine[r]
      }
      const mirrored = sampleMaskInCrop(volumeMask, seg, flipped)
      let mismatch = 0
      for (let q = 0; q < expected.length; q++) if (mirrored[q] !== expected[q]) mismatch++
      expect(mismatch, `label ${label} mirrored`).toBeGreaterThan(1000)
    }
  })

  it('round trip on a sub-millimetre grid (DICOM seg, 0.98 mm → 1.5 mm → back) keeps Dice > 0.9', async () => {
    const seg = await readVolume(sharedData('dicom', 'totalsegmentator_example_ct_series_seg.nii.gz'))
    const label = 1 // spleen
    const canon = toCanonical(resample(seg, 1.5, 'nearest'))
    const inside = Uint8Array.from(canon.data, (x) => +(x === label))
    const box = maskBoundingBox(inside, canon.dims)!
    const maxExclusive = box.origin.map((o, a) => o + box.size[a]) as Vec3
    const start = torchioCropStart(box.origin, maxExclusive, 128)
    const window = cropOrPad(canon, start, 128)
    const mask = new Uint8Array(128 ** 3)
    toModelOrder(window.data, 128).forEach((x, q) => (mask[q] = x === label ? 1 : 0))
    const cropAffine = window.affine
    const pasted = pasteCropMask(mask, { size: 128, cropAffine }, seg)
    let a = 0
    let b = 0
    let both = 0
    for (let q = 0; q < seg.data.length; q++) {
      const t = seg.data[q] === label ? 1 : 0
      a += t
      b += pasted[q]
      both += t & pasted[q]
    }
    expect((2 * both) / (a + b)).toBeGreaterThan(0.9)
  })
})
