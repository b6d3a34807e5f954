/**
 * Byte-level edits of real DICOM files for tests (explicit VR little-endian datasets, as the shared
 * series is): replace a string element's value, or swap encapsulated pixel data for native pixels.
 */
import dicomParser from 'dicom-parser'

const LONG_VRS = new Set(['OB', 'OW', 'OF', 'OD', 'OL', 'OV', 'SQ', 'UT', 'UN', 'UC', 'UR', 'SV', 'UV'])

function u16(v: number): Uint8Array {
  return new Uint8Array([v & 255, v >> 8])
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

/** Replace the value of short-VR string element `tag` ('xGGGGEEEE'); fixes the meta group length. */
export function setString(bytes: Uint8Array, tag: string, value: string): Uint8Array {
  if (value.length % 2) value += tag === 'x00020010' || tag.startsWith('x0020000') ? '\0' : ' '
  const ds = dicomParser.parseDicom(bytes)
  const el = ds.elements[tag]
  if (!el || !el.vr || LONG_VRS.has(el.vr))
    throw new Error(`setString: ${tag} missing or not a short string element`)
  const val = new TextEncoder().encode(value)
  const out = concat(
    bytes.subarray(0, el.dataOffset - 2),
    u16(val.length),
    val,
    bytes.subarray(el.dataOffset + el.length),
  )
  if (tag.startsWith('x0002')) {
    const gl = ds.elements.x00020000
    const dv = new DataView(out.buffer, out.byteOffset)
    dv.setUint32(gl.dataOffset, dv.getUint32(gl.dataOffset, true) + val.length - el.length, true)
  }
  return out
}

/** Cut the file just before its PixelData element (an image header without an image). */
export function stripPixelData(bytes: Uint8Array): Uint8Array {
  const el = dicomParser.parseDicom(bytes).elements.x7fe00010
  return bytes.slice(0, el.dataOffset - 12)
}

/** Explicit VR Little Endian copy with `pixels` (stored values, little-endian bytes) as native OW data. */
export function toNative(bytes: Uint8Array, pixels: Uint8Array): Uint8Array {
  const withTs = setString(bytes, 'x00020010', '1.2.840.10008.1.2.1')
  const el = dicomParser.parseDicom(withTs).elements.x7fe00010
  const header = new Uint8Array(12)
  header.set([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x57, 0, 0])
  new DataView(header.buffer).setUint32(8, pixels.length, true)
  return concat(withTs.subarray(0, el.dataOffset - 12), header, pixels)
}
