/** Options shared by every reader. */
export interface ReadOptions {
  /**
   * Largest number of voxels (i × j × k of one 3D frame) a reader will allocate. A header asking for
   * more is refused with VOXEL_BUDGET before any voxel memory is allocated. Default 512 × 512 × 2000.
   */
  maxVoxels?: number
  /**
   * NaN / ±Inf voxels: 'error' (default) throws NON_FINITE with the count — a model fed NaN returns
   * NaN everywhere, so silently passing them on is never right; 'zero' replaces them with 0 and records
   * the count in `meta.nonFiniteReplaced`.
   */
  nonFinite?: 'error' | 'zero'
  /** DICOM folders holding several series: the SeriesInstanceUID to read (else MIXED_SERIES). */
  seriesInstanceUid?: string
}

export const DEFAULT_MAX_VOXELS = 512 * 512 * 2000

export function voxelBudget(opts: ReadOptions | undefined): number {
  return opts?.maxVoxels ?? DEFAULT_MAX_VOXELS
}
