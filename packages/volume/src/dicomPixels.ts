/**
 * A slice's stored pixel values (before Rescale Slope/Intercept), row by row with the column index
 * fastest — the order DICOM transmits them, which is the Volume's i-fastest order within a slice.
 */
import dicomParser from 'dicom-parser'
import { VolumeError } from './errors.ts'
import { decodeJ2kFrame } from './j2k.ts'
import { J2K_SYNTAXES, type DicomSlice } from './dicomSlice.ts'

export type RawPixels = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array

function typed(bytes: Uint8Array, bits: number, signed: boolean, n: number, swap: boolean): RawPixels {
  const per = bits / 8
  const buf = new Uint8Array(n * per)
  buf.set(bytes.subarray(0, n * per))
  if (swap && per > 1)
    for (let q = 0; q < buf.length; q += per)
      for (let a = q, b = q + per - 1; a < b; a++, b--) {
        const t = buf[a]
        buf[a] = buf[b]
        buf[b] = t
      }
  if (bits === 8) return signed ? new Int8Array(buf.buffer) : buf
  if (bits === 16) return signed ? new Int16Array(buf.buffer) : new Uint16Array(buf.buffer)
  return signed ? new Int32Array(buf.buffer) : new Uint32Array(buf.buffer)
}

/** Sign-extend (or mask) values whose BitsStored is below BitsAllocated. */
function fixStoredBits(px: RawPixels, bitsStored: number, bitsAllocated: number, signed: boolean): void {
  if (bitsStored >= bitsAllocated) return
  const shift = 32 - bitsStored
  if (signed) for (let q = 0; q < px.length; q++) px[q] = (px[q] << shift) >> shift
  else {
    const mask = bitsStored >= 32 ? 0xffffffff : (1 << bitsStored) - 1
    for (let q = 0; q < px.length; q++) px[q] = px[q] & mask
  }
}

export async function slicePixels(s: DicomSlice): Promise<RawPixels> {
  const n = s.rows * s.cols
  const el = s.dataSet.elements.x7fe00010
  let px: RawPixels
  if (J2K_SYNTAXES.has(s.transferSyntax)) {
    if (!el.encapsulatedPixelData || !el.fragments?.length)
      throw new VolumeError(
        'BAD_DICOM',
        `${s.name}: JPEG 2000 transfer syntax but the pixel data is not encapsulated`,
      )
    let encoded: Uint8Array
    try {
      encoded = dicomParser.readEncapsulatedPixelDataFromFragments(s.dataSet, el, 0, el.fragments.length)
    } catch (err) {
      throw new VolumeError(
        'BAD_DICOM',
        `${s.name}: cannot read encapsulated pixel data (${String((err as Error)?.message ?? err)})`,
      )
    }
    const { bytes, info } = await decodeJ2kFrame(encoded)
    if (info.width !== s.cols || info.height !== s.rows || info.componentCount !== 1)
      throw new VolumeError(
        'BAD_DICOM',
        `${s.name}: JPEG 2000 frame is ${info.width}×${info.height}×${info.componentCount}, header says ${s.cols}×${s.rows}×1`,
      )
    const bits = info.bitsPerSample <= 8 ? 8 : info.bitsPerSample <= 16 ? 16 : 32
    if (bytes.length < (n * bits) / 8)
      throw new VolumeError('TRUNCATED', `${s.name}: JPEG 2000 frame decoded to too few bytes`)
    // The header's PixelRepresentation decides signedness, as for native data.
    px = typed(bytes, bits, s.signed, n, false)
    fixStoredBits(px, Math.min(s.bitsStored, bits), bits, s.signed)
    return px
  }
  if (el.encapsulatedPixelData)
    throw new VolumeError(
      'BAD_DICOM',
      `${s.name}: encapsulated pixel data in an uncompressed transfer syntax`,
    )
  const bytes = (n * s.bitsAllocated) / 8
  const data = s.dataSet.byteArray
  if (el.length < bytes || el.dataOffset + bytes > data.length)
    throw new VolumeError(
      'TRUNCATED',
      `${s.name}: pixel data holds ${Math.min(el.length, data.length - el.dataOffset)} of ${bytes} bytes`,
    )
  const bigEndian = s.transferSyntax === '1.2.840.10008.1.2.2'
  px = typed(data.subarray(el.dataOffset, el.dataOffset + bytes), s.bitsAllocated, s.signed, n, bigEndian)
  fixStoredBits(px, s.bitsStored, s.bitsAllocated, s.signed)
  return px
}
