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
  // A copy padded by one empty voxel on every side: neighbours are fixed strides, no bounds checks
  // or index divisions in the loop (a 128³ fill runs several times faster). 2 = kept.
  const p = size + 2
  const p2 = p * p
  const grid = new Uint8Array(p * p2)
  for (let a0 = 0; a0 < size; a0++)
    for (let a1 = 0; a1 < size; a1++) {
      const from = size * size * a0 + size * a1
      grid.set(mask.subarray(from, from + size), p2 * (a0 + 1) + p * (a1 + 1) + 1)
    }
  // Each voxel enters the stack once (marked when pushed), so n entries suffice.
  const stack = new Int32Array(n)
  let top = 0
  for (let a0 = 0, q = 0; a0 < size; a0++)
    for (let a1 = 0; a1 < size; a1++)
      for (let a2 = 0, g = p2 * (a0 + 1) + p * (a1 + 1) + 1; a2 < size; a2++, q++, g++)
        if (seed[q] && grid[g] === 1) {
          grid[g] = 2
          stack[top++] = g
        }
  const visit = (g: number): void => {
    if (grid[g] === 1) {
      grid[g] = 2
      stack[top++] = g
    }
  }
  while (top > 0) {
    const g = stack[--top]
    visit(g + 1)
    visit(g - 1)
    visit(g + p)
    visit(g - p)
    visit(g + p2)
    visit(g - p2)
  }
  const kept = new Uint8Array(n)
  for (let a0 = 0, q = 0; a0 < size; a0++)
    for (let a1 = 0; a1 < size; a1++)
      for (let a2 = 0, g = p2 * (a0 + 1) + p * (a1 + 1) + 1; a2 < size; a2++, q++, g++)
        kept[q] = grid[g] === 2 ? 1 : 0
  return kept
}
