/**
 * The browser-safe part of the package (no Node built-ins anywhere in its import graph): the Volume
 * type, geometry, canonical reorientation, resampling and the model crop / paste-back. A web client or
 * the runtime's browser build imports `@fastsam-xr/volume/model`; file and DICOM reading stay in the
 * main entry.
 */
export type { DType, Mat4, Vec3, Volume, VolumeMeta, VoxelArray } from './volume.ts'
export { VolumeError, type VolumeErrorCode } from './errors.ts'
export { affineRows, applyAffine, invert4, multiply4, spacingFromAffine } from './geometry.ts'
export {
  axisCodes,
  canonicalGrid,
  isCanonical,
  orientationOf,
  toCanonical,
  type Orientation,
} from './canonical.ts'
export { resample, resampledGrid, type Interpolation, type ResampledGrid } from './resample.ts'
export {
  canonicalResampledGrid,
  canonicalWindow,
  cropFootprint,
  cropOrPad,
  modelCropStart,
  pasteCropMask,
  sampleMaskInCrop,
  prepareModelCrop,
  toModelOrder,
  torchioCropStart,
  worldToCropIndex,
  zNormalise,
  type ModelCrop,
} from './crop.ts'
export { minMax } from './stats.ts'
