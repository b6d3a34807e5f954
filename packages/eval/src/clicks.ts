/**
 * Click simulation exactly as model-spec §9.1 (FastSAM3D `validation_student.py`), on the 128³ crop:
 *
 *   error maps  FN = GT & !pred, FP = !GT & pred, where pred = previous UPSAMPLED logits > 0.5 — a logit
 *               threshold of 0.5 (probability 0.62), the official quirk, used for click simulation only;
 *   clicks 1–2  'ritm': exact EDT of FN and of FP with a one-voxel zero border; positive iff
 *               max dist(FN) > max dist(FP); one voxel drawn uniformly among the chosen map's voxels
 *               farther than max(dmaxFN, dmaxFP)/2; label 1 iff that voxel is in FN;
 *   clicks 3..K 'random': one voxel drawn uniformly from FN | FP; label 1 iff in FN.
 *
 * Candidates are enumerated in C-order (numpy's argwhere order). When nothing is wrong (no candidate)
 * the official code crashes; here the click is null and the caller stops clicking (perfect prediction).
 *
 * Masks are C-order over (a0, a1, a2) (see edt.ts); a click is the voxel index (p0, p1, p2).
 */
import { squaredEdtBlackBorderInBox, type Dims3 } from './edt.ts'
import type { Rng } from './rng.ts'

/** The official eval's click-simulation threshold on the upsampled LOGITS (spec §9.1, §12.1 #9). */
export const CLICK_LOGIT_THRESHOLD = 0.5

export type ClickMethod = 'ritm' | 'random'

export interface Click {
  point: [number, number, number]
  /** true = include (the voxel is a false negative), false = exclude (a false positive). */
  positive: boolean
  method: ClickMethod
}

export interface ErrorMaps {
  fn: Uint8Array
  fp: Uint8Array
}

/** FN and FP of a prediction (null = nothing predicted yet) against the ground truth. */
export function errorMaps(pred: Uint8Array | null, gt: Uint8Array): ErrorMaps {
  if (pred && pred.length !== gt.length)
    throw new RangeError(`prediction has ${pred.length} voxels, ground truth ${gt.length}`)
  const fn = new Uint8Array(gt.length)
  const fp = new Uint8Array(gt.length)
  for (let q = 0; q < gt.length; q++) {
    const p = pred ? pred[q] !== 0 : false
    const g = gt[q] !== 0
    fn[q] = +(g && !p)
    fp[q] = +(!g && p)
  }
  return { fn, fp }
}

function indexToPoint(q: number, dims: Dims3): [number, number, number] {
  const [, n1, n2] = dims
  return [Math.floor(q / (n1 * n2)), Math.floor(q / n2) % n1, q % n2]
}

/** The `pick`-th (0-based) index q with accept(q), in increasing order. */
function nthAccepted(n: number, pick: number, accept: (q: number) => boolean): number {
  for (let q = 0, seen = 0; q < n; q++) if (accept(q) && seen++ === pick) return q
  throw new Error('unreachable: fewer candidates than counted')
}

function maxOf(a: Float64Array): number {
  let m = 0
  for (let q = 0; q < a.length; q++) if (a[q] > m) m = a[q]
  return m
}

/** 'ritm' click (clicks 1 and 2), or null when FN and FP are both empty. */
export function ritmClick(maps: ErrorMaps, dims: Dims3, rng: Rng): Click | null {
  const dfn = squaredEdtBlackBorderInBox(maps.fn, dims)
  const dfp = squaredEdtBlackBorderInBox(maps.fp, dims)
  const maxFn = maxOf(dfn)
  const maxFp = maxOf(dfp)
  const positive = maxFn > maxFp
  const dist = positive ? dfn : dfp
  // dist > max/2 ⇔ 4·dist² > max², exact on the integer squared distances.
  const maxSq = Math.max(maxFn, maxFp)
  const accept = (q: number): boolean => 4 * dist[q] > maxSq
  let count = 0
  for (let q = 0; q < dist.length; q++) if (accept(q)) count++
  if (count === 0) return null
  const q = nthAccepted(dist.length, rng.integer(count), accept)
  return { point: indexToPoint(q, dims), positive: maps.fn[q] !== 0, method: 'ritm' }
}

/** 'random' click (clicks 3..K), or null when FN and FP are both empty. */
export function randomClick(maps: ErrorMaps, dims: Dims3, rng: Rng): Click | null {
  const { fn, fp } = maps
  const accept = (q: number): boolean => fn[q] !== 0 || fp[q] !== 0
  let count = 0
  for (let q = 0; q < fn.length; q++) if (accept(q)) count++
  if (count === 0) return null
  const q = nthAccepted(fn.length, rng.integer(count), accept)
  return { point: indexToPoint(q, dims), positive: fn[q] !== 0, method: 'random' }
}

/**
 * Click number `clickIndex` (0-based: 0 and 1 are 'ritm', later ones 'random') given the previous
 * prediction at the click threshold (null before the first click) and the ground truth.
 */
export function nextClick(
  pred: Uint8Array | null,
  gt: Uint8Array,
  dims: Dims3,
  clickIndex: number,
  rng: Rng,
): Click | null {
  const maps = errorMaps(pred, gt)
  return clickIndex < 2 ? ritmClick(maps, dims, rng) : randomClick(maps, dims, rng)
}
