/**
 * The box of a volume's voxels a model crop can touch: the crop's corners (crop index −0.5 and
 * size − 0.5 per axis) mapped to the volume's voxel grid, widened by one voxel, clamped to the volume.
 * Pasting a crop mask changes no voxel outside it, so it bounds the region to re-mesh.
 */
import type { VoxelBox } from '@fastsam-xr/geometry'
import {
  applyAffine,
  cropFootprint,
  invert4,
  type ModelCrop,
  type Vec3,
  type Volume,
} from '@fastsam-xr/volume'

export function cropBoxInVolume(
  crop: Pick<ModelCrop, 'cropAffine' | 'size'>,
  volume: Volume,
): VoxelBox | null {
  const { from, to } = cropFootprint(crop, volume)
  if (from.some((f, a) => f > to[a])) return null
  return { origin: from, size: [to[0] - from[0] + 1, to[1] - from[1] + 1, to[2] - from[2] + 1] }
}

/** Whether a world point lies in the volume (its nearest voxel is one of the volume's voxels). */
export function insideVolume(volume: Volume, pointWorldRas: Vec3): boolean {
  const p = applyAffine(invert4(volume.affine), pointWorldRas)
  return p.every((x, a) => x >= -0.5 && x < volume.dims[a] - 0.5)
}
