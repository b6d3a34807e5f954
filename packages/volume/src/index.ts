// The whole package: the browser-safe part (model.ts) plus file, NIfTI and DICOM reading/writing (Node).
export * from './model.ts'
export { DEFAULT_MAX_VOXELS, type ReadOptions } from './options.ts'
export { readVolume } from './read.ts'
export { readNifti, readNiftiHeader } from './nifti.ts'
export { parseNiftiHeader, type NiftiHeader } from './niftiHeader.ts'
export { encodeNifti, writeNifti } from './niftiWrite.ts'
export { readDicomSeries, type DicomInput } from './dicomSeries.ts'
