/**
 * Which slice-grid axis (i, j, k) is the axial, coronal and sagittal plane's normal, read from the grid's
 * voxel → RAS affine, so the panel's three sliders are named for what they move whatever the volume's
 * storage orientation. view.slicePosition[a] is the fraction 0..1 along grid axis a.
 */

export type PlaneName = 'axial' | 'coronal' | 'sagittal'

export interface SliceAxis {
  plane: PlaneName
  /** index into view.slicePosition (the grid axis the plane is perpendicular to). */
  gridAxis: 0 | 1 | 2
  /** the patient directions at fraction 0 and fraction 1 ('I' → 'S' for a usual axial stack). */
  ends: [string, string]
}

const PLANES: PlaneName[] = ['sagittal', 'coronal', 'axial'] // normal along R, A, S
const NEGATIVE_END = ['L', 'P', 'I']
const POSITIVE_END = ['R', 'A', 'S']

/**
 * Sliders in display order axial, coronal, sagittal. `affine` is row-major 4×4 (voxel → world RAS mm).
 * An oblique grid whose axes do not map one-to-one onto R, A, S falls back to i = sagittal,
 * j = coronal, k = axial (the NIfTI convention).
 */
export function sliceAxes(affine: readonly number[]): SliceAxis[] {
  const rasOfGridAxis: number[] = []
  const signs: number[] = []
  for (let axis = 0; axis < 3; axis++) {
    const column = [affine[axis], affine[4 + axis], affine[8 + axis]]
    let best = 0
    for (let r = 1; r < 3; r++) if (Math.abs(column[r]) > Math.abs(column[best])) best = r
    rasOfGridAxis.push(best)
    signs.push(column[best] < 0 ? -1 : 1)
  }
  const oneToOne = new Set(rasOfGridAxis).size === 3
  const axes = ([0, 1, 2] as const).map((gridAxis): SliceAxis => {
    const ras = oneToOne ? rasOfGridAxis[gridAxis] : gridAxis
    const sign = oneToOne ? signs[gridAxis] : 1
    const low = sign > 0 ? NEGATIVE_END[ras] : POSITIVE_END[ras]
    const high = sign > 0 ? POSITIVE_END[ras] : NEGATIVE_END[ras]
    return { plane: PLANES[ras], gridAxis, ends: [low, high] }
  })
  const order: PlaneName[] = ['axial', 'coronal', 'sagittal']
  return axes.sort((a, b) => order.indexOf(a.plane) - order.indexOf(b.plane))
}
