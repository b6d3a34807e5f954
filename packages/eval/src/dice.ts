/** Dice 2|G ∩ P| / (|G| + |P|) of two 0/1 masks of equal length; NaN when both are empty (spec §9.2). */
export function dice(pred: ArrayLike<number>, gt: ArrayLike<number>): number {
  if (pred.length !== gt.length)
    throw new RangeError(`prediction has ${pred.length} voxels, ground truth ${gt.length}`)
  let both = 0
  let p = 0
  let g = 0
  for (let q = 0; q < gt.length; q++) {
    const a = pred[q] !== 0
    const b = gt[q] !== 0
    if (a) p++
    if (b) g++
    if (a && b) both++
  }
  return p + g === 0 ? NaN : (2 * both) / (p + g)
}
