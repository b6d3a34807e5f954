/**
 * The one in-memory volume type every stage of fastsam-xr speaks.
 *
 * Voxel order: `data[i + dims[0] * (j + dims[1] * k)]` — i (first index) varies fastest, as in a
 * NIfTI file on disk. `affine` maps a voxel index (i, j, k, 1) to world **RAS millimetres**
 * (x towards patient Right, y Anterior, z Superior), stored row-major as 16 numbers.
 * DICOM (LPS) sources are converted to RAS when read; nothing downstream ever sees LPS.
 */

export type DType = 'uint8' | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64'

export type VoxelArray =
  Uint8Array | Int8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array

/** Mat4: 4×4 row-major matrix, element (r, c) is `m[4 * r + c]` (the geometry package owns both types). */
export type { Mat4, Vec3 } from '@fastsam-xr/geometry'
import type { Mat4, Vec3 } from '@fastsam-xr/geometry'

export interface VolumeMeta {
  /** 'CT', 'MR', 'SEG', … or undefined when the file does not say. */
  modality?: string
  /** Units of the voxel values after rescaling, e.g. 'HU'. */
  units?: string
  /** Where the volume came from (a file name or 'dicom:<n files>'); never patient identifiers. */
  source?: string
  /** Free-form description safe to log (no names, IDs or dates). */
  description?: string
  /** Number of NaN/Inf voxels replaced by 0 when read with `nonFinite: 'zero'`. */
  nonFiniteReplaced?: number
}

export interface Volume<T extends VoxelArray = VoxelArray> {
  data: T
  dims: Vec3
  affine: Mat4
  dtype: DType
  meta: VolumeMeta
}

/** The typed array class that holds each dtype. */
export const ARRAY_OF: Record<DType, new (n: number) => VoxelArray> = {
  uint8: Uint8Array,
  int8: Int8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  float32: Float32Array,
  float64: Float64Array,
}
