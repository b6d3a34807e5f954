/**
 * Slice images and plane placement on the real demo CT (its slice grid is the volume itself: the
 * server's sliceVolume keeps factor 1 and int16 HU for it). The axial slice through the liver shows
 * soft tissue there in the soft-tissue window, air outside the body is transparent, and the plane's
 * quad lands exactly on the voxel centres it is textured with.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { Vector3 } from 'three'
import { readVolume } from '@fastsam-xr/volume'
import { repoRoot, sharedData } from '@fastsam-xr/test/paths'
import type { Vec3 } from '@fastsam-xr/protocol'
import type { SliceGrid } from '../../src/state/store.ts'
import { applyRowMajor } from '../../src/scene/caseFrame.ts'
import { stepsToRay } from '../../src/scene/SliceHandle.tsx'
import {
  airThreshold,
  planeLayout,
  planeMatrix,
  renderSlice,
  sliceIndex,
  type GridAxis,
} from '../../src/scene/sliceImage.ts'

const SOFT_TISSUE = { name: 'soft tissue', center: 40, width: 400 }
let grid: SliceGrid
let liverVoxel: Vec3
let liverLabel: Uint8Array

beforeAll(async () => {
  const ct = await readVolume(join(repoRoot, 'server', 'demo', 'example_ct.nii.gz'))
  expect(ct.dtype).toBe('int16')
  grid = {
    dims: [...ct.dims] as Vec3,
    affine: Array.from(ct.affine),
    scale: 1,
    offset: 0,
    voxels: ct.data as Int16Array,
  }
  const seg = await readVolume(sharedData('volumes', 'totalsegmentator', 'example_ct_seg.nii.gz'))
  const names = JSON.parse(
    readFileSync(sharedData('volumes', 'totalsegmentator', 'example_ct_labels.json'), 'utf8'),
  ) as {
    labels: Record<string, string>
  }
  const liver = Number(Object.entries(names.labels).find(([, n]) => n === 'liver')![0])
  liverLabel = new Uint8Array(seg.data.length)
  const sum = [0, 0, 0]
  let n = 0
  const [nx, ny] = seg.dims
  for (let q = 0; q < seg.data.length; q++)
    if (seg.data[q] === liver) {
      liverLabel[q] = 1
      sum[0] += q % nx
      sum[1] += Math.floor(q / nx) % ny
      sum[2] += Math.floor(q / (nx * ny))
      n++
    }
  liverVoxel = sum.map((s) => Math.round(s / n)) as Vec3
})

describe('renderSlice', () => {
  it('draws the liver as soft tissue and the air around the body transparent on the axial slice', () => {
    const axial = planeLayout(grid.dims, 2)
    const out = new Uint8Array(axial.width * axial.height * 4)
    renderSlice(grid, axial, liverVoxel[2], SOFT_TISSUE, airThreshold('CT', [-1024, 3000]), out)
    const [nx, ny] = grid.dims
    // Liver voxels of this slice: grey in the window's middle band (liver ≈ 40–120 HU → 128–179).
    const greys: number[] = []
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++)
        if (liverLabel[i + nx * (j + ny * liverVoxel[2])]) {
          const o = 4 * (i + axial.width * j)
          greys.push(out[o])
          expect(out[o + 3]).toBe(255)
        }
    greys.sort((a, b) => a - b)
    const median = greys[greys.length >> 1]
    expect(greys.length).toBeGreaterThan(200)
    expect(median).toBeGreaterThan(110)
    expect(median).toBeLessThan(200)
    // The image corners are air outside the body: transparent.
    for (const [i, j] of [
      [0, 0],
      [nx - 1, 0],
      [0, ny - 1],
      [nx - 1, ny - 1],
    ])
      expect(out[4 * (i + axial.width * j) + 3]).toBe(0)
  })

  it('follows the window: a narrow bone window turns the liver black, a wide one grey', () => {
    const axial = planeLayout(grid.dims, 2)
    const out = new Uint8Array(axial.width * axial.height * 4)
    const o = 4 * (liverVoxel[0] + axial.width * liverVoxel[1])
    renderSlice(grid, axial, liverVoxel[2], { name: 'bone', center: 700, width: 200 }, null, out)
    expect(out[o]).toBe(0)
    renderSlice(grid, axial, liverVoxel[2], { name: 'wide', center: 0, width: 4000 }, null, out)
    expect(out[o]).toBeGreaterThan(125)
    expect(out[o]).toBeLessThan(140)
  })

  it('reads a sagittal and a coronal slice along the right grid strides', () => {
    for (const axis of [0, 1] as GridAxis[]) {
      const layout = planeLayout(grid.dims, axis)
      const out = new Uint8Array(layout.width * layout.height * 4)
      renderSlice(grid, layout, liverVoxel[axis], { name: 'wide', center: 0, width: 65536 }, null, out)
      const x = liverVoxel[layout.u]
      const y = liverVoxel[layout.v]
      const q = liverVoxel[0] + grid.dims[0] * (liverVoxel[1] + grid.dims[1] * liverVoxel[2])
      const expected = Math.floor(((grid.voxels[q] + 32768) * 255) / 65536)
      expect(Math.abs(out[4 * (x + layout.width * y)] - expected)).toBeLessThanOrEqual(1)
    }
  })
})

describe('planeMatrix', () => {
  it('puts each texel centre on its voxel centre in RAS mm, for every axis', () => {
    for (const axis of [0, 1, 2] as GridAxis[]) {
      const layout = planeLayout(grid.dims, axis)
      const index = sliceIndex(grid.dims, axis, liverVoxel[axis] / (grid.dims[axis] - 1))
      expect(index).toBeCloseTo(liverVoxel[axis], 9)
      const m = planeMatrix(grid.affine, layout, index)
      expect(Math.abs(m.determinant())).toBeGreaterThan(0)
      const x = liverVoxel[layout.u]
      const y = liverVoxel[layout.v]
      const p = new Vector3((x + 0.5) / layout.width, (y + 0.5) / layout.height, 0).applyMatrix4(m)
      const expected = applyRowMajor(grid.affine, liverVoxel)
      expect(p.distanceTo(new Vector3(...expected))).toBeLessThan(1e-6)
    }
  })

  it('handles a permuted, flipped affine (an LPS-like storage order)', () => {
    // i → −A, j → −R (2 mm), k → +S (5 mm)
    const affine = [0, -2, 0, 10, -1, 0, 0, 20, 0, 0, 5, -30, 0, 0, 0, 1]
    const dims: Vec3 = [40, 50, 60]
    const layout = planeLayout(dims, 1)
    const m = planeMatrix(affine, layout, 7)
    const p = new Vector3((3 + 0.5) / layout.width, (11 + 0.5) / layout.height, 0).applyMatrix4(m)
    expect(p.toArray()).toEqual(applyRowMajor(affine, [3, 7, 11]).map((v) => expect.closeTo(v, 9)))
  })
})

describe('stepsToRay (slice knob drags)', () => {
  it('finds the voxel steps along the plane normal nearest a ray, for rays from any side', () => {
    const axisMm = [0, 0, 3] // k → +S, 3 mm per voxel
    const start = [10, 20, 30]
    // A ray crossing the normal line 12 mm (4 voxels) above the start, from the front and at a slant.
    expect(stepsToRay(start, axisMm, [10, 500, 42], [0, -1, 0])).toBeCloseTo(4, 9)
    expect(stepsToRay(start, axisMm, [300, 300, 42 + 100], [-290, -280, -100])).toBeCloseTo(4, 9)
    // Below the start: negative steps.
    expect(stepsToRay(start, axisMm, [-100, 20, 21], [1, 0, 0])).toBeCloseTo(-3, 9)
    // A ray along the normal gives no answer.
    expect(stepsToRay(start, axisMm, [10, 20, 100], [0, 0, -1])).toBeNull()
  })
})
