/**
 * Wire format v1 of one mesh (little-endian), built for cheap browser decoding. Two kinds share the
 * first 8 bytes (magic, version, byte 6 = kind, byte 7 = 0) and the CRC-32 trailer.
 *
 * Kind 0, TRIANGLES (any mesh):
 *
 * | offset | size | field                                                        |
 * |-------:|-----:|--------------------------------------------------------------|
 * | 0      | 4    | magic "FXRM"                                                 |
 * | 4      | 1    | version = 1                                                  |
 * | 5      | 1    | quantization bits b (1..16)                                  |
 * | 6      | 1    | kind = 0                                                     |
 * | 7      | 1    | reserved = 0                                                 |
 * | 8      | 4    | vertex count V                                               |
 * | 12     | 4    | triangle count T                                             |
 * | 16     | 12   | bbox min xyz, float32, world RAS mm                          |
 * | 28     | 12   | bbox max xyz, float32                                        |
 * | 40     | 4    | byte length of the vertex block (vb)                         |
 * | 44     | 4    | byte length of the index block (ib)                          |
 * | 48     | 4    | byte length P of the payload                                 |
 * | 52     | P    | payload = raw DEFLATE (RFC 1951) of vertex block ‖ index block |
 * | 52+P   | 4    | CRC-32 of every preceding byte                               |
 *
 * Vertex block: meshopt vertex codec (v1) of V × uint16[4] (x, y, z, 0) with
 * q = round((p − min) / (max − min) · (2^b − 1)) per axis. Index block: meshopt index codec of 3T
 * uint32 indices. DEFLATE on top squeezes the regularity meshopt leaves (voxel-lattice positions of
 * unsmoothed masks compress a further ~2.5×). Normals are not sent: the receiver recomputes them.
 *
 * Kind 1, MASK (a mask mesh, sent as the mask it is made from; the receiver re-runs the same
 * deterministic marching cubes, so the mesh is reproduced bit-exactly at a fraction of the bytes):
 *
 * | offset | size | field                                                        |
 * |-------:|-----:|--------------------------------------------------------------|
 * | 0      | 8    | magic, version = 1, Taubin iterations (byte 5), kind = 1, 0   |
 * | 8      | 12   | box dims nx, ny, nz (uint32)                                 |
 * | 20     | 96   | rows 0..2 of the box's voxel → RAS mm affine, 12 × float64    |
 * | 116    | 4    | byte length P of the payload                                 |
 * | 120    | P    | raw DEFLATE of the box mask, 1 bit per voxel, i fastest, LSB first |
 * | 120+P  | 4    | CRC-32 of every preceding byte                               |
 */

export const WIRE_MAGIC = [0x46, 0x58, 0x52, 0x4d] as const // "FXRM"
export const WIRE_VERSION = 1
export const WIRE_HEADER_BYTES = 52
export const WIRE_MASK_HEADER_BYTES = 120
export const WIRE_KIND_TRIANGLES = 0
export const WIRE_KIND_MASK = 1
/** Largest mask box (voxels) a decoder accepts. */
export const WIRE_MAX_MASK_VOXELS = 1 << 26
export const WIRE_TRAILER_BYTES = 4
/** Upper bounds that keep a hostile header from asking for gigabytes. */
export const WIRE_MAX_VERTICES = 1 << 24
export const WIRE_MAX_TRIANGLES = 1 << 25

export type MeshWireErrorCode =
  | 'not-bytes'
  | 'truncated'
  | 'bad-magic'
  | 'bad-version'
  | 'bad-header'
  | 'length-mismatch'
  | 'checksum'
  | 'corrupt-payload'
  | 'corrupt-vertices'
  | 'corrupt-indices'
  | 'index-out-of-range'
  | 'not-ready'

/** Any malformed or unsupported wire buffer. */
export class MeshWireError extends Error {
  override name = 'MeshWireError'
  constructor(
    readonly code: MeshWireErrorCode,
    message: string,
  ) {
    super(`mesh wire: ${message}`)
  }
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    t[n] = c >>> 0
  }
  return t
})()

/** CRC-32 (IEEE, as zlib/PNG) of bytes[0, length). */
export function crc32(bytes: Uint8Array, length = bytes.length): number {
  let c = 0xffffffff
  for (let i = 0; i < length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

/** Largest meshopt block sizes a sane encoder produces for V vertices / T triangles (allocation guard). */
export function maxVertexBlockBytes(v: number): number {
  return Math.ceil(v * 8 * 1.25) + 4096
}
export function maxIndexBlockBytes(t: number): number {
  return t * 16 + 4096
}
