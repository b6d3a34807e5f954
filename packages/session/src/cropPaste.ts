/**
 * Writing a crop's result into a segment's Volume-order mask: the union paste of an extension crop
 * (it only adds voxels), and saving/restoring the values of a voxel box (so the current crop's
 * contribution can be taken back out when the next prompt refines it).
 */
import { multiply4, type VoxelBox } from '@fastsam-xr/geometry'
import { invert4, type ModelCrop, type Volume } from '@fastsam-xr/volume'
import { cropBoxInVolume } from './cropBox.ts'

/**
 * Sets to 1 every voxel of `into` (Volume order) whose nearest crop voxel is inside `cropMask`
 * (size³, C-order); the others keep their value. The same nearest-voxel rule (round half up) as
 * the volume package's pasteCropMask, so `unionCropMask(m) == into | pasteCropMask(m)` (tested).
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
  const box = cropBoxInVolume(crop, volume)
  if (!box) return
  // Volume voxel → crop index.
  const M = multiply4(invert4(crop.cropAffine), volume.affine)
  const s2 = size * size
  const [i0, j0, k0] = box.origin
  for (let k = k0; k < k0 + box.size[2]; k++)
    for (let j = j0; j < j0 + box.size[1]; j++) {
      let x = M[0] * i0 + M[1] * j + M[2] * k + M[3]
      let y = M[4] * i0 + M[5] * j + M[6] * k + M[7]
      let z = M[8] * i0 + M[9] * j + M[10] * k + M[11]
      let t = i0 + nx * (j + ny * k)
      for (let i = i0; i < i0 + box.size[0]; i++, t++, x += M[0], y += M[4], z += M[8]) {
        const a0 = Math.floor(x + 0.5)
        const a1 = Math.floor(y + 0.5)
        const a2 = Math.floor(z + 0.5)
        if (a0 < 0 || a0 >= size || a1 < 0 || a1 >= size || a2 < 0 || a2 >= size) continue
        if (cropMask[s2 * a0 + size * a1 + a2]) into[t] = 1
      }
    }
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
