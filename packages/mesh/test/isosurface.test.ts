import { beforeAll, describe, expect, it } from 'vitest'
import { sharedData } from '@fastsam-xr/test/paths'
import { downsampleGrid, isosurface, isosurfaceForBudget, isosurfaceLods } from '../src/isosurface.ts'
import { meshVolumeMm3 } from '../src/measure.ts'
import { meshReady } from '../src/ready.ts'
import { simplify } from '../src/simplify.ts'
import { MeshInputError, type Vec3 } from '../src/types.ts'
import { readNiftiForTests } from './readNiftiForTests.ts'
import { IDENTITY, topologyProblems } from './topology.ts'

beforeAll(async () => {
  await meshReady
})

/** Distance field of a ball: value = r − |x − c| (inside ≥ 0). */
function ballField(
  dims: Vec3,
  c: Vec3,
  r: number,
  affine = IDENTITY,
): { data: Float32Array; dims: Vec3; affine: Float64Array } {
  const data = new Float32Array(dims[0] * dims[1] * dims[2])
  for (let k = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++)
      for (let i = 0; i < dims[0]; i++)
        data[i + dims[0] * (j + dims[1] * k)] = r - Math.hypot(i - c[0], j - c[1], k - c[2])
  return { data, dims, affine }
}

describe('isosurface', () => {
  it('interpolates vertices onto the threshold crossing (sub-voxel accurate sphere)', () => {
    const g = ballField([40, 40, 40], [20.3, 19.6, 20.1], 12.4)
    const m = isosurface(g, 0)
    expect(topologyProblems(m)).toEqual([])
    for (let o = 0; o < m.positions.length; o += 3) {
      const r = Math.hypot(m.positions[o] - 20.3, m.positions[o + 1] - 19.6, m.positions[o + 2] - 20.1)
      expect(Math.abs(r - 12.4)).toBeLessThan(0.05)
    }
    expect(Math.abs(meshVolumeMm3(m) / ((4 / 3) * Math.PI * 12.4 ** 3) - 1)).toBeLessThan(0.01)
  })

  it('downsampling keeps the world placement; LODs get coarser', () => {
    const g = ballField([48, 48, 48], [24, 24, 24], 15)
    const d = downsampleGrid(g, 2)
    expect(d.dims).toEqual([24, 24, 24])
    // New voxel 0 is the centre of old voxels 0..1 → world 0.5.
    expect(d.affine[3]).toBeCloseTo(0.5)
    expect(d.affine[0]).toBeCloseTo(2)
    const lods = isosurfaceLods(g, 0, [1, 2, 4])
    expect(lods.map((l) => l.downsample)).toEqual([4, 2, 1])
    const tris = lods.map((l) => l.mesh.indices.length)
    expect(tris[0]).toBeLessThan(tris[1])
    expect(tris[1]).toBeLessThan(tris[2])
    for (const l of lods) {
      expect(topologyProblems(l.mesh)).toEqual([])
      expect(Math.abs(meshVolumeMm3(l.mesh) / ((4 / 3) * Math.PI * 15 ** 3) - 1)).toBeLessThan(
        0.02 * l.downsample,
      )
    }
  })

  it('CT bone surface of the example CT: closed, oriented, simplifies to a budget within the error bound', () => {
    const ct = readNiftiForTests(sharedData('volumes', 'totalsegmentator', 'example_ct_img.nii.gz'))
    const bone = isosurface(ct, 250, { downsample: 2 })
    expect(bone.indices.length / 3).toBeGreaterThan(5000)
    expect(topologyProblems(bone)).toEqual([])
    expect(meshVolumeMm3(bone)).toBeGreaterThan(0)
    const budget = Math.floor(bone.indices.length / 3 / 4)
    const { mesh, errorMm } = simplify(bone, { targetTriangles: budget, maxErrorMm: 3, keepManifold: false })
    expect(mesh.indices.length / 3).toBeLessThanOrEqual(budget)
    expect(errorMm).toBeLessThanOrEqual(3)
    expect(mesh.positions.length / 3).toBeLessThan(bone.positions.length / 3) // vertices compacted
    for (const i of mesh.indices) if (i >= mesh.positions.length / 3) throw new Error('index out of range')
    // Guarded (default): whatever comes back is still closed and oriented.
    const guarded = simplify(bone, { targetTriangles: budget, maxErrorMm: 3 })
    expect(topologyProblems(guarded.mesh)).toEqual([])
    expect(guarded.mesh.indices.length).toBeLessThanOrEqual(bone.indices.length)
    // A tight error bound wins over the triangle budget.
    const strict = simplify(bone, { targetTriangles: 10, maxErrorMm: 0.2 })
    expect(strict.errorMm).toBeLessThanOrEqual(0.2)
    expect(strict.mesh.indices.length / 3).toBeGreaterThan(1000)
  })

  it('fits a whole-patient triangle budget: finest level that fits, simplified the rest of the way', () => {
    const ct = readNiftiForTests(sharedData('volumes', 'totalsegmentator', 'example_ct_img.nii.gz'))
    const full = isosurface(ct, 250).indices.length / 3
    for (const budget of [full * 2, 30_000, 5_000, 500]) {
      const r = isosurfaceForBudget(ct, 250, budget)
      expect(r.mesh.indices.length / 3).toBeLessThanOrEqual(budget)
      if (budget >= full) expect(r.downsample).toBe(1)
      else expect(r.downsample).toBeGreaterThanOrEqual(1)
      expect(r.mesh.indices.length / 3).toBeGreaterThan(budget / 10)
    }
    expect(() => isosurfaceForBudget(ct, 250, 0)).toThrow(MeshInputError)
  })

  it('rejects bad input', () => {
    const g = ballField([8, 8, 8], [4, 4, 4], 2)
    expect(() => isosurface(g, Number.NaN)).toThrow(MeshInputError)
    expect(() => isosurface(g, 0, { downsample: 1.5 })).toThrow(MeshInputError)
    expect(() => isosurface({ ...g, dims: [9, 8, 8] }, 0)).toThrow(MeshInputError)
  })
})
