/**
 * The part of a binary size³ crop mask that is 6-connected to seed voxels: what a neighbouring crop
 * adds to a mask must continue it, so blobs elsewhere in that crop (noise, another organ) never join.
 */

/**
 * Voxels of `mask` (size³, C-order over (a0, a1, a2), 1 = inside) reachable from a voxel with
 * `seed[q] === 1 && mask[q] === 1` through face-adjacent inside voxels. Returns a new size³ mask.
 */
export function connectedToSeeds(mask: Uint8Array, seed: Uint8Array, size: number): Uint8Array {
  const n = size * size * size
  if (mask.length !== n || seed.length !== n)
    throw new RangeError(`masks must hold ${size}³ = ${n} voxels (got ${mask.length} and ${seed.length})`)
  const kept = new Uint8Array(n)
  // Each voxel enters the stack once (marked when pushed), so n entries suffice.
  const stack = new Int32Array(n)
  let top = 0
  for (let q = 0; q < n; q++)
    if (seed[q] && mask[q]) {
      kept[q] = 1
      stack[top++] = q
    }
  const s2 = size * size
  const last = size - 1
  const visit = (q: number): void => {
    if (mask[q] && !kept[q]) {
      kept[q] = 1
      stack[top++] = q
    }
  }
  while (top > 0) {
    const q = stack[--top]
    const a0 = Math.floor(q / s2)
    const a1 = Math.floor(q / size) % size
    const a2 = q % size
    if (a0 > 0) visit(q - s2)
    if (a0 < last) visit(q + s2)
    if (a1 > 0) visit(q - size)
    if (a1 < last) visit(q + size)
    if (a2 > 0) visit(q - 1)
    if (a2 < last) visit(q + 1)
  }
  return kept
}
