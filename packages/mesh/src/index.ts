export * from './types.ts'
export { maskToMesh, type MaskMeshOptions } from './maskToMesh.ts'
// geometry is @fastsam-xr/geometry's; re-exported for the mesh API's callers
export { determinant3, maskBoundingBox, unionBox, type VoxelBox } from '@fastsam-xr/geometry'
export {
  marchingCubes,
  labelLut,
  NONZERO_LUT,
  type MarchOptions,
  type VoxelMesh,
  type GridField,
} from './marchingCubes.ts'
export {
  isosurface,
  isosurfaceForBudget,
  isosurfaceLods,
  downsampleGrid,
  type IsosurfaceOptions,
  type Lod,
  type ScalarGrid,
} from './isosurface.ts'
export { computeNormals } from './normals.ts'
export { taubinSmoothInPlace, type TaubinOptions } from './smooth.ts'
export { simplify, type SimplifyOptions, type SimplifyResult } from './simplify.ts'
export { meshVolumeMl, meshVolumeMm3, surfaceAreaMm2, voxelVolumeMl } from './measure.ts'
export { applyAffineInPlace, flipWindingInPlace } from './affine.ts'
export { encodeMesh, quantizationBits, type EncodeOptions } from './wire/encode.ts'
export {
  decodeMesh,
  readWireHeader,
  decoderReadyPromise,
  type DecodeOptions,
  type WireHeader,
} from './wire/decode.ts'
export { encodeMaskMesh, type MaskEncodeOptions, type MaskWireHeader } from './wire/maskCodec.ts'
export { MeshWireError, type MeshWireErrorCode, crc32 } from './wire/format.ts'
export { writeStl } from './export/stl.ts'
export { writeGlb, RAS_MM_TO_GLTF } from './export/glb.ts'
export { meshReady } from './ready.ts'
export { orientedManifoldDefects } from './topology.ts'
