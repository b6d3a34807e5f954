/** Real volumes of the shared data set used by the runtime tests, and points found from their labels. */
import { applyAffine, readVolume, type Vec3, type Volume } from '@fastsam-xr/volume'
import { sharedData } from '../../../test/support/paths.ts'

/** TotalSegmentator example CT, 122×101×112 at 3 mm, RAS-aligned affine (+3, +3, +3). */
export const exampleCtPath = (): string => sharedData('volumes', 'totalsegmentator', 'example_ct_img.nii.gz')
export const exampleCtSegPath = (): string =>
  sharedData('volumes', 'totalsegmentator', 'example_ct_seg.nii.gz')
/** TotalSegmentator DICOM example as NIfTI, 512×512×20, affine diagonal (−0.977, −0.977, +2): i and j run L and P. */
export const dicomCtPath = (): string =>
  sharedData('volumes', 'totalsegmentator', 'example_ct_dicom_img.nii.gz')
export const dicomCtSegPath = (): string =>
  sharedData('volumes', 'totalsegmentator', 'example_ct_dicom_seg.nii.gz')

export const LIVER = 5

/** World RAS centre of the `label` voxel nearest the label's centroid (so it lies inside the organ). */
export function labelPoint(seg: Volume, label: number): Vec3 {
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

export async function readPair(img: string, seg: string): Promise<{ image: Volume; seg: Volume }> {
  const [image, labels] = await Promise.all([readVolume(img), readVolume(seg)])
  return { image, seg: labels }
}
