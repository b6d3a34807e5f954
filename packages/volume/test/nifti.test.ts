/**
 * Our NIfTI reader against nibabel (the field's reference reader) on real shared volumes and on
 * variants of a real file (byte order, NIfTI-2, qform-only, pixdim-only, scaling, every datatype, 4D).
 * nibabel's numbers live in test/fixtures/volume/nibabel.json (scripts/fixtures-nibabel.py).
 */
import { readFileSync } from 'node:fs'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { gzipSync } from 'node:zlib'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { sharedData } from '@fastsam-xr/test/paths'
import { readNifti, readVolume, writeNifti, type Volume } from '../src/index.ts'
import { fixtures, python, at } from './support.ts'

interface NibabelView {
  shape: [number, number, number]
  affine: number[][]
  dtype: string
  sum: number
  sumsq: number
  min: number
  max: number
  samples: { ijk: [number, number, number]; value: number }[]
}
const reference = JSON.parse(readFileSync(join(fixtures, 'nibabel.json'), 'utf8')) as {
  real: Record<string, NibabelView>
  variants: Record<string, NibabelView>
}

/** nibabel dtype string → ours (nibabel returns float64 for scaled ints; we return float32). */
function expectedDtype(name: string, nib: string): string {
  if (name.includes('scaled')) return 'float32'
  return { '>i2': 'int16', '>f8': 'float64' }[nib] ?? nib
}

function checkAgainst(v: Volume, ref: NibabelView, name: string) {
  expect(v.dims).toEqual(ref.shape)
  for (let r = 0; r < 4; r++)
    for (let c = 0; c < 4; c++)
      expect(v.affine[4 * r + c], `${name} affine[${r}][${c}]`).toBeCloseTo(ref.affine[r][c], 6)
  expect(v.dtype).toBe(expectedDtype(name, ref.dtype))
  let sum = 0
  let sumsq = 0
  let min = Infinity
  let max = -Infinity
  for (let q = 0; q < v.data.length; q++) {
    const x = v.data[q]
    sum += x
    sumsq += x * x
    if (x < min) min = x
    if (x > max) max = x
  }
  const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(b))
  expect(rel(sum, ref.sum), `${name} sum ${sum} vs ${ref.sum}`).toBeLessThan(1e-9)
  expect(rel(sumsq, ref.sumsq), `${name} sumsq`).toBeLessThan(1e-9)
  expect(min).toBe(ref.min)
  expect(max).toBe(ref.max)
  for (const s of ref.samples) expect(at(v.data, v.dims, ...s.ijk), `${name} voxel ${s.ijk}`).toBe(s.value)
}

describe('NIfTI reader agrees with nibabel', () => {
  for (const [rel, ref] of Object.entries(reference.real))
    it(`real volume ${rel}`, async () => {
      checkAgainst(await readVolume(sharedData(...rel.split('/'))), ref, rel)
    })
  for (const [name, ref] of Object.entries(reference.variants))
    it(`variant ${name}`, async () => {
      const v = await readVolume(join(fixtures, name))
      checkAgainst(v, ref, name)
      if (name.includes('qform_only')) expect(v.meta.description).toContain('qform')
      if (name.includes('pixdim_only')) expect(v.meta.description).toContain('pixdim')
      if (name.includes('4d')) expect(v.meta.description).toContain('first of 3 frames')
    })

  it('the big-endian, NIfTI-2 and little-endian copies of one file hold the same voxels', async () => {
    const le = await readVolume(join(fixtures, 'mt1_le.nii'))
    for (const name of ['mt1_be.nii', 'mt1_nifti2.nii.gz', 'mt1_nifti2_be_f64.nii']) {
      const v = await readVolume(join(fixtures, name))
      expect(Array.from(v.data)).toEqual(Array.from(le.data))
      expect(Array.from(v.affine)).toEqual(Array.from(le.affine))
    }
  })

  it('reads the first frame of a long 4D series without inflating every frame (streaming path)', async () => {
    // The real mt1 frame followed by 6000 more frames (96 MB): more than the reader inflates in one go.
    const raw = new Uint8Array(readFileSync(join(fixtures, 'mt1_le.nii')))
    const dv = new DataView(raw.buffer, raw.byteOffset)
    dv.setInt16(40, 4, true)
    dv.setInt16(48, 6001, true)
    const file = gzipSync(Buffer.concat([raw, Buffer.alloc(6000 * 16000)]), { level: 1 })
    const v = readNifti(file)
    const first = await readVolume(join(fixtures, 'mt1_le.nii'))
    expect(v.dims).toEqual(first.dims)
    expect(Array.from(v.data)).toEqual(Array.from(first.data))
    expect(v.meta.description).toContain('first of 6001 frames')
  })

  it('reads from a buffer as from a file', async () => {
    const path = sharedData('volumes', 'sct_spine', 't2_img.nii.gz')
    const a = readNifti(readFileSync(path))
    const b = await readVolume(path)
    expect(a.dims).toEqual(b.dims)
    expect(Array.from(a.data.subarray(0, 5000))).toEqual(Array.from(b.data.subarray(0, 5000)))
  })
})

describe('writeNifti', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fxr-volume-write-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('writes a uint8 mask with the source affine that nibabel reads back (sform and qform) and we read back', async () => {
    // An oblique source with qfac −1: the hardest case for the qform.
    const src = await readVolume(join(fixtures, 'mt1_qform_only.nii.gz'))
    const mask = new Uint8Array(src.data.length)
    for (let q = 0; q < mask.length; q++) mask[q] = src.data[q] > 500 ? 1 : 0
    const path = join(dir, 'mask.nii.gz')
    await writeNifti({ data: mask, dims: src.dims, affine: src.affine, dtype: 'uint8', meta: {} }, path)
    const back = await readVolume(path)
    expect(back.dtype).toBe('uint8')
    expect(back.dims).toEqual(src.dims)
    expect(Array.from(back.data)).toEqual(Array.from(mask))
    for (let q = 0; q < 16; q++) expect(back.affine[q]).toBeCloseTo(src.affine[q], 5)
    const out = python([
      '-c',
      `import nibabel as nib, numpy as np, json
img = nib.load(${JSON.stringify(path)})
print(json.dumps({'sform': img.get_sform().tolist(), 'qform': img.get_qform().tolist(), 'shape': list(img.shape),
  'sum': int(np.asanyarray(img.dataobj).sum()), 'dtype': str(img.get_data_dtype()),
  'codes': [int(img.header['sform_code']), int(img.header['qform_code'])]}))`,
    ])
    const nib = JSON.parse(out) as {
      sform: number[][]
      qform: number[][]
      shape: number[]
      sum: number
      dtype: string
      codes: number[]
    }
    expect(nib.shape).toEqual(src.dims)
    expect(nib.dtype).toBe('uint8')
    expect(nib.sum).toBe(mask.reduce((a, b) => a + b, 0))
    expect(nib.codes).toEqual([2, 1])
    for (let r = 0; r < 4; r++)
      for (let c = 0; c < 4; c++) {
        expect(nib.sform[r][c]).toBeCloseTo(src.affine[4 * r + c], 5)
        expect(nib.qform[r][c]).toBeCloseTo(src.affine[4 * r + c], 4)
      }
  })
})
