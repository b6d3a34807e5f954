/**
 * Kind-1 wire payload: a mask mesh sent as its mask (see format.ts). The encoder crops the mask to
 * the bounding box of its inside voxels, packs it 1 bit per voxel and DEFLATEs it; the decoder
 * re-runs the same marching cubes + Taubin smoothing, so the decoded mesh equals the server's
 * `maskToMesh` output exactly. Browser-safe (fflate + pure TS).
 */
import { deflateSync, inflateSync } from 'fflate'
import { checkAffine } from '../affine.ts'
import { maskBoundingBox } from '@fastsam-xr/geometry'
import { maskToMesh } from '../maskToMesh.ts'
import { labelLut, NONZERO_LUT } from '../marchingCubes.ts'
import { MeshInputError, type Affine, type Mesh, type Vec3 } from '../types.ts'
import {
  crc32,
  MeshWireError,
  WIRE_KIND_MASK,
  WIRE_MAGIC,
  WIRE_MASK_HEADER_BYTES,
  WIRE_MAX_MASK_VOXELS,
  WIRE_TRAILER_BYTES,
  WIRE_VERSION,
} from './format.ts'

export interface MaskWireHeader {
  kind: 1
  version: number
  smoothIterations: number
  dims: Vec3
  /** Row-major 4×4 voxel → RAS mm affine of the box. */
  affine: Float64Array
  payloadBytes: number
}

export interface MaskEncodeOptions {
  /** Only voxels equal to this label are inside (default: nonzero). */
  label?: number
  /** Only this box of the mask (as in maskToMesh). */
  region?: { origin: Vec3; size: Vec3 }
  /** Taubin iterations the receiver applies (0..255, default 0) — same meaning as maskToMesh's `smooth`. */
  smooth?: number
  deflateLevel?: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9
}

/**
 * Encode the mesh `maskToMesh(mask, dims, affine, { label, region, smooth })` as its mask. Decoding
 * with `decodeMesh` reproduces that mesh exactly.
 */
export function encodeMaskMesh(
  mask: Uint8Array,
  dims: Vec3,
  affine: Affine,
  opts: MaskEncodeOptions = {},
): Uint8Array {
  if (!(mask instanceof Uint8Array)) throw new MeshInputError('mask must be a Uint8Array')
  checkAffine(affine)
  const [nx, ny, nz] = dims
  if (!(nx >= 1 && ny >= 1 && nz >= 1) || mask.length !== nx * ny * nz)
    throw new MeshInputError(`mask of length ${mask.length} does not match dims ${dims.join('×')}`)
  const smooth = opts.smooth ?? 0
  if (!Number.isInteger(smooth) || smooth < 0 || smooth > 255)
    throw new MeshInputError('smooth must be an integer 0..255')
  const lut = opts.label === undefined ? NONZERO_LUT : labelLut(opts.label)
  const o = opts.region?.origin ?? [0, 0, 0]
  const s = opts.region?.size ?? [nx - o[0], ny - o[1], nz - o[2]]
  if (o.some((x, d) => x < 0 || s[d] < 1 || x + s[d] > dims[d]))
    throw new MeshInputError('region is outside the mask')
  const bbox = maskBoundingBox(mask, dims, { label: opts.label, region: { origin: o, size: s } })
  const empty = bbox === null
  const box: Vec3 = bbox?.size ?? [1, 1, 1]
  const start = bbox?.origin ?? [0, 0, 0]
  const n = box[0] * box[1] * box[2]
  const bits = new Uint8Array(Math.ceil(n / 8))
  if (!empty) {
    let b = 0
    for (let k = 0; k < box[2]; k++)
      for (let j = 0; j < box[1]; j++) {
        const row = start[0] + nx * (start[1] + j + ny * (start[2] + k))
        for (let i = 0; i < box[0]; i++, b++) if (lut[mask[row + i]] === 1) bits[b >> 3] |= 1 << (b & 7)
      }
  }
  const payload = deflateSync(bits, { level: opts.deflateLevel ?? 6 })
  const total = WIRE_MASK_HEADER_BYTES + payload.length + WIRE_TRAILER_BYTES
  const out = new Uint8Array(total)
  const dv = new DataView(out.buffer)
  out.set(WIRE_MAGIC, 0)
  out[4] = WIRE_VERSION
  out[5] = smooth
  out[6] = WIRE_KIND_MASK
  out[7] = 0
  for (let d = 0; d < 3; d++) dv.setUint32(8 + 4 * d, box[d], true)
  // Box affine = affine · translate(start).
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) dv.setFloat64(20 + 8 * (4 * r + c), affine[4 * r + c], true)
    const t =
      affine[4 * r + 3] +
      affine[4 * r] * start[0] +
      affine[4 * r + 1] * start[1] +
      affine[4 * r + 2] * start[2]
    dv.setFloat64(20 + 8 * (4 * r + 3), t, true)
  }
  dv.setUint32(116, payload.length, true)
  out.set(payload, WIRE_MASK_HEADER_BYTES)
  dv.setUint32(total - 4, crc32(out, total - 4), true)
  return out
}

export function readMaskHeader(bytes: Uint8Array, dv: DataView): MaskWireHeader {
  if (bytes.length < WIRE_MASK_HEADER_BYTES + WIRE_TRAILER_BYTES)
    throw new MeshWireError('truncated', `${bytes.length} bytes is shorter than the mask header`)
  if (bytes[7] !== 0) throw new MeshWireError('bad-header', 'reserved byte is not 0')
  const dims: Vec3 = [dv.getUint32(8, true), dv.getUint32(12, true), dv.getUint32(16, true)]
  if (dims.some((x) => x < 1) || dims[0] * dims[1] * dims[2] > WIRE_MAX_MASK_VOXELS)
    throw new MeshWireError('bad-header', `implausible mask box ${dims.join('×')}`)
  const affine = new Float64Array(16)
  for (let q = 0; q < 12; q++) affine[q] = dv.getFloat64(20 + 8 * q, true)
  affine[15] = 1
  try {
    checkAffine(affine)
  } catch (e) {
    throw new MeshWireError('bad-header', (e as Error).message)
  }
  const payloadBytes = dv.getUint32(116, true)
  if (WIRE_MASK_HEADER_BYTES + payloadBytes + WIRE_TRAILER_BYTES !== bytes.length)
    throw new MeshWireError(
      'length-mismatch',
      `header says ${WIRE_MASK_HEADER_BYTES + payloadBytes + WIRE_TRAILER_BYTES} bytes, got ${bytes.length}`,
    )
  if (crc32(bytes, bytes.length - 4) !== dv.getUint32(bytes.length - 4, true))
    throw new MeshWireError('checksum', 'CRC-32 mismatch (corrupted in transit)')
  return { kind: 1, version: bytes[4], smoothIterations: bytes[5], dims, affine, payloadBytes }
}

export function decodeMaskMesh(bytes: Uint8Array, h: MaskWireHeader, normals: boolean): Mesh {
  const n = h.dims[0] * h.dims[1] * h.dims[2]
  const packed = new Uint8Array(Math.ceil(n / 8))
  let inflated: Uint8Array
  try {
    inflated = inflateSync(bytes.subarray(WIRE_MASK_HEADER_BYTES, WIRE_MASK_HEADER_BYTES + h.payloadBytes), {
      out: packed,
    })
  } catch (e) {
    throw new MeshWireError('corrupt-payload', `payload: ${(e as Error).message}`)
  }
  if (inflated.length !== packed.length)
    throw new MeshWireError(
      'corrupt-payload',
      `payload inflates to ${inflated.length} bytes, expected ${packed.length}`,
    )
  const mask = new Uint8Array(n)
  for (let b = 0; b < n; b++) mask[b] = (inflated[b >> 3] >> (b & 7)) & 1
  return maskToMesh(mask, h.dims, h.affine, { smooth: h.smoothIterations, normals })
}
