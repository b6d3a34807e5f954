/**
 * Where the 128³ crop of a target goes (on the label's canonical grid at the model's spacing):
 *
 *   gt-center    the official eval (model-spec §8.1 step 3): torchio CropOrPad centred on the ground
 *                truth's bounding box — it uses the answer to place the crop, as the paper does;
 *   first-click  the app's rule: the first click is simulated on the whole target (ritm on an empty
 *                prediction, §9.1: deep inside the object) and the crop is centred on it, so the click
 *                lands at crop index size/2 exactly as `prepareModelCrop` centres on a user's click.
 *
 * Both give the crop start and a world point whose nearest canonical voxel is start + size/2, which
 * is what `Segmenter.encode` / `prepareModelCrop` take.
 */
import { applyAffine, torchioCropStart, type Vec3 } from '@fastsam-xr/volume'
import { errorMaps, ritmClick, type Click } from './clicks.ts'
import { EvalError } from './errors.ts'
import type { Rng } from './rng.ts'
import { targetBox, type LabelGeometry, type Target } from './targets.ts'

export type CropMode = 'gt-center' | 'first-click'
export const CROP_MODES: readonly CropMode[] = ['gt-center', 'first-click']

export interface TargetCrop {
  /** crop start on the canonical grid (negative = zero padding). */
  start: Vec3
  /** world RAS mm of canonical voxel start + size/2. */
  centreWorldRas: Vec3
  /** first-click mode: the click the crop is centred on, in crop indices. */
  firstClick?: Click
}

function centred(geometry: LabelGeometry, start: Vec3, size: number): Vec3 {
  const half = Math.floor(size / 2)
  return applyAffine(geometry.canonical.affine, [start[0] + half, start[1] + half, start[2] + half])
}

export function gtCentreCrop(geometry: LabelGeometry, target: Target, size: number): TargetCrop {
  const start = torchioCropStart(target.min, target.maxExclusive, size)
  return { start, centreWorldRas: centred(geometry, start, size) }
}

export function firstClickCrop(geometry: LabelGeometry, target: Target, size: number, rng: Rng): TargetCrop {
  // The target's bounding box alone is enough (see squaredEdtBlackBorderInBox); it also spares
  // building a mask of the whole grid.
  const box = targetBox(geometry, target)
  const click = ritmClick(errorMaps(null, box.gt), box.dims, rng)
  if (!click) throw new EvalError('internal', `label ${target.value} has no voxel to click`)
  const half = Math.floor(size / 2)
  const start = [0, 1, 2].map((a) => target.min[a] + click.point[a] - half) as Vec3
  return {
    start,
    centreWorldRas: centred(geometry, start, size),
    firstClick: { point: [half, half, half], positive: true, method: 'ritm' },
  }
}
