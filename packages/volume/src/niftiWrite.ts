/**
 * NIfTI-1 writer (single file, little-endian; `.nii.gz` when the path ends so). The affine goes into
 * the sform (code 2, aligned — exact) and into the qform (code 1, scanner — its closest rigid+zoom
 * form), so both sform-first and qform-first readers place the voxels where we do.
 */
import { writeFile } from 'node:fs/promises'
import { gzipSync } from 'node:zlib'
import { VolumeError } from './errors.ts'
import { spacingFromAffine } from './geometry.ts'
import type { DType, Mat4, Volume } from './volume.ts'

const CODE_OF: Record<DType, { code: number; bitpix: number }> = {
  uint8: { code: 2, bitpix: 8 },
  int16: { code: 4, bitpix: 16 },
  int32: { code: 8, bitpix: 32 },
  float32: { code: 16, bitpix: 32 },
  float64: { code: 64, bitpix: 64 },
  int8: { code: 256, bitpix: 8 },
  uint16: { code: 512, bitpix: 16 },
  uint32: { code: 768, bitpix: 32 },
}

/** Quaternion (b, c, d), qfac and zooms of the affine's 3×3 part (NIfTI's mat44_to_quatern). */
export function affineToQuatern(affine: Mat4): {
  quatern: [number, number, number]
  qfac: 1 | -1
  zooms: [number, number, number]
} {
  const zooms = spacingFromAffine(affine)
  const r = (row: number, col: number) => affine[4 * row + col] / (zooms[col] || 1)
  const m = [r(0, 0), r(0, 1), r(0, 2), r(1, 0), r(1, 1), r(1, 2), r(2, 0), r(2, 1), r(2, 2)]
  const det =
    m[0] * (m[4] * m[8] - m[5] * m[7]) -
    m[1] * (m[3] * m[8] - m[5] * m[6]) +
    m[2] * (m[3] * m[7] - m[4] * m[6])
  const qfac: 1 | -1 = det < 0 ? -1 : 1
  if (qfac < 0) {
    m[2] = -m[2]
    m[5] = -m[5]
    m[8] = -m[8]
  }
  const [r11, r12, r13, r21, r22, r23, r31, r32, r33] = m
  let a = r11 + r22 + r33 + 1
  let b: number, c: number, d: number
  if (a > 0.5) {
    a = 0.5 * Math.sqrt(a)
    b = (0.25 * (r32 - r23)) / a
    c = (0.25 * (r13 - r31)) / a
    d = (0.25 * (r21 - r12)) / a
  } else {
    const xd = 1 + r11 - (r22 + r33)
    const yd = 1 + r22 - (r11 + r33)
    const zd = 1 + r33 - (r11 + r22)
    if (xd > 1) {
      b = 0.5 * Math.sqrt(xd)
      c = (0.25 * (r12 + r21)) / b
      d = (0.25 * (r13 + r31)) / b
      a = (0.25 * (r32 - r23)) / b
    } else if (yd > 1) {
      c = 0.5 * Math.sqrt(yd)
      b = (0.25 * (r12 + r21)) / c
      d = (0.25 * (r23 + r32)) / c
      a = (0.25 * (r13 - r31)) / c
    } else {
      d = 0.5 * Math.sqrt(zd)
      b = (0.25 * (r13 + r31)) / d
      c = (0.25 * (r23 + r32)) / d
      a = (0.25 * (r21 - r12)) / d
    }
    if (a < 0) {
      b = -b
      c = -c
      d = -d
    }
  }
  return { quatern: [b, c, d], qfac, zooms }
}

/** The bytes of a NIfTI-1 single file (uncompressed). */
export function encodeNifti(volume: Volume, description = 'fastsam-xr'): Uint8Array {
  const { dims, affine, dtype, data } = volume
  const t = CODE_OF[dtype]
  if (!t) throw new VolumeError('BAD_ARGUMENT', `cannot write dtype ${dtype}`)
  const nvox = dims[0] * dims[1] * dims[2]
  if (data.length !== nvox)
    throw new VolumeError('BAD_ARGUMENT', `data has ${data.length} voxels, dims say ${nvox}`)
  const offset = 352
  const out = new Uint8Array(offset + data.byteLength)
  const dv = new DataView(out.buffer)
  dv.setInt32(0, 348, true)
  const dim = [3, dims[0], dims[1], dims[2], 1, 1, 1, 1]
  dim.forEach((v, q) => dv.setInt16(40 + 2 * q, v, true))
  dv.setInt16(70, t.code, true)
  dv.setInt16(72, t.bitpix, true)
  const { quatern, qfac, zooms } = affineToQuatern(affine)
  const pixdim = [qfac, zooms[0], zooms[1], zooms[2], 1, 1, 1, 1]
  pixdim.forEach((v, q) => dv.setFloat32(76 + 4 * q, v, true))
  dv.setFloat32(108, offset, true)
  dv.setFloat32(112, 1, true) // scl_slope 1, scl_inter 0: values as stored
  dv.setFloat32(116, 0, true)
  out[123] = 2 | 8 // xyzt_units: mm, s
  const desc = new TextEncoder().encode(description.slice(0, 79))
  out.set(desc, 148)
  dv.setInt16(252, 1, true) // qform_code: scanner
  dv.setInt16(254, 2, true) // sform_code: aligned
  quatern.forEach((v, q) => dv.setFloat32(256 + 4 * q, v, true))
  for (let r = 0; r < 3; r++) dv.setFloat32(268 + 4 * r, affine[4 * r + 3], true)
  for (let q = 0; q < 12; q++) dv.setFloat32(280 + 4 * q, affine[q], true)
  out.set(new TextEncoder().encode('n+1\0'), 344)
  // Voxels (the host is little-endian; NIfTI files we write are too).
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), offset)
  return out
}

/** Write `volume` to `path` (.nii or .nii.gz). Masks: pass a uint8 volume with the source's affine. */
export async function writeNifti(volume: Volume, path: string): Promise<void> {
  const raw = encodeNifti(volume)
  await writeFile(path, path.endsWith('.gz') ? gzipSync(raw, { level: 6 }) : raw)
}
