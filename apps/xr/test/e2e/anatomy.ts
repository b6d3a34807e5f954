/**
 * Where the organs of the demo CT are, from TotalSegmentator's labels of the same scan
 * (`example_ct_seg.nii.gz`, the same 122×101×112 grid and affine as `server/demo/example_ct.nii.gz`;
 * checked on load). The tests click at these points and check that the point the app sent lies
 * inside the organ.
 */
import { readFileSync } from 'node:fs'
import { applyAffine, invert4, readVolume, type Mat4, type Vec3, type Volume } from '@fastsam-xr/volume'
import { sharedData } from '@fastsam-xr/test/paths'

export interface Anatomy {
  seg: Volume
  /** organ name → label value (`example_ct_labels.json`). */
  labels: Record<string, number>
  /** label value at a world RAS point (nearest voxel; 0 outside the grid). */
  labelAt(ras: Vec3): number
  /**
   * A point deep inside an organ (world RAS mm, a voxel centre): the voxels farthest from the organ's
   * border (6-connected distance), and among those the one nearest the organ's centroid.
   * `depth` is that distance in voxels.
   */
  interiorPoint(organ: string): { ras: Vec3; voxel: Vec3; depth: number }
  /** voxel count of an organ. */
  voxels(organ: string): number
}

const gridsEqual = (a: Pick<Volume, 'dims' | 'affine'>, b: Pick<Volume, 'dims' | 'affine'>): boolean =>
  a.dims.every((d, i) => d === b.dims[i]) && a.affine.every((v, i) => Math.abs(v - b.affine[i]) < 1e-3)

export async function loadAnatomy(demoCtPath: string): Promise<Anatomy> {
  const seg = await readVolume(sharedData('volumes', 'totalsegmentator', 'example_ct_seg.nii.gz'))
  const demo = await readVolume(demoCtPath)
  if (!gridsEqual(seg, demo)) throw new Error('example_ct_seg.nii.gz is not on the demo CT grid')
  const names = JSON.parse(
    readFileSync(sharedData('volumes', 'totalsegmentator', 'example_ct_labels.json'), 'utf8'),
  ) as { labels: Record<string, string> }
  const labels: Record<string, number> = {}
  for (const [value, name] of Object.entries(names.labels)) labels[name] = Number(value)
  const [nx, ny, nz] = seg.dims
  const toVoxel = invert4(seg.affine as Mat4)
  const labelOf = (organ: string): number => {
    const v = labels[organ]
    if (v === undefined) throw new Error(`no organ '${organ}' in the demo labels`)
    return v
  }
  return {
    seg,
    labels,
    labelAt(ras) {
      const [i, j, k] = applyAffine(toVoxel, ras).map(Math.round)
      if (i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz) return 0
      return seg.data[i + nx * (j + ny * k)]
    },
    voxels(organ) {
      const label = labelOf(organ)
      let n = 0
      for (let q = 0; q < seg.data.length; q++) if (seg.data[q] === label) n++
      return n
    },
    interiorPoint(organ) {
      const label = labelOf(organ)
      // Breadth-first distance from the outside (every non-organ voxel and the grid's border).
      const dist = new Int32Array(seg.data.length).fill(-1)
      let frontier: number[] = []
      for (let k = 0, q = 0; k < nz; k++)
        for (let j = 0; j < ny; j++)
          for (let i = 0; i < nx; i++, q++) {
            if (seg.data[q] !== label) dist[q] = 0
            else if (i === 0 || j === 0 || k === 0 || i === nx - 1 || j === ny - 1 || k === nz - 1) {
              dist[q] = 1
              frontier.push(q)
            }
          }
      for (let q = 0; q < seg.data.length; q++) {
        if (dist[q] !== 0) continue
        const i = q % nx
        const j = Math.floor(q / nx) % ny
        const k = Math.floor(q / (nx * ny))
        for (const [di, dj, dk] of NEIGHBOURS) {
          const a = i + di
          const b = j + dj
          const c = k + dk
          if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz) continue
          const r = a + nx * (b + ny * c)
          if (dist[r] === -1) {
            dist[r] = 1
            frontier.push(r)
          }
        }
      }
      let depth = 1
      while (frontier.length > 0) {
        const next: number[] = []
        for (const q of frontier) {
          const i = q % nx
          const j = Math.floor(q / nx) % ny
          const k = Math.floor(q / (nx * ny))
          for (const [di, dj, dk] of NEIGHBOURS) {
            const a = i + di
            const b = j + dj
            const c = k + dk
            if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz) continue
            const r = a + nx * (b + ny * c)
            if (dist[r] === -1) {
              dist[r] = depth + 1
              next.push(r)
            }
          }
        }
        if (next.length > 0) depth++
        frontier = next
      }
      const sum = [0, 0, 0]
      let n = 0
      for (let q = 0; q < dist.length; q++)
        if (seg.data[q] === label) {
          sum[0] += q % nx
          sum[1] += Math.floor(q / nx) % ny
          sum[2] += Math.floor(q / (nx * ny))
          n++
        }
      if (n === 0) throw new Error(`organ '${organ}' is not in the demo labels`)
      const c = sum.map((s) => s / n)
      let best: Vec3 = [0, 0, 0]
      let bestD = Infinity
      for (let q = 0; q < dist.length; q++) {
        if (dist[q] !== depth) continue
        const v: Vec3 = [q % nx, Math.floor(q / nx) % ny, Math.floor(q / (nx * ny))]
        const d = (v[0] - c[0]) ** 2 + (v[1] - c[1]) ** 2 + (v[2] - c[2]) ** 2
        if (d < bestD) {
          bestD = d
          best = v
        }
      }
      return { ras: applyAffine(seg.affine, best), voxel: best, depth }
    },
  }
}

const NEIGHBOURS: Vec3[] = [
  [1, 0, 0],
  [-1, 0, 0],
  [0, 1, 0],
  [0, -1, 0],
  [0, 0, 1],
  [0, 0, -1],
]
