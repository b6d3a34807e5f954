/**
 * Wire bytes → mesh. Browser-safe: no Node APIs, only the meshopt decoder (small WebAssembly).
 * Every malformed input ends in a MeshWireError, never a crash or a silently wrong mesh.
 */
import { inflateSync } from 'fflate'
import { MeshoptDecoder } from 'meshoptimizer/decoder'
import { computeNormals } from '../normals.ts'
import type { Mesh } from '../types.ts'
import { decodeMaskMesh, readMaskHeader, type MaskWireHeader } from './maskCodec.ts'
import {
  crc32,
  MeshWireError,
  WIRE_HEADER_BYTES,
  WIRE_MAGIC,
  WIRE_MAX_TRIANGLES,
  WIRE_MAX_VERTICES,
  WIRE_TRAILER_BYTES,
  WIRE_VERSION,
  WIRE_KIND_MASK,
  WIRE_KIND_TRIANGLES,
  maxIndexBlockBytes,
  maxVertexBlockBytes,
} from './format.ts'

let decoderReady = false
/** Resolves once the meshopt decoder's WebAssembly is compiled; await before decodeMesh. */
export const decoderReadyPromise: Promise<void> = MeshoptDecoder.ready.then(() => {
  decoderReady = true
})

export interface DecodeOptions {
  /** Recompute smooth normals (default true). */
  normals?: boolean
}

export interface WireHeader {
  kind: 0
  version: number
  bits: number
  vertexCount: number
  triangleCount: number
  bboxMin: [number, number, number]
  bboxMax: [number, number, number]
  vertexBytes: number
  indexBytes: number
  payloadBytes: number
}

/** Parse and check the header, lengths and checksum without decoding the payload. */
export function readWireHeader(bytes: Uint8Array): WireHeader | MaskWireHeader {
  if (!(bytes instanceof Uint8Array)) throw new MeshWireError('not-bytes', 'input is not a Uint8Array')
  if (bytes.length < WIRE_HEADER_BYTES + WIRE_TRAILER_BYTES)
    throw new MeshWireError('truncated', `${bytes.length} bytes is shorter than the header`)
  for (let i = 0; i < 4; i++)
    if (bytes[i] !== WIRE_MAGIC[i]) throw new MeshWireError('bad-magic', 'not a fastsam-xr mesh')
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const version = bytes[4]
  if (version !== WIRE_VERSION)
    throw new MeshWireError('bad-version', `version ${version} is not supported (expected ${WIRE_VERSION})`)
  const bits = bytes[5]
  const kind = bytes[6]
  if (kind === WIRE_KIND_MASK) return readMaskHeader(bytes, dv)
  if (kind !== WIRE_KIND_TRIANGLES || bytes[7] !== 0)
    throw new MeshWireError('bad-header', `unknown kind ${kind}/${bytes[7]}`)
  const vertexCount = dv.getUint32(8, true)
  const triangleCount = dv.getUint32(12, true)
  const bboxMin: [number, number, number] = [
    dv.getFloat32(16, true),
    dv.getFloat32(20, true),
    dv.getFloat32(24, true),
  ]
  const bboxMax: [number, number, number] = [
    dv.getFloat32(28, true),
    dv.getFloat32(32, true),
    dv.getFloat32(36, true),
  ]
  const vertexBytes = dv.getUint32(40, true)
  const indexBytes = dv.getUint32(44, true)
  const payloadBytes = dv.getUint32(48, true)
  if (bits < 1 || bits > 16) throw new MeshWireError('bad-header', `quantization bits ${bits} out of 1..16`)
  if (vertexCount > WIRE_MAX_VERTICES || triangleCount > WIRE_MAX_TRIANGLES)
    throw new MeshWireError('bad-header', `implausible counts V=${vertexCount} T=${triangleCount}`)
  if ((vertexCount === 0) !== (triangleCount === 0))
    throw new MeshWireError('bad-header', 'vertices without triangles or vice versa')
  for (let d = 0; d < 3; d++)
    if (!Number.isFinite(bboxMin[d]) || !Number.isFinite(bboxMax[d]) || bboxMin[d] > bboxMax[d])
      throw new MeshWireError('bad-header', 'bounding box is not finite and ordered')
  if (vertexBytes > maxVertexBlockBytes(vertexCount) || indexBytes > maxIndexBlockBytes(triangleCount))
    throw new MeshWireError(
      'bad-header',
      `block sizes ${vertexBytes}/${indexBytes} implausible for V=${vertexCount} T=${triangleCount}`,
    )
  if ((vertexCount === 0) !== (vertexBytes === 0) || (triangleCount === 0) !== (indexBytes === 0))
    throw new MeshWireError('bad-header', 'empty blocks do not match the counts')
  if (WIRE_HEADER_BYTES + payloadBytes + WIRE_TRAILER_BYTES !== bytes.length)
    throw new MeshWireError(
      'length-mismatch',
      `header says ${WIRE_HEADER_BYTES + payloadBytes + WIRE_TRAILER_BYTES} bytes, got ${bytes.length}`,
    )
  const stored = dv.getUint32(bytes.length - 4, true)
  if (crc32(bytes, bytes.length - 4) !== stored)
    throw new MeshWireError('checksum', 'CRC-32 mismatch (corrupted in transit)')
  return {
    kind: 0,
    version,
    bits,
    vertexCount,
    triangleCount,
    bboxMin,
    bboxMax,
    vertexBytes,
    indexBytes,
    payloadBytes,
  }
}

/** Decode a wire buffer into positions (world RAS mm), indices and (by default) smooth normals. */
export function decodeMesh(bytes: Uint8Array, opts: DecodeOptions = {}): Mesh {
  if (!decoderReady)
    throw new MeshWireError('not-ready', 'meshopt decoder not ready: await decoderReadyPromise first')
  const h = readWireHeader(bytes)
  if (h.kind === WIRE_KIND_MASK) return decodeMaskMesh(bytes, h, opts.normals !== false)
  const V = h.vertexCount
  const T = h.triangleCount
  const q = new Uint16Array(4 * V)
  const indices = new Uint32Array(3 * T)
  if (V > 0) {
    const blocks = new Uint8Array(h.vertexBytes + h.indexBytes)
    let inflated: Uint8Array
    try {
      inflated = inflateSync(bytes.subarray(WIRE_HEADER_BYTES, WIRE_HEADER_BYTES + h.payloadBytes), {
        out: blocks,
      })
    } catch (e) {
      throw new MeshWireError('corrupt-payload', `payload: ${(e as Error).message}`)
    }
    if (inflated.length !== blocks.length)
      throw new MeshWireError(
        'corrupt-payload',
        `payload inflates to ${inflated.length} bytes, expected ${blocks.length}`,
      )
    const vb = inflated.subarray(0, h.vertexBytes)
    const ib = inflated.subarray(h.vertexBytes)
    try {
      MeshoptDecoder.decodeVertexBuffer(new Uint8Array(q.buffer), V, 8, vb)
    } catch (e) {
      throw new MeshWireError('corrupt-vertices', `vertex block: ${(e as Error).message}`)
    }
    try {
      MeshoptDecoder.decodeIndexBuffer(new Uint8Array(indices.buffer), 3 * T, 4, ib)
    } catch (e) {
      throw new MeshWireError('corrupt-indices', `index block: ${(e as Error).message}`)
    }
    for (let i = 0; i < indices.length; i++)
      if (indices[i] >= V)
        throw new MeshWireError('index-out-of-range', `index ${indices[i]} ≥ vertex count ${V}`)
  }
  const levels = (1 << h.bits) - 1
  const positions = new Float32Array(3 * V)
  for (let d = 0; d < 3; d++) {
    const lo = h.bboxMin[d]
    const s = (h.bboxMax[d] - lo) / levels
    for (let v = 0; v < V; v++) positions[3 * v + d] = lo + q[4 * v + d] * s
  }
  const mesh: Mesh = { positions, indices }
  if (opts.normals !== false) mesh.normals = computeNormals(positions, indices)
  return mesh
}
