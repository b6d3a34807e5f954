export type { DType, Mat4, Vec3, Volume, VolumeMeta, VoxelArray } from './volume.ts'
export { VolumeError, type VolumeErrorCode } from './errors.ts'
export { DEFAULT_MAX_VOXELS, type ReadOptions } from './options.ts'
export { readVolume } from './read.ts'
export { readNifti, readNiftiHeader } from './nifti.ts'
export { parseNiftiHeader, type NiftiHeader } from './niftiHeader.ts'
export { encodeNifti, writeNifti } from './niftiWrite.ts'
export { readDicomSeries, type DicomInput } from './dicomSeries.ts'
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
  cropOrPad,
  maskBoundingBox,
  pasteCropMask,
  prepareModelCrop,
  toModelOrder,
  torchioCropStart,
  worldToCropIndex,
  zNormalise,
  type ModelCrop,
} from './crop.ts'
export { minMax } from './stats.ts'
