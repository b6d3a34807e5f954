import { describe, expect, it } from 'vitest'
import { sharedData } from '@fastsam-xr/test/paths'
import { maskToMesh } from '../src/maskToMesh.ts'
import { meshVolumeMl, voxelVolumeMl } from '../src/measure.ts'
import type { Mesh, Vec3 } from '../src/types.ts'
import { readNiftiForTests } from './readNiftiForTests.ts'
import { eulerCharacteristic, topologyProblems } from './topology.ts'

const seg = readNiftiForTests(sharedData('volumes', 'totalsegmentator', 'example_ct_seg.nii.gz'))
const labels = JSON.parse(
  await import('node:fs').then((fs) =>
    fs.readFileSync(sharedData('volumes', 'totalsegmentator', 'example_ct_labels.json'), 'utf8'),
  ),
) as { labels: Record<string, string> }
const labelOf = (name: string): number =>
  Number(Object.entries(labels.labels).find(([, n]) => n === name)![0])

function centroid(m: Mesh): Vec3 {
  const c: Vec3 = [0, 0, 0]
  const n = m.positions.length / 3
  for (let o = 0; o < m.positions.length; o += 3) for (let d = 0; d < 3; d++) c[d] += m.positions[o + d] / n
  return c
}

/** Centroid of the label's voxels in world RAS mm, through the affine. */
function voxelCentroid(label: number): Vec3 {
  const [nx, ny, nz] = seg.dims
  const s = [0, 0, 0]
  let n = 0
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++)
        if (seg.data[i + nx * (j + ny * k)] === label) {
          s[0] += i
          s[1] += j
          s[2] += k
          n++
        }
  const a = seg.affine
  const v = s.map((x) => x / n)
  return [0, 1, 2].map(
    (r) => a[4 * r] * v[0] + a[4 * r + 1] * v[1] + a[4 * r + 2] * v[2] + a[4 * r + 3],
  ) as Vec3
}

describe('real labels of the TotalSegmentator example CT', () => {
  const mask = seg.data as Uint8Array
  for (const name of ['liver', 'aorta', 'spleen', 'kidney_left']) {
    it(`${name}: closed, oriented, volume within 2 % of voxel counting, placed in RAS`, () => {
      const label = labelOf(name)
      const m = maskToMesh(mask, seg.dims, seg.affine, { label })
      expect(m.indices.length).toBeGreaterThan(300)
      expect(topologyProblems(m)).toEqual([])
      expect(eulerCharacteristic(m) % 2).toBe(0)
      const vox = voxelVolumeMl(mask, seg.dims, seg.affine, label)
      expect(Math.abs(meshVolumeMl(m) - vox) / vox).toBeLessThan(0.02)
      // Surface centroid near the voxel centroid (3 mm voxels; shapes are not symmetric).
      const c = centroid(m)
      const v = voxelCentroid(label)
      for (let d = 0; d < 3; d++) expect(Math.abs(c[d] - v[d])).toBeLessThan(15)
    })
  }

  it('anatomy lands on the right side of RAS space (fails if an axis flipped)', () => {
    const liver = centroid(
      maskToMesh(seg.data as Uint8Array, seg.dims, seg.affine, { label: labelOf('liver') }),
    )
    const spleen = centroid(
      maskToMesh(seg.data as Uint8Array, seg.dims, seg.affine, { label: labelOf('spleen') }),
    )
    const bladder = centroid(
      maskToMesh(seg.data as Uint8Array, seg.dims, seg.affine, { label: labelOf('urinary_bladder') }),
    )
    const aorta = centroid(
      maskToMesh(seg.data as Uint8Array, seg.dims, seg.affine, { label: labelOf('aorta') }),
    )
    const cord = centroid(
      maskToMesh(seg.data as Uint8Array, seg.dims, seg.affine, { label: labelOf('spinal_cord') }),
    )
    expect(liver[0]).toBeGreaterThan(spleen[0] + 100) // liver on the patient's right (+x = R)
    expect(liver[2]).toBeGreaterThan(bladder[2] + 150) // liver above the bladder (+z = S)
    expect(aorta[1]).toBeGreaterThan(cord[1]) // aorta in front of the spinal cord (+y = A)
  })

  it('smoothed liver keeps its volume (Taubin does not shrink)', () => {
    const label = labelOf('liver')
    const vox = voxelVolumeMl(mask, seg.dims, seg.affine, label)
    const m = maskToMesh(mask, seg.dims, seg.affine, { label, smooth: 10 })
    expect(topologyProblems(m)).toEqual([])
    expect(Math.abs(meshVolumeMl(m) - vox) / vox).toBeLessThan(0.02)
  })
})
