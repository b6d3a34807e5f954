/**
 * The one error type the volume library throws for bad input. `code` lets callers (the CLI, the server)
 * react without parsing messages; `message` is one line meant for a person.
 */
export type VolumeErrorCode =
  | 'NOT_FOUND'
  | 'TRUNCATED'
  | 'BAD_GZIP'
  | 'BAD_MAGIC'
  | 'BAD_HEADER'
  | 'UNSUPPORTED_DATATYPE'
  | 'VOXEL_BUDGET'
  | 'NON_FINITE'
  | 'BAD_DICOM'
  | 'MIXED_SERIES'
  | 'NOT_AN_IMAGE'
  | 'UNSUPPORTED_TRANSFER_SYNTAX'
  | 'UNSUPPORTED_DICOM'
  | 'INCONSISTENT_SERIES'
  | 'DUPLICATE_SLICES'
  | 'NON_UNIFORM_SPACING'
  | 'GANTRY_TILT'
  | 'BAD_GEOMETRY'
  | 'DEGENERATE_CROP'
  | 'BAD_ARGUMENT'

export class VolumeError extends Error {
  readonly code: VolumeErrorCode
  constructor(code: VolumeErrorCode, message: string) {
    super(message)
    this.name = 'VolumeError'
    this.code = code
  }
}
