/**
 * One DICOM file → the facts a series needs (geometry, pixel format, rescale) with its pixel data
 * still encoded. Patient identifiers are never read.
 */
import dicomParser, { type DataSet } from 'dicom-parser'
import { VolumeError } from './errors.ts'
import type { Vec3 } from './volume.ts'

export const TRANSFER_SYNTAXES: Record<string, string> = {
  '1.2.840.10008.1.2': 'Implicit VR Little Endian',
  '1.2.840.10008.1.2.1': 'Explicit VR Little Endian',
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian',
  '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR Little Endian',
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline (Process 1)',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended (Process 2 & 4)',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless (Process 14)',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless SV1 (Process 14, Selection Value 1)',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-Lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 Lossless Only',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.4.201': 'HTJ2K Lossless',
  '1.2.840.10008.1.2.4.202': 'HTJ2K Lossless RPCL',
  '1.2.840.10008.1.2.4.203': 'HTJ2K',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
  '1.2.840.10008.1.2.4.100': 'MPEG2 Main Profile',
  '1.2.840.10008.1.2.4.102': 'MPEG-4 AVC/H.264',
}

/** Transfer syntaxes whose pixel data we can read: native (uncompressed) and JPEG 2000. */
export const NATIVE_SYNTAXES = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2'])
export const J2K_SYNTAXES = new Set(['1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.4.91'])

/** SOP classes / modalities that carry no cross-sectional image even when they have pixel data. */
const NON_IMAGE_MODALITIES = new Set([
  'SEG',
  'RTSTRUCT',
  'SR',
  'PR',
  'KO',
  'REG',
  'RTPLAN',
  'RTDOSE',
  'DOC',
  'RWV',
])

export interface DicomSlice {
  name: string
  seriesUid: string
  modality?: string
  units?: string
  transferSyntax: string
  rows: number
  cols: number
  bitsAllocated: number
  bitsStored: number
  signed: boolean
  /** ImagePositionPatient (LPS mm) of the first transmitted voxel. */
  position: Vec3
  /** ImageOrientationPatient: direction of increasing column index, then of increasing row index (LPS). */
  rowCos: Vec3
  colCos: Vec3
  /** PixelSpacing as stored: [spacing between rows, spacing between columns] (mm). */
  pixelSpacing: [number, number]
  sliceThickness?: number
  spacingBetweenSlices?: number
  slope: number
  intercept: number
  dataSet: DataSet
}

export type SliceResult =
  { kind: 'slice'; slice: DicomSlice } | { kind: 'skip'; reason: string; code: 'BAD_DICOM' | 'NOT_AN_IMAGE' }

function numbers(ds: DataSet, tag: string, count: number): number[] | undefined {
  const raw = ds.string(tag)
  if (raw === undefined) return undefined
  const parts = raw.split('\\').map((s) => Number(s.trim()))
  if (parts.length < count || parts.slice(0, count).some((v) => !Number.isFinite(v))) return undefined
  return parts.slice(0, count)
}

function number(ds: DataSet, tag: string): number | undefined {
  const v = numbers(ds, tag, 1)
  return v ? v[0] : undefined
}

function parse(bytes: Uint8Array, name: string): { meta: DataSet; ds: DataSet } | { error: string } {
  let meta: DataSet
  try {
    meta = dicomParser.readPart10Header(bytes)
  } catch (err) {
    return {
      error: `${name}: not a DICOM Part 10 file (${String((err as Error)?.message ?? err).slice(0, 120)})`,
    }
  }
  const ts = meta.string('x00020010') ?? ''
  if (!NATIVE_SYNTAXES.has(ts) && !J2K_SYNTAXES.has(ts)) {
    const label = TRANSFER_SYNTAXES[ts] ?? 'unknown'
    throw new VolumeError(
      'UNSUPPORTED_TRANSFER_SYNTAX',
      `${name}: transfer syntax ${ts || '(missing)'} (${label}) is not supported; supported: uncompressed and JPEG 2000`,
    )
  }
  try {
    return { meta, ds: dicomParser.parseDicom(bytes) }
  } catch (err) {
    // A file that says it is DICOM but cannot be parsed is an error, not something to skip: skipping
    // a damaged slice would silently leave a hole in the series.
    throw new VolumeError(
      'BAD_DICOM',
      `${name}: corrupt or truncated DICOM (${String((err as Error)?.message ?? err).slice(0, 160)})`,
    )
  }
}

/**
 * Read one file's header. Files that are not DICOM (no Part 10 preamble) or not images come back as
 * `skip` with a reason (a folder may hold a README or a structured report); damaged DICOM files and
 * unsupported encodings throw.
 */
export function readDicomSlice(bytes: Uint8Array, name: string): SliceResult {
  const parsed = parse(bytes, name)
  if ('error' in parsed) return { kind: 'skip', reason: parsed.error, code: 'BAD_DICOM' }
  const { meta, ds } = parsed
  const modality = ds.string('x00080060')
  const notImage = (why: string): SliceResult => ({
    kind: 'skip',
    reason: `${name}: not an image (${why})`,
    code: 'NOT_AN_IMAGE',
  })
  if (modality && NON_IMAGE_MODALITIES.has(modality.toUpperCase())) return notImage(`modality ${modality}`)
  if (!ds.elements.x7fe00010) return notImage('no PixelData')
  const rows = ds.uint16('x00280010')
  const cols = ds.uint16('x00280011')
  if (!rows || !cols) return notImage('no Rows/Columns')
  const samples = ds.uint16('x00280002') ?? 1
  if (samples !== 1)
    throw new VolumeError(
      'UNSUPPORTED_DICOM',
      `${name}: ${samples} samples per pixel (colour) is not supported`,
    )
  const frames = number(ds, 'x00280008') ?? 1
  if (frames > 1)
    throw new VolumeError(
      'UNSUPPORTED_DICOM',
      `${name}: multi-frame DICOM (${frames} frames) is not supported`,
    )
  const bitsAllocated = ds.uint16('x00280100') ?? 0
  if (![8, 16, 32].includes(bitsAllocated))
    throw new VolumeError(
      'UNSUPPORTED_DICOM',
      `${name}: BitsAllocated ${bitsAllocated} is not supported (8, 16 or 32)`,
    )
  const bitsStored = Math.min(ds.uint16('x00280101') ?? bitsAllocated, bitsAllocated) || bitsAllocated
  const position = numbers(ds, 'x00200032', 3)
  const orientation = numbers(ds, 'x00200037', 6)
  if (!position || !orientation)
    return notImage('no ImagePositionPatient/ImageOrientationPatient, so no place in the patient')
  const spacing = numbers(ds, 'x00280030', 2) ?? numbers(ds, 'x00181164', 2)
  if (!spacing || spacing[0] <= 0 || spacing[1] <= 0)
    throw new VolumeError('BAD_GEOMETRY', `${name}: missing or invalid PixelSpacing`)
  const rowCos = orientation.slice(0, 3) as Vec3
  const colCos = orientation.slice(3, 6) as Vec3
  const n1 = Math.hypot(...rowCos)
  const n2 = Math.hypot(...colCos)
  const dot = rowCos[0] * colCos[0] + rowCos[1] * colCos[1] + rowCos[2] * colCos[2]
  if (Math.abs(n1 - 1) > 1e-3 || Math.abs(n2 - 1) > 1e-3 || Math.abs(dot) > 1e-3)
    throw new VolumeError(
      'BAD_GEOMETRY',
      `${name}: ImageOrientationPatient is not two orthonormal directions`,
    )
  const slope = number(ds, 'x00281053') ?? 1
  const intercept = number(ds, 'x00281052') ?? 0
  const rescaleType = ds.string('x00281054')
  return {
    kind: 'slice',
    slice: {
      name,
      seriesUid: ds.string('x0020000e') ?? '',
      modality,
      units: rescaleType || (modality === 'CT' ? 'HU' : undefined),
      transferSyntax: meta.string('x00020010') ?? '',
      rows,
      cols,
      bitsAllocated,
      bitsStored,
      signed: ds.uint16('x00280103') === 1,
      position: position as Vec3,
      rowCos: rowCos.map((v) => v / n1) as Vec3,
      colCos: colCos.map((v) => v / n2) as Vec3,
      pixelSpacing: [spacing[0], spacing[1]],
      sliceThickness: number(ds, 'x00180050'),
      spacingBetweenSlices: number(ds, 'x00180088'),
      slope: slope === 0 ? 1 : slope,
      intercept,
      dataSet: ds,
    },
  }
}
