import { describe, expect, it } from 'vitest'
import { sliceAxes } from '../../src/ui/sliceAxes.ts'

/** row-major 4×4 from the three voxel-axis columns (in RAS) and no translation. */
// prettier-ignore
const affineOf = (i: number[], j: number[], k: number[]) => [
  i[0], j[0], k[0], 0,
  i[1], j[1], k[1], 0,
  i[2], j[2], k[2], 0,
  0, 0, 0, 1,
]

describe('sliceAxes', () => {
  it('names the planes of a RAS-ordered grid (i = R, j = A, k = S)', () => {
    expect(sliceAxes(affineOf([0.8, 0, 0], [0, 0.8, 0], [0, 0, 2.5]))).toEqual([
      { plane: 'axial', gridAxis: 2, ends: ['I', 'S'] },
      { plane: 'coronal', gridAxis: 1, ends: ['P', 'A'] },
      { plane: 'sagittal', gridAxis: 0, ends: ['L', 'R'] },
    ])
  })
  it('follows a flipped, permuted grid (LPS storage with slices along j)', () => {
    // i runs to the patient's left, j runs inferior (slices), k runs posterior
    const axes = sliceAxes(affineOf([-1, 0, 0], [0, 0, -3], [0, -1, 0]))
    expect(axes).toEqual([
      { plane: 'axial', gridAxis: 1, ends: ['S', 'I'] },
      { plane: 'coronal', gridAxis: 2, ends: ['A', 'P'] },
      { plane: 'sagittal', gridAxis: 0, ends: ['R', 'L'] },
    ])
  })
  it('picks the dominant direction of a slightly oblique grid', () => {
    const axes = sliceAxes(affineOf([0.99, 0.1, 0], [-0.1, 0.99, 0.05], [0, -0.05, 1]))
    expect(axes.map((a) => [a.plane, a.gridAxis])).toEqual([
      ['axial', 2],
      ['coronal', 1],
      ['sagittal', 0],
    ])
  })
  it('falls back to i, j, k = sagittal, coronal, axial when two axes share a direction', () => {
    const axes = sliceAxes(affineOf([1, 0.2, 0], [0.9, 0.1, 0], [0, 0, 1]))
    expect(axes.map((a) => [a.plane, a.gridAxis])).toEqual([
      ['axial', 2],
      ['coronal', 1],
      ['sagittal', 0],
    ])
  })
})
