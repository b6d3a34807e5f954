/** Real volumes of the shared data set used by the runtime tests, and points found from their labels. */
import { readVolume, type Volume } from '@fastsam-xr/volume'
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

export { labelPoint } from '../../../test/support/labelPoint.ts'

export async function readPair(img: string, seg: string): Promise<{ image: Volume; seg: Volume }> {
  const [image, labels] = await Promise.all([readVolume(img), readVolume(seg)])
  return { image, seg: labels }
}
