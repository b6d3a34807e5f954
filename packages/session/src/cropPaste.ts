/**
 * Writing a crop's result into a segment's Volume-order mask: the union paste of an extension crop
 * (it only adds voxels), and saving/restoring the values of a voxel box (so the current crop's
 * contribution can be taken back out when the next prompt refines it).
 */
import type { VoxelBox } from '@fastsam-xr/geometry'
import { pasteCropMask, type ModelCrop, type Volume } from '@fastsam-xr/volume'

/**
 * Sets to 1 every voxel of `into` (Volume order) whose nearest crop voxel is inside `cropMask`
 * (size³, C-order); the others keep their value: the volume package's pasteCropMask in union mode, so
 * `unionCropMask(m) == into | pasteCropMask(m)` (tested).
 */
export function unionCropMask(
  cropMask: Uint8Array,
  crop: Pick<ModelCrop, 'cropAffine' | 'size'>,
  volume: Volume,
  into: Uint8Array,
): void {
  const { size } = crop
  const [nx, ny, nz] = volume.dims
  if (cropMask.length !== size ** 3 || into.length !== nx * ny * nz)
    throw new RangeError(`union paste: mask ${cropMask.length} (expected ${size}³), target ${into.length}`)
  pasteCropMask(cropMask, crop, volume, into, { union: true })
}

/** The values of `mask` (Volume order over `dims`) inside `box`, i fastest. */
export function copyBox(mask: Uint8Array, dims: readonly number[], box: VoxelBox): Uint8Array {
  const [nx, ny] = dims
  const [sx, sy, sz] = box.size
  const out = new Uint8Array(sx * sy * sz)
  for (let k = 0, o = 0; k < sz; k++)
    for (let j = 0; j < sy; j++, o += sx) {
      const row = box.origin[0] + nx * (box.origin[1] + j + ny * (box.origin[2] + k))
      out.set(mask.subarray(row, row + sx), o)
    }
  return out
}

/** Writes `values` (from copyBox over the same box) back into `mask`. */
export function restoreBox(
  mask: Uint8Array,
  dims: readonly number[],
  box: VoxelBox,
  values: Uint8Array,
): void {
  const [nx, ny] = dims
  const [sx, sy, sz] = box.size
  for (let k = 0, o = 0; k < sz; k++)
    for (let j = 0; j < sy; j++, o += sx) {
      const row = box.origin[0] + nx * (box.origin[1] + j + ny * (box.origin[2] + k))
      mask.set(values.subarray(o, o + sx), row)
    }
}
