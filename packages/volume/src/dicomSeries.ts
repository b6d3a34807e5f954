/**
 * A DICOM series (folder, file list or buffers) → one Volume in world RAS mm.
 *
 * Slices are grouped by SeriesInstanceUID and ordered by ImagePositionPatient projected on the slice
 * normal n = rowCos × colCos (never by file name or InstanceNumber). Voxel i runs along rowCos (across
 * columns, spacing PixelSpacing[1]), j along colCos (down rows, spacing PixelSpacing[0]), k along the
 * sorted slice positions. The LPS affine is then flipped to RAS by negating its x and y rows.
 */
import { readdir, readFile, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { VolumeError } from './errors.ts'
import { readDicomSlice, TRANSFER_SYNTAXES, type DicomSlice } from './dicomSlice.ts'
import { slicePixels, type RawPixels } from './dicomPixels.ts'
import { voxelBudget, type ReadOptions } from './options.ts'
import { ARRAY_OF, type DType, type Volume, type Vec3 } from './volume.ts'

export type DicomInput = string | Uint8Array

const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
const cross = (a: Vec3, b: Vec3): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
]

async function loadInputs(input: string | DicomInput[]): Promise<{ name: string; bytes: Uint8Array }[]> {
  if (typeof input === 'string') {
    const info = await stat(input).catch(() => null)
    if (!info) throw new VolumeError('NOT_FOUND', `no such file or folder: ${input}`)
    if (!info.isDirectory()) return [{ name: basename(input), bytes: await readFile(input) }]
    const names = (await readdir(input, { withFileTypes: true }))
      .filter((d) => d.isFile() && !d.name.startsWith('.'))
      .map((d) => d.name)
      .sort()
    return Promise.all(names.map(async (name) => ({ name, bytes: await readFile(join(input, name)) })))
  }
  return Promise.all(
    input.map(async (item, q) =>
      typeof item === 'string'
        ? { name: basename(item), bytes: await readFile(item) }
        : { name: `buffer ${q}`, bytes: item },
    ),
  )
}

/** Smallest integer-friendly dtype for rescaled values, or float32 when scaling is fractional. */
function outputType(slices: DicomSlice[], raws: { min: number; max: number }[]): DType {
  let lo = Infinity
  let hi = -Infinity
  let integral = true
  slices.forEach((s, q) => {
    const a = raws[q].min * s.slope + s.intercept
    const b = raws[q].max * s.slope + s.intercept
    lo = Math.min(lo, a, b)
    hi = Math.max(hi, a, b)
    if (!Number.isInteger(s.slope) || !Number.isInteger(s.intercept)) integral = false
  })
  if (!integral) return 'float32'
  if (lo >= 0 && hi <= 255 && slices.every((s) => s.bitsAllocated === 8)) return 'uint8'
  if (lo >= -32768 && hi <= 32767) return 'int16'
  if (lo >= 0 && hi <= 65535) return 'uint16'
  if (lo >= -2147483648 && hi <= 2147483647) return 'int32'
  return 'float32'
}

/** Read one series. `input`: a folder, one file, or a list of files / in-memory buffers. */
export async function readDicomSeries(input: string | DicomInput[], opts?: ReadOptions): Promise<Volume> {
  const files = await loadInputs(input)
  if (files.length === 0) throw new VolumeError('NOT_FOUND', 'no files to read')
  const slices: DicomSlice[] = []
  const skipped: { reason: string; code: 'BAD_DICOM' | 'NOT_AN_IMAGE' }[] = []
  for (const f of files) {
    const r = readDicomSlice(f.bytes, f.name)
    if (r.kind === 'slice') slices.push(r.slice)
    else skipped.push(r)
  }
  if (slices.length === 0) {
    // Nothing to read: say why, with the first reason.
    const first = skipped.find((s) => s.code === 'NOT_AN_IMAGE') ?? skipped[0]
    throw new VolumeError(
      first.code,
      files.length === 1 ? first.reason : `no DICOM image among ${files.length} files (${first.reason})`,
    )
  }

  // Group by series.
  const bySeries = new Map<string, DicomSlice[]>()
  for (const s of slices) bySeries.set(s.seriesUid, [...(bySeries.get(s.seriesUid) ?? []), s])
  let series: DicomSlice[]
  if (opts?.seriesInstanceUid !== undefined) {
    const chosen = bySeries.get(opts.seriesInstanceUid)
    if (!chosen)
      throw new VolumeError('BAD_ARGUMENT', `series ${opts.seriesInstanceUid} is not among the files`)
    series = chosen
  } else if (bySeries.size > 1) {
    const list = [...bySeries].map(([uid, s]) => `${uid || '(no UID)'} (${s.length} files)`).join(', ')
    throw new VolumeError(
      'MIXED_SERIES',
      `${bySeries.size} series in one input: ${list}; choose one with seriesInstanceUid`,
    )
  } else series = slices

  const first = series[0]
  for (const s of series) {
    if (s.rows !== first.rows || s.cols !== first.cols)
      throw new VolumeError(
        'INCONSISTENT_SERIES',
        `${s.name} is ${s.cols}×${s.rows}, ${first.name} is ${first.cols}×${first.rows}`,
      )
    if (
      Math.abs(s.pixelSpacing[0] - first.pixelSpacing[0]) > 1e-4 ||
      Math.abs(s.pixelSpacing[1] - first.pixelSpacing[1]) > 1e-4
    )
      throw new VolumeError(
        'INCONSISTENT_SERIES',
        `${s.name} has PixelSpacing ${s.pixelSpacing.join('\\')}, ${first.name} ${first.pixelSpacing.join('\\')}`,
      )
    for (let q = 0; q < 3; q++)
      if (Math.abs(s.rowCos[q] - first.rowCos[q]) > 1e-4 || Math.abs(s.colCos[q] - first.colCos[q]) > 1e-4)
        throw new VolumeError(
          'INCONSISTENT_SERIES',
          `${s.name} has another ImageOrientationPatient than ${first.name}`,
        )
  }

  // Order along the normal.
  const normal = cross(first.rowCos, first.colCos)
  const depth = new Map(series.map((s) => [s, dot(s.position, normal)]))
  series = [...series].sort((a, b) => depth.get(a)! - depth.get(b)! || a.name.localeCompare(b.name))
  const n = series.length
  let sliceStep: Vec3
  if (n === 1) {
    const t = first.spacingBetweenSlices || first.sliceThickness || 1
    sliceStep = [normal[0] * t, normal[1] * t, normal[2] * t]
  } else {
    const gaps: number[] = []
    for (let k = 1; k < n; k++) gaps.push(depth.get(series[k])! - depth.get(series[k - 1])!)
    const minGap = Math.min(...gaps)
    const maxGap = Math.max(...gaps)
    const mean = (depth.get(series[n - 1])! - depth.get(series[0])!) / (n - 1)
    if (minGap < 1e-3)
      throw new VolumeError(
        'DUPLICATE_SLICES',
        `${gaps.filter((g) => g < 1e-3).length + 1} slices share one position (several acquisitions, echoes or phases in one series?)`,
      )
    if (maxGap - minGap > 0.01 * mean)
      throw new VolumeError(
        'NON_UNIFORM_SPACING',
        `slice spacing varies from ${minGap.toFixed(3)} to ${maxGap.toFixed(3)} mm (more than 1%): missing slices or a variable-spacing acquisition`,
      )
    // Gantry tilt: slice origins drift within the slice plane as k grows.
    const p0 = series[0].position
    const tol = Math.max(1e-3, 0.01 * Math.min(...first.pixelSpacing))
    for (let k = 1; k < n; k++) {
      const p = series[k].position
      const d = depth.get(series[k])! - depth.get(series[0])!
      const off = [0, 1, 2].map((q) => p[q] - p0[q] - d * normal[q])
      const drift = Math.hypot(...off)
      if (drift > tol) {
        const degrees = (Math.atan2(drift, d) * 180) / Math.PI
        throw new VolumeError(
          'GANTRY_TILT',
          `slice positions are not along the slice normal (gantry tilt ≈ ${degrees.toFixed(2)}°); tilted series are not supported`,
        )
      }
    }
    const pl = series[n - 1].position
    sliceStep = [0, 1, 2].map((q) => (pl[q] - p0[q]) / (n - 1)) as Vec3
  }

  const [rows, cols] = [first.rows, first.cols]
  const nvox = rows * cols * n
  const budget = voxelBudget(opts)
  if (!(nvox <= budget))
    throw new VolumeError(
      'VOXEL_BUDGET',
      `series ${cols}×${rows}×${n} has ${nvox} voxels, over the budget of ${budget}`,
    )

  // Decode, then rescale into the narrowest type that holds the values exactly.
  const raws: RawPixels[] = []
  const ranges: { min: number; max: number }[] = []
  for (const s of series) {
    const px = await slicePixels(s)
    let min = Infinity
    let max = -Infinity
    for (let q = 0; q < px.length; q++) {
      const v = px[q]
      if (v < min) min = v
      if (v > max) max = v
    }
    raws.push(px)
    ranges.push({ min, max })
  }
  const dtype = outputType(series, ranges)
  const data = new ARRAY_OF[dtype](nvox)
  const per = rows * cols
  series.forEach((s, k) => {
    const px = raws[k]
    const base = k * per
    if (s.slope === 1 && s.intercept === 0) data.set(px, base)
    else for (let q = 0; q < per; q++) data[base + q] = px[q] * s.slope + s.intercept
  })

  // LPS affine: columns = (rowCos·Δcol, colCos·Δrow, slice step), origin = the lowest slice's position.
  const [dRow, dCol] = first.pixelSpacing
  const origin = series[0].position
  const lps = [
    [first.rowCos[0] * dCol, first.colCos[0] * dRow, sliceStep[0], origin[0]],
    [first.rowCos[1] * dCol, first.colCos[1] * dRow, sliceStep[1], origin[1]],
    [first.rowCos[2] * dCol, first.colCos[2] * dRow, sliceStep[2], origin[2]],
  ]
  const affine = new Float64Array(16)
  for (let c = 0; c < 4; c++) {
    affine[c] = -lps[0][c] + 0 // + 0: no negative zeros in the output
    affine[4 + c] = -lps[1][c] + 0
    affine[8 + c] = lps[2][c]
  }
  affine[15] = 1
  const ts = first.transferSyntax
  return {
    data,
    dims: [cols, rows, n],
    affine,
    dtype,
    meta: {
      modality: first.modality,
      units: first.units,
      source: `dicom: ${n} files`,
      description:
        `DICOM ${first.modality ?? ''} series, ${n} slices, ${TRANSFER_SYNTAXES[ts] ?? ts}` +
        (skipped.length ? `, ${skipped.length} non-image file${skipped.length > 1 ? 's' : ''} skipped` : ''),
    },
  }
}
