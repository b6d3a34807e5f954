/** Points inside labelled structures of real label maps, for tests and benchmarks. */
import { applyAffine, type Vec3, type Volume } from '@fastsam-xr/volume'

/** World RAS centre of the `label` voxel nearest the label's centroid (so it lies inside the organ). */
export function labelPoint(seg: Pick<Volume, 'data' | 'dims' | 'affine'>, label: number): Vec3 {
  const [nx, ny, nz] = seg.dims
  const sum = [0, 0, 0]
  let n = 0
  for (let k = 0, q = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, q++)
        if (seg.data[q] === label) {
          sum[0] += i
          sum[1] += j
          sum[2] += k
          n++
        }
  if (n === 0) throw new Error(`label ${label} not present`)
  const c = sum.map((s) => s / n)
  let best: Vec3 = [0, 0, 0]
  let bestD = Infinity
  for (let k = 0, q = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, q++)
        if (seg.data[q] === label) {
          const d = (i - c[0]) ** 2 + (j - c[1]) ** 2 + (k - c[2]) ** 2
          if (d < bestD) {
            bestD = d
            best = [i, j, k]
          }
        }
  return applyAffine(seg.affine, best)
}
