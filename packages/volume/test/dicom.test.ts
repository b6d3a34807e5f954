/**
 * The real DICOM CT series (JPEG 2000) against its published segmentation in WORLD space, against
 * nibabel's view of the same scan exported as NIfTI, and independent of file order.
 */
import { readdirSync, readFileSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sharedData } from '@fastsam-xr/test/paths'
import { applyAffine, invert4, multiply4, readDicomSeries, readVolume, type Volume } from '../src/index.ts'
import { readDicomSlice } from '../src/dicomSlice.ts'
import { slicePixels } from '../src/dicomPixels.ts'
import { toNative } from './dicomEdit.ts'
import { at, fixtures } from './support.ts'

const seriesDir = sharedData('dicom', 'totalsegmentator_example_ct_series')
const files = readdirSync(seriesDir).sort()
const labelNames = (
  JSON.parse(readFileSync(sharedData('dicom', 'totalsegmentator_labels.json'), 'utf8')) as {
    total: Record<string, string>
  }
).total
const labelOf = (name: string) => Number(Object.entries(labelNames).find(([, n]) => n === name)![0])

let ct: Volume
let seg: Volume
const tmp = mkdtempSync(join(tmpdir(), 'fxr-dicom-'))
beforeAll(async () => {
  ct = await readVolume(seriesDir)
  seg = await readVolume(sharedData('dicom', 'totalsegmentator_example_ct_series_seg.nii.gz'))
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

/**
 * Median HU of each label's voxels: seg voxel → world (seg affine) → CT voxel (inverse CT affine).
 * `flipSegAxis` reads the label array with one axis reversed (what a naive slice stack does).
 */
function medianHuByLabel(flipSegAxis?: 0 | 1 | 2): Map<number, number> {
  const M = multiply4(invert4(ct.affine), seg.affine)
  const [nx, ny, nz] = seg.dims
  const values = new Map<number, number[]>()
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const s = [i, j, k]
        if (flipSegAxis !== undefined) s[flipSegAxis] = seg.dims[flipSegAxis] - 1 - s[flipSegAxis]
        const label = at(seg.data, seg.dims, s[0], s[1], s[2])
        if (!label) continue
        const p = applyAffine(M, [i, j, k]).map(Math.round)
        if (p.some((x, a) => x < 0 || x >= ct.dims[a])) continue
        let list = values.get(label)
        if (!list) values.set(label, (list = []))
        list.push(at(ct.data, ct.dims, p[0], p[1], p[2]))
      }
  const medians = new Map<number, number>()
  for (const [label, list] of values) {
    list.sort((a, b) => a - b)
    medians.set(label, list[list.length >> 1])
  }
  return medians
}

/** Dice between "bone label" (vertebrae, ribs, humeri, costal cartilage...) and "HU > 200" over the CT. */
function boneDice(flipSegAxis?: 0 | 1 | 2): number {
  const bone = new Set(
    Object.entries(labelNames)
      .filter(([, n]) => /vertebra|rib_|humerus|scapula|clavicul|sternum|costal|hip|sacrum|femur/.test(n))
      .map(([l]) => Number(l)),
  )
  const M = multiply4(invert4(ct.affine), seg.affine)
  const [nx, ny, nz] = seg.dims
  let a = 0
  let b = 0
  let both = 0
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const s = [i, j, k]
        if (flipSegAxis !== undefined) s[flipSegAxis] = seg.dims[flipSegAxis] - 1 - s[flipSegAxis]
        const p = applyAffine(M, [i, j, k]).map(Math.round)
        if (p.some((x, q) => x < 0 || x >= ct.dims[q])) continue
        const boneLabel = bone.has(at(seg.data, seg.dims, s[0], s[1], s[2]))
        const boneHu = at(ct.data, ct.dims, p[0], p[1], p[2]) > 200
        if (boneLabel) a++
        if (boneHu) b++
        if (boneLabel && boneHu) both++
      }
  return (2 * both) / (a + b)
}

/** Anatomy checks: soft tissue 0..120 HU (contrast-enhanced liver ~90), muscle 0..100 HU, bone > 150 HU. */
const CHECKS: { name: string; lo: number; hi: number }[] = [
  { name: 'liver', lo: 0, hi: 120 },
  { name: 'spleen', lo: 0, hi: 120 },
  { name: 'autochthon_left', lo: 0, hi: 100 },
  { name: 'autochthon_right', lo: 0, hi: 100 },
  { name: 'vertebrae_T12', lo: 150, hi: 2000 },
  { name: 'vertebrae_T11', lo: 150, hi: 2000 },
  { name: 'humerus_left', lo: 150, hi: 2000 },
  { name: 'humerus_right', lo: 150, hi: 2000 },
]

function passing(medians: Map<number, number>): string[] {
  return CHECKS.filter((c) => {
    const m = medians.get(labelOf(c.name))
    return m !== undefined && m >= c.lo && m <= c.hi
  }).map((c) => c.name)
}

describe('DICOM series', () => {
  it('has the geometry of the scan: 512×512×20, 0.977×0.977×2 mm, LPS→RAS, int16 HU', () => {
    expect(ct.dims).toEqual([512, 512, 20])
    expect(ct.dtype).toBe('int16')
    expect(ct.meta.modality).toBe('CT')
    expect(ct.meta.units).toBe('HU')
    // RAS: x and y of the LPS positions negated; slices ascend in z from the lowest ImagePositionPatient.
    expect(Array.from(ct.affine)).toEqual([
      -0.9765625, 0, 0, 249.51171875, 0, -0.9765625, 0, 437.51171875, 0, 0, 2, -804.5, 0, 0, 0, 1,
    ])
    expect(JSON.stringify(ct.meta)).not.toMatch(/PatientName|PatientID|\^/)
  })

  it('equals nibabel’s view of the same scan exported as NIfTI (affine, checksums, sampled voxels)', () => {
    const ref = (
      JSON.parse(readFileSync(join(fixtures, 'nibabel.json'), 'utf8')) as {
        real: Record<
          string,
          {
            affine: number[][]
            sum: number
            sumsq: number
            samples: { ijk: [number, number, number]; value: number }[]
          }
        >
      }
    ).real['volumes/totalsegmentator/example_ct_dicom_img.nii.gz']
    expect(Array.from(ct.affine)).toEqual(ref.affine.flat())
    let sum = 0
    let sumsq = 0
    for (let q = 0; q < ct.data.length; q++) {
      sum += ct.data[q]
      sumsq += ct.data[q] * ct.data[q]
    }
    expect(sum).toBe(ref.sum)
    expect(sumsq).toBe(ref.sumsq)
    for (const s of ref.samples) expect(at(ct.data, ct.dims, ...s.ijk)).toBe(s.value)
  })

  it('overlays its published segmentation in world space: organs on soft-tissue HU, bones on bone HU', () => {
    const medians = medianHuByLabel()
    expect(passing(medians)).toEqual(CHECKS.map((c) => c.name))
  })

  it('a deliberately flipped in-plane axis fails the same overlay test', () => {
    for (const axis of [0, 1] as const) {
      const ok = passing(medianHuByLabel(axis))
      expect(ok.length, `axis ${axis} flipped still passes ${ok.join(', ')}`).toBeLessThanOrEqual(
        CHECKS.length / 2,
      )
    }
  })

  it('bone labels coincide with bone HU voxel by voxel, and much less with any axis flipped (slices included)', () => {
    const right = boneDice()
    expect(right).toBeGreaterThan(0.4)
    // 20 slices of 2 mm look alike in their medians; voxel-wise the ribs and vertebrae give the flip away.
    for (const axis of [0, 1, 2] as const)
      expect(boneDice(axis), `axis ${axis} flipped`).toBeLessThan(0.6 * right)
  })

  it('slice order does not depend on file order or names', async () => {
    const shuffled = [...files]
    let seed = 12345
    for (let q = shuffled.length - 1; q > 0; q--) {
      seed = (seed * 1103515245 + 12345) % 2147483648
      const r = seed % (q + 1)
      ;[shuffled[q], shuffled[r]] = [shuffled[r], shuffled[q]]
    }
    expect(shuffled).not.toEqual(files)
    const fromList = await readDicomSeries(shuffled.map((f) => readFileSync(join(seriesDir, f))))
    expect(Array.from(fromList.affine)).toEqual(Array.from(ct.affine))
    expect(Buffer.from(fromList.data.buffer).equals(Buffer.from(ct.data.buffer))).toBe(true)
    // Names that sort in reverse slice order.
    const renamed = join(tmp, 'renamed')
    mkdirSync(renamed)
    files.forEach((f, q) =>
      writeFileSync(
        join(renamed, `IMG${String(999 - q).padStart(4, '0')}.dcm`),
        readFileSync(join(seriesDir, f)),
      ),
    )
    const fromDir = await readVolume(renamed)
    expect(Buffer.from(fromDir.data.buffer).equals(Buffer.from(ct.data.buffer))).toBe(true)
  })

  it('reads the same series stored uncompressed (Explicit VR Little Endian)', async () => {
    const native = join(tmp, 'native')
    mkdirSync(native)
    for (const f of files) {
      const bytes = readFileSync(join(seriesDir, f))
      const r = readDicomSlice(bytes, f)
      if (r.kind !== 'slice') throw new Error(r.reason)
      const px = await slicePixels(r.slice)
      writeFileSync(join(native, f), toNative(bytes, new Uint8Array(px.buffer, px.byteOffset, px.byteLength)))
    }
    const v = await readVolume(native)
    expect(v.meta.description).toContain('Explicit VR Little Endian')
    expect(Array.from(v.affine)).toEqual(Array.from(ct.affine))
    expect(Buffer.from(v.data.buffer).equals(Buffer.from(ct.data.buffer))).toBe(true)
  })
})
