/**
 * Bad input gets a typed VolumeError with a clear message — never a crash, a hang, a huge allocation
 * or a silently wrong volume. Every case starts from a real file and breaks one thing.
 */
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { sharedData } from '@fastsam-xr/test/paths'
import {
  pasteCropMask,
  prepareModelCrop,
  readDicomSeries,
  readNifti,
  readVolume,
  VolumeError,
  type ReadOptions,
  type VolumeErrorCode,
} from '../src/index.ts'
import { setString, stripPixelData } from './dicomEdit.ts'
import { fixtures } from './support.ts'

const tmp = mkdtempSync(join(tmpdir(), 'fxr-bad-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

async function expectCode(
  p: Promise<unknown> | (() => unknown),
  code: VolumeErrorCode,
  message?: RegExp,
): Promise<VolumeError> {
  let err: unknown
  try {
    await (typeof p === 'function' ? p() : p)
  } catch (e) {
    err = e
  }
  expect(err, `expected VolumeError ${code}`).toBeInstanceOf(VolumeError)
  const ve = err as VolumeError
  expect(ve.code, ve.message).toBe(code)
  if (message) expect(ve.message).toMatch(message)
  expect(ve.message).not.toContain('\n')
  return ve
}

function write(name: string, bytes: Uint8Array): string {
  const p = join(tmp, name)
  writeFileSync(p, bytes)
  return p
}

const realGz = () => new Uint8Array(readFileSync(sharedData('volumes', 'sct_spine', 't2_img.nii.gz')))
const plain = () => new Uint8Array(readFileSync(join(fixtures, 'mt1_le.nii'))) // real data, uncompressed, LE
const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength)
const readBytes = (b: Uint8Array, opts?: ReadOptions) => () => readNifti(b, opts)

describe('bad NIfTI input', () => {
  it('truncated gzip → TRUNCATED', async () => {
    const b = realGz()
    await expectCode(readVolume(write('cut.nii.gz', b.subarray(0, b.length >> 1))), 'TRUNCATED', /truncated/)
    await expectCode(readBytes(b.subarray(0, 30)), 'TRUNCATED') // cut inside the header
  })

  it('corrupt gzip → BAD_GZIP (header and deflate stream)', async () => {
    const b = realGz()
    b[2] = 7 // compression method must be 8 (deflate)
    await expectCode(readBytes(b), 'BAD_GZIP', /gzip/)
    const c = realGz()
    for (let q = 2000; q < 2400; q++) c[q] ^= 0x5a // garbage in the middle of the stream
    await expectCode(readBytes(c), 'BAD_GZIP')
    const d = realGz()
    d[d.length - 6] ^= 0xff // CRC-32 mismatch
    await expectCode(readBytes(d), 'BAD_GZIP')
  })

  it('truncated uncompressed file → TRUNCATED', async () => {
    const b = plain()
    await expectCode(
      readVolume(write('cut.nii', b.subarray(0, b.length - 100))),
      'TRUNCATED',
      /16000 bytes|bytes present/,
    )
    await expectCode(readBytes(b.subarray(0, 200)), 'TRUNCATED', /header/)
  })

  it('wrong magic / not NIfTI → BAD_MAGIC', async () => {
    const b = plain()
    b.set([0x78, 0x79, 0x7a, 0], 344)
    await expectCode(readBytes(b), 'BAD_MAGIC', /magic/)
    const c = plain()
    dv(c).setInt32(0, 349, true)
    await expectCode(readBytes(c), 'BAD_MAGIC', /sizeof_hdr/)
    await expectCode(readVolume(sharedData('MANIFEST.md')), 'BAD_MAGIC', /neither NIfTI/)
    const pair = plain()
    pair.set([0x6e, 0x69, 0x31, 0], 344) // 'ni1': a .hdr/.img pair header
    await expectCode(readBytes(pair), 'BAD_MAGIC', /pair/)
  })

  it('header dims over the voxel budget → VOXEL_BUDGET before allocating or inflating', async () => {
    // A gzip bomb: the real header claiming 4000³ int16 voxels, followed by 256 MiB of zeros (~260 KB gzipped).
    const header = plain().subarray(0, 352)
    const h = new Uint8Array(header)
    for (const [q, v] of [
      [1, 4000],
      [2, 4000],
      [3, 4000],
    ])
      dv(h).setInt16(40 + 2 * q, v, true)
    const bomb = gzipSync(Buffer.concat([h, Buffer.alloc(256 << 20)]), { level: 1 })
    const before = process.memoryUsage().arrayBuffers
    const t0 = performance.now()
    await expectCode(readBytes(bomb), 'VOXEL_BUDGET', /64000000000 voxels, over the budget of 524288000/)
    const ms = performance.now() - t0
    const grew = process.memoryUsage().arrayBuffers - before
    // ~1 ms in practice; the bound is loose for a loaded CI machine. Memory is the sharper witness:
    // inflating the stream would allocate 256 MiB.
    expect(ms).toBeLessThan(1500)
    expect(grew).toBeLessThan(16 << 20)
    // A configurable budget applies to real files too.
    await expectCode(
      readVolume(sharedData('volumes', 'sct_spine', 't2_img.nii.gz'), { maxVoxels: 100_000 }),
      'VOXEL_BUDGET',
      /171600 voxels/,
    )
  })

  it('NaN/Inf voxels → NON_FINITE by default; nonFinite: "zero" replaces them and reports the count', async () => {
    const gz = readFileSync(join(fixtures, 'mt1_float32.nii.gz'))
    const raw = new Uint8Array(readNifti(gz).data.buffer) // float32 voxels of a real scan
    const b = new Uint8Array(352 + raw.length)
    const src = new Uint8Array((await import('node:zlib')).gunzipSync(gz).subarray(0, 352))
    b.set(src)
    b.set(raw, 352)
    const f = new Float32Array(b.buffer, 352)
    f[10] = NaN
    f[20] = Infinity
    f[30] = -Infinity
    await expectCode(readBytes(b), 'NON_FINITE', /3 NaN\/Inf voxels/)
    const v = readNifti(b, { nonFinite: 'zero' })
    expect(v.meta.nonFiniteReplaced).toBe(3)
    expect([v.data[10], v.data[20], v.data[30]]).toEqual([0, 0, 0])
    expect(v.data[11]).toBe(f[11])
  })

  it('unsupported or invalid header fields → typed errors naming the field', async () => {
    const cases: [string, (b: Uint8Array) => void, VolumeErrorCode, RegExp][] = [
      ['RGB24', (b) => dv(b).setInt16(70, 128, true), 'UNSUPPORTED_DATATYPE', /RGB24/],
      ['int64', (b) => dv(b).setInt16(70, 1024, true), 'UNSUPPORTED_DATATYPE', /int64/],
      ['unknown datatype', (b) => dv(b).setInt16(70, 77, true), 'UNSUPPORTED_DATATYPE', /77/],
      ['dim[0] = 0', (b) => dv(b).setInt16(40, 0, true), 'BAD_HEADER', /dim\[0\]/],
      ['dim[0] = 9', (b) => dv(b).setInt16(40, 9, true), 'BAD_HEADER', /dim\[0\]/],
      ['negative dim', (b) => dv(b).setInt16(44, -5, true), 'BAD_HEADER', /dim\[2\] = -5/],
      [
        'zero sform',
        (b) => {
          for (let q = 0; q < 12; q++) dv(b).setFloat32(280 + 4 * q, 0, true)
        },
        'BAD_HEADER',
        /singular/,
      ],
      ['NaN sform', (b) => dv(b).setFloat32(284, NaN, true), 'BAD_HEADER', /not finite/],
      [
        'slope with NaN intercept',
        (b) => {
          dv(b).setFloat32(112, 2, true)
          dv(b).setFloat32(116, NaN, true)
        },
        'BAD_HEADER',
        /scl_inter/,
      ],
      ['negative vox_offset', (b) => dv(b).setFloat32(108, -4, true), 'BAD_HEADER', /vox_offset/],
      ['vox_offset past the end', (b) => dv(b).setFloat32(108, 1e6, true), 'TRUNCATED', /bytes present/],
    ]
    for (const [name, edit, code, msg] of cases) {
      const b = plain()
      edit(b)
      const e = await expectCode(readBytes(b), code, msg)
      expect(e.message.length, name).toBeGreaterThan(10)
    }
  })

  it('a missing path → NOT_FOUND', async () => {
    await expectCode(readVolume(join(tmp, 'nope.nii.gz')), 'NOT_FOUND', /no such file/)
  })
})

describe('bad DICOM input', () => {
  const seriesDir = sharedData('dicom', 'totalsegmentator_example_ct_series')
  const files = readdirSync(seriesDir).sort()
  const bytes = (f: string) => new Uint8Array(readFileSync(join(seriesDir, f)))
  function folder(name: string, entries: [string, Uint8Array][]): string {
    const d = join(tmp, name)
    mkdirSync(d)
    for (const [f, b] of entries) writeFileSync(join(d, f), b)
    return d
  }

  it('two series in one folder → MIXED_SERIES listing them; seriesInstanceUid picks one', async () => {
    const other = files
      .slice(0, 3)
      .map(
        (f) =>
          [`other-${f}`, setString(bytes(f), 'x0020000e', '1.2.826.0.1.3680043.2.1125.99')] as [
            string,
            Uint8Array,
          ],
      )
    const d = folder('mixed', [...files.map((f) => [f, bytes(f)] as [string, Uint8Array]), ...other])
    await expectCode(
      readVolume(d),
      'MIXED_SERIES',
      /2 series.*\(no UID\) \(20 files\).*1\.2\.826\.0\.1\.3680043\.2\.1125\.99 \(3 files\)/,
    )
    const picked = await readDicomSeries(d, { seriesInstanceUid: '1.2.826.0.1.3680043.2.1125.99' })
    expect(picked.dims).toEqual([512, 512, 3])
  })

  it('a DICOM file that is not an image → NOT_AN_IMAGE (no pixel data; an SR)', async () => {
    await expectCode(
      readVolume(write('nopixels.dcm', stripPixelData(bytes(files[0])))),
      'NOT_AN_IMAGE',
      /no PixelData/,
    )
    await expectCode(
      readVolume(write('sr.dcm', setString(bytes(files[0]), 'x00080060', 'SR'))),
      'NOT_AN_IMAGE',
      /modality SR/,
    )
    // In a folder, non-image and non-DICOM files are skipped and counted, not read as slices.
    const d = folder('withjunk', [
      ...files.map((f) => [f, bytes(f)] as [string, Uint8Array]),
      ['README.txt', new TextEncoder().encode('not dicom')],
      ['sr.dcm', setString(bytes(files[0]), 'x00080060', 'SR')],
    ])
    const v = await readVolume(d)
    expect(v.dims).toEqual([512, 512, 20])
    expect(v.meta.description).toMatch(/2 non-image files skipped/)
  })

  it('an unsupported transfer syntax → UNSUPPORTED_TRANSFER_SYNTAX naming it', async () => {
    const jpeg = setString(bytes(files[0]), 'x00020010', '1.2.840.10008.1.2.4.50')
    await expectCode(
      readVolume(write('jpeg.dcm', jpeg)),
      'UNSUPPORTED_TRANSFER_SYNTAX',
      /1\.2\.840\.10008\.1\.2\.4\.50 \(JPEG Baseline/,
    )
    const rle = setString(bytes(files[0]), 'x00020010', '1.2.840.10008.1.2.5')
    await expectCode(readVolume(write('rle.dcm', rle)), 'UNSUPPORTED_TRANSFER_SYNTAX', /RLE Lossless/)
  })

  it('a missing slice → NON_UNIFORM_SPACING; a repeated slice → DUPLICATE_SLICES', async () => {
    const paths = files.map((f) => join(seriesDir, f))
    await expectCode(
      readDicomSeries([...paths.slice(0, 8), ...paths.slice(9)]),
      'NON_UNIFORM_SPACING',
      /2\.000 to 4\.000 mm/,
    )
    await expectCode(readDicomSeries([...paths, paths[4]]), 'DUPLICATE_SLICES', /share one position/)
  })

  it('slice positions drifting off the normal → GANTRY_TILT', async () => {
    // Shift each slice's x by 0.3 mm per slice along z: a ~8.5° tilt.
    const entries = files.map((f) => {
      const b = bytes(f)
      const ipp = new TextDecoder().decode(b).match(/-?[\d.]+\\-?[\d.]+\\(-?[\d.]+)/)!
      const [x, y, z] = ipp[0].split('\\').map(Number)
      const moved = `${x + 0.3 * ((z + 804.5) / 2)}\\${y}\\${z}`
      return [f, setString(b, 'x00200032', moved)] as [string, Uint8Array]
    })
    await expectCode(readVolume(folder('tilt', entries)), 'GANTRY_TILT', /tilt ≈ 8\.5/)
  })

  it('a series over the voxel budget → VOXEL_BUDGET before any pixel is decoded', async () => {
    // One slice's JPEG 2000 codestream is wiped: decoding it fails, so getting VOXEL_BUDGET proves
    // the budget was checked before decoding.
    const list = files.map((f) => bytes(f))
    list[5].fill(0, list[5].length - 100_000)
    await expectCode(readDicomSeries(list), 'BAD_DICOM', /JPEG 2000/)
    await expectCode(
      readDicomSeries(list, { maxVoxels: 1_000_000 }),
      'VOXEL_BUDGET',
      /512×512×20 has 5242880 voxels/,
    )
  })

  it('a damaged DICOM file is an error, not a silently skipped slice', async () => {
    const d = folder(
      'damaged',
      files.map((f, q) => [f, q === 7 ? bytes(f).subarray(0, 1500) : bytes(f)] as [string, Uint8Array]),
    )
    await expectCode(readVolume(d), 'BAD_DICOM', /corrupt or truncated/)
  })

  it('an empty folder → NOT_FOUND; a folder of non-DICOM files → BAD_DICOM', async () => {
    await expectCode(readVolume(folder('empty', [])), 'NOT_FOUND')
    const d = folder('text', [['a.txt', new TextEncoder().encode('hello')]])
    copyFileSync(sharedData('MANIFEST.md'), join(d, 'MANIFEST.md'))
    await expectCode(readVolume(d), 'BAD_DICOM', /no DICOM image among 2 files/)
  })
})

describe('bad model-crop requests', () => {
  it('a point far outside the volume → DEGENERATE_CROP; a non-finite point → BAD_ARGUMENT', async () => {
    const v = await readVolume(sharedData('volumes', 'sct_spine', 't2_img.nii.gz'))
    await expectCode(() => prepareModelCrop(v, [5000, 5000, 5000]), 'DEGENERATE_CROP', /0 voxel\(s\) > 0/)
    await expectCode(() => prepareModelCrop(v, [NaN, 0, 0]), 'BAD_ARGUMENT', /finite/)
    await expectCode(
      () => pasteCropMask(new Uint8Array(10), prepareModelCrop(v, [0, 0, 0]), v),
      'BAD_ARGUMENT',
      /128³/,
    )
  })
})
