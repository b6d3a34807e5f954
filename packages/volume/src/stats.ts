import type { VoxelArray } from './volume.ts'

/** Minimum and maximum voxel value (NaN-free data assumed: readers enforce it). */
export function minMax(data: VoxelArray): { min: number; max: number } {
  let min = Infinity
  let max = -Infinity
  for (let q = 0; q < data.length; q++) {
    const v = data[q]
    if (v < min) min = v
    if (v > max) max = v
  }
  return { min, max }
}
