/**
 * NIfTI-1 (348-byte) and NIfTI-2 (540-byte) header parsing, either byte order, and the header's
 * voxel → world affine chosen exactly as nibabel's `get_best_affine` does:
 *   sform_code ≠ 0 → sform; else qform_code ≠ 0 → qform (quaternion, qfac = pixdim[0]);
 *   else the pixdim-only base affine with the origin at the volume centre and x flipped.
 */
import { VolumeError } from './errors.ts'
import type { DType, Mat4 } from './volume.ts'

export interface NiftiHeader {
  version: 1 | 2
  littleEndian: boolean
  headerSize: number
  /** dim[0..7] as in the file (dim[0] = number of dimensions). */
  dim: number[]
  datatype: number
  bitpix: number
  pixdim: number[]
  voxOffset: number
  sclSlope: number
  sclInter: number
  qformCode: number
  sformCode: number
  quatern: [number, number, number]
  qoffset: [number, number, number]
  /** srow_x, srow_y, srow_z: 12 numbers. */
  srow: number[]
  xyztUnits: number
  intentCode: number
  /** true for 'ni1'/'ni2' (header and voxels in separate .hdr/.img files). */
  pairFile: boolean
}

/** NIfTI datatype code → our dtype and bytes per voxel. */
export const NIFTI_DATATYPES: Record<number, { dtype: DType; bytes: number }> = {
  2: { dtype: 'uint8', bytes: 1 },
  4: { dtype: 'int16', bytes: 2 },
  8: { dtype: 'int32', bytes: 4 },
  16: { dtype: 'float32', bytes: 4 },
  64: { dtype: 'float64', bytes: 8 },
  256: { dtype: 'int8', bytes: 1 },
  512: { dtype: 'uint16', bytes: 2 },
  768: { dtype: 'uint32', bytes: 4 },
}

/** Names of the datatypes we recognise but do not read, for a clear message. */
const UNSUPPORTED_NAMES: Record<number, string> = {
  1: 'binary (1 bit)',
  32: 'complex64',
  128: 'RGB24',
  1024: 'int64',
  1280: 'uint64',
  1536: 'float128',
  1792: 'complex128',
  2048: 'complex256',
  2304: 'RGBA32',
}

export function niftiDatatype(code: number): { dtype: DType; bytes: number } {
  const t = NIFTI_DATATYPES[code]
  if (t) return t
  const name = UNSUPPORTED_NAMES[code]
  throw new VolumeError(
    'UNSUPPORTED_DATATYPE',
    name ? `NIfTI datatype ${code} (${name}) is not supported` : `unknown NIfTI datatype code ${code}`,
  )
}

/** True when the first bytes look like an uncompressed NIfTI-1/2 header (either byte order). */
export function looksLikeNifti(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false
  const dv = new DataView(bytes.buffer, bytes.byteOffset, 4)
  const le = dv.getInt32(0, true)
  const be = dv.getInt32(0, false)
  return le === 348 || le === 540 || be === 348 || be === 540
}

function text(bytes: Uint8Array, offset: number, length: number): string {
  let s = ''
  for (let q = 0; q < length && bytes[offset + q] !== 0; q++) s += String.fromCharCode(bytes[offset + q])
  return s
}

/** Parse a header from the first ≥ 348 (NIfTI-1) or ≥ 540 (NIfTI-2) bytes of a file. */
export function parseNiftiHeader(bytes: Uint8Array): NiftiHeader {
  if (bytes.length < 4)
    throw new VolumeError('TRUNCATED', `file is too short for a NIfTI header (${bytes.length} bytes)`)
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let littleEndian: boolean
  const le = dv.getInt32(0, true)
  const be = dv.getInt32(0, false)
  if (le === 348 || le === 540) littleEndian = true
  else if (be === 348 || be === 540) littleEndian = false
  else
    throw new VolumeError(
      'BAD_MAGIC',
      `not a NIfTI file: sizeof_hdr is ${le}, expected 348 (NIfTI-1) or 540 (NIfTI-2)`,
    )
  const version: 1 | 2 = (littleEndian ? le : be) === 348 ? 1 : 2
  const headerSize = version === 1 ? 348 : 540
  if (bytes.length < headerSize)
    throw new VolumeError(
      'TRUNCATED',
      `file is truncated inside the NIfTI-${version} header (${bytes.length} of ${headerSize} bytes)`,
    )

  const i16 = (o: number) => dv.getInt16(o, littleEndian)
  const i32 = (o: number) => dv.getInt32(o, littleEndian)
  const i64 = (o: number) => Number(dv.getBigInt64(o, littleEndian))
  const f32 = (o: number) => dv.getFloat32(o, littleEndian)
  const f64 = (o: number) => dv.getFloat64(o, littleEndian)

  let pairFile = false
  if (version === 1) {
    const magic = text(bytes, 344, 4)
    if (magic === 'ni1') pairFile = true
    else if (magic !== 'n+1')
      throw new VolumeError('BAD_MAGIC', `bad NIfTI-1 magic '${magic}' (expected 'n+1')`)
    return {
      version,
      littleEndian,
      headerSize,
      dim: Array.from({ length: 8 }, (_, q) => i16(40 + 2 * q)),
      datatype: i16(70),
      bitpix: i16(72),
      pixdim: Array.from({ length: 8 }, (_, q) => f32(76 + 4 * q)),
      voxOffset: f32(108),
      sclSlope: f32(112),
      sclInter: f32(116),
      qformCode: i16(252),
      sformCode: i16(254),
      quatern: [f32(256), f32(260), f32(264)],
      qoffset: [f32(268), f32(272), f32(276)],
      srow: Array.from({ length: 12 }, (_, q) => f32(280 + 4 * q)),
      xyztUnits: bytes[123],
      intentCode: i16(68),
      pairFile,
    }
  }
  const magic = text(bytes, 4, 3)
  if (magic === 'ni2') pairFile = true
  else if (magic !== 'n+2')
    throw new VolumeError('BAD_MAGIC', `bad NIfTI-2 magic '${magic}' (expected 'n+2')`)
  return {
    version,
    littleEndian,
    headerSize,
    dim: Array.from({ length: 8 }, (_, q) => i64(16 + 8 * q)),
    datatype: i16(12),
    bitpix: i16(14),
    pixdim: Array.from({ length: 8 }, (_, q) => f64(104 + 8 * q)),
    voxOffset: i64(168),
    sclSlope: f64(176),
    sclInter: f64(184),
    qformCode: i32(344),
    sformCode: i32(348),
    quatern: [f64(352), f64(360), f64(368)],
    qoffset: [f64(376), f64(384), f64(392)],
    srow: Array.from({ length: 12 }, (_, q) => f64(400 + 8 * q)),
    xyztUnits: i32(500),
    intentCode: i32(504),
    pairFile,
  }
}

/** Spatial size (dim[1..3], missing dims = 1) and the number of 3D frames (product of dim[4..]). */
export function niftiShape(h: NiftiHeader): { dims: [number, number, number]; frames: number } {
  const nd = h.dim[0]
  if (!Number.isInteger(nd) || nd < 1 || nd > 7)
    throw new VolumeError('BAD_HEADER', `NIfTI dim[0] = ${nd} is not in 1..7`)
  const d = (q: number) => (q <= nd ? h.dim[q] : 1)
  for (let q = 1; q <= nd; q++)
    if (!Number.isSafeInteger(h.dim[q]) || h.dim[q] < 1)
      throw new VolumeError('BAD_HEADER', `NIfTI dim[${q}] = ${h.dim[q]} (every used dimension must be ≥ 1)`)
  let frames = 1
  for (let q = 4; q <= nd; q++) frames *= d(q)
  return { dims: [d(1), d(2), d(3)], frames }
}

/** Rotation matrix of a unit quaternion (w, x, y, z), row-major 3×3 (nibabel's quat2mat). */
function quatToMatrix(w: number, x: number, y: number, z: number): number[] {
  const nq = w * w + x * x + y * y + z * z
  if (nq < 1e-15) return [1, 0, 0, 0, 1, 0, 0, 0, 1]
  const s = 2 / nq
  const X = x * s,
    Y = y * s,
    Z = z * s
  const wX = w * X,
    wY = w * Y,
    wZ = w * Z
  const xX = x * X,
    xY = x * Y,
    xZ = x * Z
  const yY = y * Y,
    yZ = y * Z,
    zZ = z * Z
  return [1 - (yY + zZ), xY - wZ, xZ + wY, xY + wZ, 1 - (xX + zZ), yZ - wX, xZ - wY, yZ + wX, 1 - (xX + yY)]
}

/** The qform affine (NIfTI method 2): R(quaternion) · diag(pixdim1, pixdim2, qfac·pixdim3) + qoffset. */
export function qformAffine(h: NiftiHeader): Mat4 {
  const [b, c, d] = h.quatern
  // nibabel's fillpositive: a = sqrt(1 − b² − c² − d²), tiny negative rounding clamped to 0.
  const a = Math.sqrt(Math.max(0, 1 - (b * b + c * c + d * d)))
  const R = quatToMatrix(a, b, c, d)
  const qfac = h.pixdim[0] < 0 ? -1 : 1 // pixdim[0] = 0 means 1, as the standard says
  const zooms = [Math.abs(h.pixdim[1]), Math.abs(h.pixdim[2]), Math.abs(h.pixdim[3]) * qfac]
  const m = new Float64Array(16)
  for (let r = 0; r < 3; r++) {
    for (let col = 0; col < 3; col++) m[4 * r + col] = R[3 * r + col] * zooms[col]
    m[4 * r + 3] = h.qoffset[r]
  }
  m[15] = 1
  return m
}

/** The sform affine (NIfTI method 3): srow_x/y/z as the first three rows. */
export function sformAffine(h: NiftiHeader): Mat4 {
  const m = new Float64Array(16)
  for (let q = 0; q < 12; q++) m[q] = h.srow[q]
  m[15] = 1
  return m
}

/** nibabel's base affine when neither form is set: zooms on the diagonal, x flipped, origin at the centre. */
export function baseAffine(h: NiftiHeader, dims: [number, number, number]): Mat4 {
  const m = new Float64Array(16)
  for (let q = 0; q < 3; q++) {
    const zoom = Math.abs(h.pixdim[q + 1]) || 1
    const sign = q === 0 ? -1 : 1
    m[5 * q] = sign * zoom
    m[4 * q + 3] = (sign * -(dims[q] - 1) * zoom) / 2
  }
  m[15] = 1
  return m
}

/** Which affine the header gives, with a name for the metadata. */
export function bestAffine(
  h: NiftiHeader,
  dims: [number, number, number],
): { affine: Mat4; from: 'sform' | 'qform' | 'pixdim' } {
  if (h.sformCode !== 0) return { affine: sformAffine(h), from: 'sform' }
  if (h.qformCode !== 0) return { affine: qformAffine(h), from: 'qform' }
  return { affine: baseAffine(h, dims), from: 'pixdim' }
}
