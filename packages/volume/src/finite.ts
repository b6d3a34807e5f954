import { VolumeError } from './errors.ts'
import type { ReadOptions } from './options.ts'

/**
 * Applies the NaN/Inf policy to float voxel data in place. Returns the number of voxels replaced
 * (0 when there were none); throws NON_FINITE under the default policy.
 */
export function checkFinite(
  data: Float32Array | Float64Array,
  opts: ReadOptions | undefined,
  what: string,
): number {
  let bad = 0
  for (let q = 0; q < data.length; q++) {
    // x − x is 0 for finite x and NaN for NaN/±Inf: one compare per voxel.
    const v = data[q]
    if (v - v !== 0) bad++
  }
  if (bad === 0) return 0
  if ((opts?.nonFinite ?? 'error') === 'error')
    throw new VolumeError(
      'NON_FINITE',
      `${what} has ${bad} NaN/Inf voxel${bad === 1 ? '' : 's'} (pass nonFinite: 'zero' to replace them with 0)`,
    )
  for (let q = 0; q < data.length; q++) {
    const v = data[q]
    if (v - v !== 0) data[q] = 0
  }
  return bad
}
