/**
 * The targets of a label map, measured where the model sees them: the label resampled to the model's
 * spacing with NEAREST neighbour (model-spec §12.1 #14) and reoriented to RAS+ (§8.1 steps 1–2). Every
 * non-zero label value is one target; its voxel count and bounding box are taken on that canonical grid.
 */
import { canonicalWindow, resample, toCanonical, type Mat4, type Vec3, type Volume } from '@fastsam-xr/volume'

export interface Target {
  value: number
  /** voxels at the model's spacing. */
  voxels: number
  /** bounding box on the canonical grid, [min, maxExclusive) per axis (a0, a1, a2). */
  min: Vec3
  maxExclusive: Vec3
}

export interface LabelGeometry {
  /** the label resampled (nearest) to the model's spacing, in its own axis order. */
  resampled: Volume
  /** canonical (RAS+) grid of `resampled`: dims, voxel → world RAS affine, voxels (i fastest). */
  canonical: { dims: Vec3; affine: Mat4; data: ArrayLike<number> }
  /** every non-zero value, ascending. */
  targets: Target[]
}

export function labelGeometry(label: Volume, spacingMm: number): LabelGeometry {
  const resampled = resample(label, spacingMm, 'nearest')
  const canon = toCanonical(resampled)
  const [c0, c1, c2] = canon.dims
  const found = new Map<number, Target>()
  const data = canon.data
  let q = 0
  for (let a2 = 0; a2 < c2; a2++)
    for (let a1 = 0; a1 < c1; a1++)
      for (let a0 = 0; a0 < c0; a0++, q++) {
        const v = data[q]
        if (v === 0) continue
        let t = found.get(v)
        if (!t)
          found.set(
            v,
            (t = { value: v, voxels: 0, min: [a0, a1, a2], maxExclusive: [a0 + 1, a1 + 1, a2 + 1] }),
          )
        t.voxels++
        if (a0 < t.min[0]) t.min[0] = a0
        if (a1 < t.min[1]) t.min[1] = a1
        if (a2 < t.min[2]) t.min[2] = a2
        if (a0 >= t.maxExclusive[0]) t.maxExclusive[0] = a0 + 1
        if (a1 >= t.maxExclusive[1]) t.maxExclusive[1] = a1 + 1
        if (a2 >= t.maxExclusive[2]) t.maxExclusive[2] = a2 + 1
      }
  return {
    resampled,
    canonical: { dims: canon.dims, affine: canon.affine, data },
    targets: [...found.values()].sort((a, b) => a.value - b.value),
  }
}

/** The target's ground truth in the size³ window at canonical `start`: 0/1, C-order (a0, a1, a2). */
export function targetWindow(geometry: LabelGeometry, value: number, start: Vec3, size: number): Uint8Array {
  const window = canonicalWindow(geometry.resampled, start, size)
  const gt = new Uint8Array(window.length)
  for (let q = 0; q < window.length; q++) gt[q] = +(window[q] === value)
  return gt
}

/**
 * The target's ground truth in its own bounding box on the canonical grid, C-order (a0, a1, a2) —
 * enough to place the first click on the whole volume (see crop.ts).
 */
export function targetBox(geometry: LabelGeometry, target: Target): { gt: Uint8Array; dims: Vec3 } {
  const { min, maxExclusive } = target
  const dims = [0, 1, 2].map((a) => maxExclusive[a] - min[a]) as Vec3
  const [c0, c1] = geometry.canonical.dims
  const data = geometry.canonical.data
  const gt = new Uint8Array(dims[0] * dims[1] * dims[2])
  let q = 0
  for (let a0 = min[0]; a0 < maxExclusive[0]; a0++)
    for (let a1 = min[1]; a1 < maxExclusive[1]; a1++)
      for (let a2 = min[2]; a2 < maxExclusive[2]; a2++, q++)
        gt[q] = +(data[a0 + c0 * (a1 + c1 * a2)] === target.value)
  return { gt, dims }
}
