/**
 * A real evaluation through the runtime on two small shared pairs (MONAI anatomical, LAS, and its
 * reoriented/moved copy) with the golden-weight export. The golden model segments noise, so only the
 * machinery is asserted: the report's structure, the crop rule, the click sequence, and that the loop
 * is the spec §8.3 one — replayed by hand through the Segmenter API (newest click alone + previous
 * low-res logits) it gives the same Dice.
 */
import { Segmenter, upsampleThreshold } from '@fastsam-xr/runtime'
import { applyAffine, readVolume, writeNifti, type Vec3, type Volume } from '@fastsam-xr/volume'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { goldenModelDir } from '../../../test/support/goldenModel.ts'
import { sharedData } from '../../../test/support/paths.ts'
import { nextClick, type Click } from '../src/clicks.ts'
import { gtCentreCrop } from '../src/crop.ts'
import { dice } from '../src/dice.ts'
import { evaluatePairs } from '../src/evaluate.ts'
import { findPairs } from '../src/pairs.ts'
import type { EvalReport } from '../src/report.ts'
import { Rng } from '../src/rng.ts'
import { labelGeometry, targetWindow } from '../src/targets.ts'

let seg: Segmenter
const pairs = findPairs(sharedData('volumes', 'monai'))
let report: EvalReport

beforeAll(async () => {
  seg = await Segmenter.load(await goldenModelDir('fastsam3d'), { cacheBytes: 0 })
  report = await evaluatePairs(seg, pairs, {
    clicks: [1, 2, 5],
    crop: 'gt-center',
    seed: 2023,
    minVoxels: 10,
  })
})

afterAll(async () => {
  await seg?.release()
})

describe('evaluatePairs (golden model, monai pairs)', () => {
  it('reports every target with per-click Dice in the crop and on the whole volume, and the baseline', () => {
    expect(report.clicks).toEqual([1, 2, 5])
    expect(report.skipped).toEqual([])
    expect(report.cases.map((c) => [c.case, c.label, c.labelName])).toEqual([
      ['monai/anatomical', 1, 'mask'],
      ['monai/reoriented_anat_moved', 1, 'mask'],
    ])
    for (const c of report.cases) {
      expect(c.dicePerClick).toHaveLength(5)
      expect(c.diceWholePerClick).toHaveLength(5)
      for (const d of [...c.dicePerClick, ...c.diceWholePerClick]) expect(d >= 0 && d <= 1).toBe(true)
      expect(Object.keys(c.dice)).toEqual(['1', '2', '5'])
      expect(c.dice['5']).toBe(c.dicePerClick[4])
      expect(c.voxelsInCrop).toBe(c.voxels) // small brains fit in 192 mm
      expect(c.clicks[0]).toMatchObject({ positive: true, method: 'ritm' })
      expect(c.clicks.map((k) => k.method)).toEqual(['ritm', 'ritm', 'random', 'random', 'random'])
      for (const k of c.clicks)
        expect(k.point.every((v) => Number.isInteger(v) && v >= 0 && v < 128)).toBe(true)
      // the baseline starts from the very same click
      expect(c.baseline!.clicks[0]).toEqual(c.clicks[0])
      expect(Object.keys(c.baseline!.dice)).toEqual(['1', '2', '5'])
    }
    const mean1 = (report.cases[0].dice['1']! + report.cases[1].dice['1']!) / 2
    expect(report.mean['1']).toBeCloseTo(mean1, 12)
    expect(report.protocol).toMatchObject({
      crop: 'gt-center',
      seed: 2023,
      clickThresholdLogit: 0.5,
      cropSize: 128,
    })
    expect(report.caseMeans['monai/anatomical'].targets).toBe(1)
    expect(Object.keys(report.groups)).toEqual(['other'])
    expect(report.groups.other.targets).toBe(2)
    expect(report.groups.other.mean['5']).toBe(report.mean['5'])
  })

  it('the crop is the GT-centred one and the loop is newest click + previous logits (replayed by hand)', async () => {
    const c = report.cases[1]
    const [image, label] = await Promise.all([readVolume(pairs[1].image), readVolume(pairs[1].label)])
    const g = labelGeometry(label, 1.5)
    const crop = gtCentreCrop(g, g.targets[0], 128)
    expect(c.cropStart).toEqual(crop.start)
    const gt = targetWindow(g, 1, crop.start, 128)
    const enc = await seg.encode(image, crop.centreWorldRas)
    let low: Float32Array | undefined
    const dices: number[] = []
    for (const k of c.clicks) {
      const r = await seg.decode(
        enc,
        [{ pointWorldRas: applyAffine(enc.crop.cropAffine, k.point), positive: k.positive }],
        low,
      )
      low = r.lowResLogits
      dices.push(dice(seg.cropMask(low), gt))
    }
    expect(dices).toEqual(c.dicePerClick)
    // the whole-volume Dice: the same mask pasted onto the label's grid
    const whole = seg.toMask(enc, low!, label)
    const truth = Uint8Array.from(label.data as ArrayLike<number>, (v) => +(v === 1))
    expect(dice(whole, truth)).toBe(c.diceWholePerClick[4])
  })

  it('clicks come from the upsampled logits > 0.5 (the official quirk), one random stream per target', async () => {
    const c = report.cases[0]
    const [image, label] = await Promise.all([readVolume(pairs[0].image), readVolume(pairs[0].label)])
    const g = labelGeometry(label, 1.5)
    const crop = gtCentreCrop(g, g.targets[0], 128)
    const gt = targetWindow(g, 1, crop.start, 128)
    const enc = await seg.encode(image, crop.centreWorldRas)
    /** The click sequence regenerated from the target's own stream, at a given click threshold. */
    const replay = async (threshold: number): Promise<Click[]> => {
      const rng = new Rng(2023, 'monai/anatomical#1#model')
      const clicks: Click[] = []
      let low: Float32Array | undefined
      let pred: Uint8Array | null = null
      for (let k = 0; k < 5; k++) {
        const click = nextClick(pred, gt, [128, 128, 128], k, rng)!
        clicks.push(click)
        const pointWorldRas = applyAffine(enc.crop.cropAffine, click.point)
        low = (await seg.decode(enc, [{ pointWorldRas, positive: click.positive }], low)).lowResLogits
        pred = upsampleThreshold(low, 32, 128, threshold)
      }
      return clicks
    }
    expect(await replay(0.5)).toEqual(c.clicks)
    // control: with the served threshold (0) the golden model's noise gives other clicks
    expect(await replay(0)).not.toEqual(c.clicks)
  })

  it('first-click crop: the crop is centred on the first click; small targets are skipped and reported', async () => {
    const r = await evaluatePairs(seg, pairs, {
      clicks: [1, 2],
      crop: 'first-click',
      seed: 7,
      minVoxels: 1000,
    })
    expect(r.skipped).toEqual([
      {
        case: 'monai/anatomical',
        label: 1,
        name: 'mask',
        voxels: 586,
        reason: '586 voxel(s) at 1.5 mm (< 1000)',
      },
    ])
    expect(r.cases).toHaveLength(1)
    expect(r.cases[0].clicks[0]).toEqual({ point: [64, 64, 64], positive: true, method: 'ritm' })
    expect(r.protocol.crop).toBe('first-click')
  })

  it('skips and reports what cannot be evaluated: degenerate crops, mismatched grids, unreadable files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fastsam-eval-skip-'))
    try {
      const affine = Float64Array.from([2, 0, 0, -20, 0, 2, 0, -20, 0, 0, 2, -20, 0, 0, 0, 1])
      const n = 20 * 20 * 20
      const cube = new Uint8Array(n)
      for (let k = 5; k < 15; k++)
        for (let j = 5; j < 15; j++) for (let i = 5; i < 15; i++) cube[i + 20 * (j + 20 * k)] = 1
      const vol = (data: Uint8Array | Int16Array, dims = [20, 20, 20] as Vec3): Volume => ({
        data,
        dims,
        affine,
        dtype: data instanceof Uint8Array ? 'uint8' : 'int16',
        meta: {},
      })
      mkdirSync(join(dir, 'synthetic'))
      // all-zero image: nothing > 0 to z-normalise the crop with
      await writeNifti(vol(new Int16Array(n)), join(dir, 'synthetic', 'blank_img.nii.gz'))
      await writeNifti(vol(cube), join(dir, 'synthetic', 'blank_seg.nii.gz'))
      // label on another grid
      await writeNifti(vol(new Int16Array(n).fill(100)), join(dir, 'synthetic', 'moved_img.nii.gz'))
      await writeNifti(
        vol(new Uint8Array(19 * 20 * 20), [19, 20, 20]),
        join(dir, 'synthetic', 'moved_seg.nii.gz'),
      )
      // not a NIfTI at all
      writeFileSync(join(dir, 'synthetic', 'junk_img.nii.gz'), 'not a volume')
      writeFileSync(join(dir, 'synthetic', 'junk_seg.nii.gz'), 'not a volume')
      const r = await evaluatePairs(seg, findPairs(dir), {
        clicks: [1],
        crop: 'gt-center',
        seed: 1,
        minVoxels: 10,
      })
      expect(r.cases).toEqual([])
      expect(r.skipped.map((s) => [s.case, s.label])).toEqual([
        ['synthetic/blank', 1],
        ['synthetic/junk', null],
        ['synthetic/moved', null],
      ])
      expect(r.skipped[0].reason).toMatch(/cannot z-normalise/)
      expect(r.skipped[1].reason).toMatch(/^unreadable: /)
      expect(r.skipped[2].reason).toMatch(/do not share one grid/)
      expect(r.mean['1']).toBeNull()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('bad options are typed errors', async () => {
    await expect(
      evaluatePairs(seg, pairs, { clicks: [3, 1], crop: 'gt-center', seed: 1, minVoxels: 10 }),
    ).rejects.toMatchObject({ code: 'bad-argument' })
    await expect(
      evaluatePairs(seg, [], { clicks: [1], crop: 'gt-center', seed: 1, minVoxels: 10 }),
    ).rejects.toMatchObject({
      code: 'no-pairs',
    })
  })
})
