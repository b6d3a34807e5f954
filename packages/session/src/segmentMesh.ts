/**
 * A segment's mask → its mesh update bytes (mask kind of the mesh package's wire format: the mask
 * travels, the receiver re-meshes it exactly). Only the region that may hold the object is scanned:
 * previous object box ∪ the crops pasted since (the mesh package's incremental recipe), or the whole
 * volume after a replay from scratch.
 */
import { determinant3, maskBoundingBox, unionBox, type VoxelBox } from '@fastsam-xr/geometry'
import { encodeMaskMesh } from '@fastsam-xr/mesh'
import type { Volume } from '@fastsam-xr/volume'

export interface SegmentMesh {
  bytes: Uint8Array
  /** bounding box of the inside voxels, or null when empty (the next update's starting region). */
  box: VoxelBox | null
  voxels: number
  volumeMl: number
  meshMs: number
}

const EMPTY_BOX_DIMS: [number, number, number] = [1, 1, 1]

export function meshSegment(
  mask: Uint8Array | null,
  volume: Volume,
  previousBox: VoxelBox | null,
  changed: VoxelBox | null,
  whole: boolean,
): SegmentMesh {
  const t = performance.now()
  const { dims, affine } = volume
  let box: VoxelBox | null = null
  if (mask) {
    const region = whole ? undefined : unionBox(previousBox, changed)
    box = whole || region ? maskBoundingBox(mask, dims, region ? { region } : {}) : null
  }
  if (!mask || !box) {
    // An empty segment: a one-voxel empty box on the volume's grid (decodes to a mesh with no triangles).
    const bytes = encodeMaskMesh(new Uint8Array(1), EMPTY_BOX_DIMS, affine)
    return { bytes, box: null, voxels: 0, volumeMl: 0, meshMs: performance.now() - t }
  }
  let voxels = 0
  const [nx, ny] = dims
  for (let k = box.origin[2]; k < box.origin[2] + box.size[2]; k++)
    for (let j = box.origin[1]; j < box.origin[1] + box.size[1]; j++) {
      const row = nx * (j + ny * k)
      for (let i = row + box.origin[0], end = i + box.size[0]; i < end; i++) voxels += mask[i]
    }
  const bytes = encodeMaskMesh(mask, dims, affine, { region: box })
  const voxelMl = Math.abs(determinant3(affine)) / 1000
  return { bytes, box, voxels, volumeMl: voxels * voxelMl, meshMs: performance.now() - t }
}
