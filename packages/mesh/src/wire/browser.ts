/**
 * Browser entry (`@fastsam-xr/mesh/wire`): only what a headset needs to receive meshes — the decoder
 * (meshopt decoder WebAssembly + fflate inflate), errors and normals. No encoder, no simplifier.
 */
export {
  decodeMesh,
  readWireHeader,
  decoderReadyPromise,
  type DecodeOptions,
  type WireHeader,
} from './decode.ts'
export { MeshWireError, type MeshWireErrorCode } from './format.ts'
export { computeNormals } from '../normals.ts'
export type { Mesh } from '../types.ts'
