/**
 * The CPU side of the slice planes: where a plane sits in the slice grid, the matrix that places a unit
 * quad there in RAS mm, and the windowed RGBA image of one slice (int16 voxels → window/level → grey).
 * Pure (no React, no GPU), so it is tested directly.
 */
import { Matrix4 } from 'three'
import type { Vec3, WindowPreset } from '@fastsam-xr/protocol'
import type { SliceGrid } from '../state/store.ts'

export type GridAxis = 0 | 1 | 2

/** A plane perpendicular to grid axis `axis`; its image runs along `u` (x) and `v` (y), u < v. */
export interface PlaneLayout {
  axis: GridAxis
  u: GridAxis
  v: GridAxis
  width: number
  height: number
}

export function planeLayout(dims: Readonly<Vec3>, axis: GridAxis): PlaneLayout {
  const [u, v] = ([0, 1, 2] as GridAxis[]).filter((a) => a !== axis)
  return { axis, u, v, width: dims[u], height: dims[v] }
}

/** The voxel index (continuous) a plane at `fraction` 0..1 along the axis passes through. */
export function sliceIndex(dims: Readonly<Vec3>, axis: GridAxis, fraction: number): number {
  const f = Math.min(1, Math.max(0, fraction))
  return f * (dims[axis] - 1)
}

/**
 * Unit quad (x, y in 0..1, z = 0) → world RAS mm: x spans the voxels' outer faces along u, y along v,
 * and the quad sits at voxel coordinate `index` along the axis (its normal stays the axis, so the
 * matrix is invertible for raycasting). `affine` is the grid's row-major voxel → RAS.
 */
export function planeMatrix(
  affine: readonly number[],
  layout: PlaneLayout,
  index: number,
  target = new Matrix4(),
): Matrix4 {
  const toVoxel = new Matrix4()
  const e = toVoxel.elements // column-major
  e.fill(0)
  e[4 * 0 + layout.u] = layout.width
  e[4 * 1 + layout.v] = layout.height
  e[4 * 2 + layout.axis] = 1
  e[12 + layout.u] = -0.5
  e[12 + layout.v] = -0.5
  e[12 + layout.axis] = index
  e[15] = 1
  // prettier-ignore
  target.set(
    affine[0], affine[1], affine[2], affine[3],
    affine[4], affine[5], affine[6], affine[7],
    affine[8], affine[9], affine[10], affine[11],
    0, 0, 0, 1,
  )
  return target.multiply(toVoxel)
}

/**
 * Values at or below this are treated as air outside the body and drawn fully transparent (and not
 * pickable); null = draw everything. CT only: air is −1000 HU (the scanner's padding lower still),
 * lung parenchyma −700…−900 HU stays visible.
 */
export function airThreshold(modality: string, valueRange: readonly [number, number]): number | null {
  return modality === 'CT' || valueRange[0] <= -900 ? -950 : null
}

/**
 * Writes the slice at integer `index` along `layout.axis` into `out` (RGBA, width·height·4 bytes, row
 * y = v, column x = u, so texel (x, y) is voxel u = x, v = y): grey = (value − (centre − width/2)) / width,
 * alpha 0 where value ≤ `air` (and for isolated specks among such air).
 */
export function renderSlice(
  grid: SliceGrid,
  layout: PlaneLayout,
  index: number,
  window: WindowPreset,
  air: number | null,
  out: Uint8Array,
): void {
  const [nx, ny] = grid.dims
  const strides = [1, nx, nx * ny]
  const k = Math.min(grid.dims[layout.axis] - 1, Math.max(0, Math.round(index)))
  const base = k * strides[layout.axis]
  const su = strides[layout.u]
  const sv = strides[layout.v]
  const low = window.center - window.width / 2
  const gain = 255 / Math.max(window.width, 1e-9)
  const { scale, offset, voxels } = grid
  const airCut = air ?? -Infinity
  let o = 0
  for (let y = 0; y < layout.height; y++) {
    let q = base + y * sv
    for (let x = 0; x < layout.width; x++, q += su) {
      const value = voxels[q] * scale + offset
      const g = (value - low) * gain
      const grey = g <= 0 ? 0 : g >= 255 ? 255 : g
      out[o] = grey
      out[o + 1] = grey
      out[o + 2] = grey
      out[o + 3] = value <= airCut ? 0 : 255
      o += 4
    }
  }
  if (air !== null) dropSpecks(out, layout.width, layout.height)
}

/**
 * Makes opaque texels that are one texel thin (transparent on both sides, left and right or above and
 * below) transparent: noise in the air and the thin table edges would otherwise hang around the body
 * as dark specks and lines. The body's edge is many texels thick and stays.
 */
function dropSpecks(rgba: Uint8Array, width: number, height: number): void {
  const row = 4 * width
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const a = 4 * (x + width * y) + 3
      if (rgba[a] === 0) continue
      const left = x > 0 && rgba[a - 4] !== 0
      const right = x < width - 1 && rgba[a + 4] !== 0
      const up = y > 0 && rgba[a - row] !== 0
      const down = y < height - 1 && rgba[a + row] !== 0
      if ((!left && !right) || (!up && !down)) rgba[a] = 0
    }
}
