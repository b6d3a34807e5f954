import { describe, expect, it } from 'vitest'
import { maskBoundingBox, unionBox, type VoxelBox } from '@fastsam-xr/geometry'
import { maskToMesh } from '../src/maskToMesh.ts'
import type { Vec3 } from '../src/types.ts'
import { makeMask } from './topology.ts'

describe('incremental re-meshing through regions', () => {
  const dims: Vec3 = [96, 80, 70]
  const affine = Float64Array.from([0.8, 0, 0, -40, 0, 0.8, 0, -30, 0, 0, 1.2, 5, 0, 0, 0, 1])
  const ball = (c: Vec3, r: number) => (i: number, j: number, k: number) =>
    (i - c[0]) ** 2 + (j - c[1]) ** 2 + (k - c[2]) ** 2 <= r * r

  it('bounding boxes: exact, label-aware, null when empty, union', () => {
    const m = makeMask(dims, ball([30, 40, 20], 6))
    expect(maskBoundingBox(m, dims)).toEqual({ origin: [24, 34, 14], size: [13, 13, 13] })
    expect(maskBoundingBox(m, dims, { label: 2 })).toBeNull()
    expect(maskBoundingBox(new Uint8Array(m.length), dims)).toBeNull()
    const a: VoxelBox = { origin: [1, 2, 3], size: [4, 4, 4] }
    const b: VoxelBox = { origin: [3, 0, 10], size: [10, 2, 1] }
    expect(unionBox(a, b)).toEqual({ origin: [1, 0, 3], size: [12, 6, 8] })
    expect(unionBox(null, b)).toEqual(b)
  })

  it('after a prompt edits a crop, meshing (previous box ∪ crop) equals meshing the whole volume', () => {
    const mask = makeMask(dims, ball([40, 40, 35], 14))
    const before = maskBoundingBox(mask, dims)
    // The decoder rewrites a 32³ crop: grows the object on one side and carves it on another.
    const crop: VoxelBox = { origin: [44, 30, 20], size: [32, 32, 32] }
    const grow = ball([58, 44, 34], 10)
    for (let k = 0; k < 32; k++)
      for (let j = 0; j < 32; j++)
        for (let i = 0; i < 32; i++) {
          const I = 44 + i,
            J = 30 + j,
            K = 20 + k
          const q = I + dims[0] * (J + dims[1] * K)
          mask[q] = grow(I, J, K) || (mask[q] === 1 && I < 50) ? 1 : 0
        }
    const region = unionBox(before, crop)!
    const incremental = maskToMesh(mask, dims, affine, { region })
    const full = maskToMesh(mask, dims, affine)
    expect(incremental.indices).toEqual(full.indices)
    expect(incremental.positions).toEqual(full.positions)
    // The new object box is inside the region, so the next prompt can start from it.
    const after = maskBoundingBox(mask, dims, { region })!
    for (let d = 0; d < 3; d++) {
      expect(after.origin[d]).toBeGreaterThanOrEqual(region.origin[d])
      expect(after.origin[d] + after.size[d]).toBeLessThanOrEqual(region.origin[d] + region.size[d])
    }
    // Meshing only the crop would be wrong here (the object extends beyond it): guard the premise.
    expect(maskToMesh(mask, dims, affine, { region: crop }).indices.length).not.toBe(full.indices.length)
  })
})
