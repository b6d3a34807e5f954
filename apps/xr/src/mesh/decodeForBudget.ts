/**
 * Wire bytes → a display mesh within a triangle budget (runs in the mesh worker; pure and
 * synchronous once `meshWorkReady` resolved, so it is unit-tested in Node too).
 *
 * Masks are decoded by the mesh package (marching cubes of the mask, exact), then simplified with
 * meshoptimizer when they exceed the budget: first within 1 mm of the surface, and if that cannot
 * reach the budget, without an error bound (the budget is a hard limit on a headset; a coarser liver
 * beats a dropped frame). Normals are computed once, on the final triangles.
 */
import { computeNormals, decodeMesh, decoderReadyPromise } from '@fastsam-xr/mesh/wire'
import { MeshoptSimplifier } from 'meshoptimizer/simplifier'
import type { DecodedMesh } from '../state/store.ts'

export const meshWorkReady: Promise<void> = Promise.all([decoderReadyPromise, MeshoptSimplifier.ready]).then(
  () => undefined,
)

/** Surface deviation allowed before the budget overrides it (mm). */
export const SIMPLIFY_ERROR_MM = 1

export function decodeForBudget(bytes: Uint8Array, targetTriangles: number): DecodedMesh {
  const mesh = decodeMesh(bytes, { normals: false })
  const indices = fitTriangles(mesh.positions, mesh.indices, Math.max(0, Math.floor(targetTriangles)))
  const compact = compactVertices(mesh.positions, indices)
  return {
    positions: compact.positions,
    indices: compact.indices,
    normals: computeNormals(compact.positions, compact.indices),
    triangles: compact.indices.length / 3,
  }
}

/** Indices of at most `target` triangles (the input when it already fits). */
export function fitTriangles(positions: Float32Array, indices: Uint32Array, target: number): Uint32Array {
  if (indices.length <= 3 * target) return indices
  if (target === 0) return new Uint32Array(0)
  const bounded = MeshoptSimplifier.simplify(indices, positions, 3, 3 * target, SIMPLIFY_ERROR_MM, [
    'ErrorAbsolute',
  ])[0]
  if (bounded.length <= 3 * target) return bounded
  const unbounded = MeshoptSimplifier.simplify(bounded, positions, 3, 3 * target, Number.MAX_VALUE, [
    'ErrorAbsolute',
  ])[0]
  if (unbounded.length <= 3 * target) return unbounded
  // Topology can stop edge collapses short of the target; sloppy simplification always gets there.
  return MeshoptSimplifier.simplifySloppy(unbounded, positions, 3, null, 3 * target, Number.MAX_VALUE)[0]
}

/** Drops the vertices no triangle uses (simplification leaves them behind), in first-use order. */
export function compactVertices(
  positions: Float32Array,
  indices: Uint32Array,
): { positions: Float32Array; indices: Uint32Array } {
  const n = positions.length / 3
  const remap = new Int32Array(n).fill(-1)
  const out = new Uint32Array(indices.length)
  let count = 0
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i]
    if (remap[v] < 0) remap[v] = count++
    out[i] = remap[v]
  }
  if (count === n && out.every((v, i) => v === indices[i])) return { positions, indices }
  const compacted = new Float32Array(3 * count)
  for (let v = 0; v < n; v++) {
    const r = remap[v]
    if (r < 0) continue
    compacted[3 * r] = positions[3 * v]
    compacted[3 * r + 1] = positions[3 * v + 1]
    compacted[3 * r + 2] = positions[3 * v + 2]
  }
  return { positions: compacted, indices: out }
}
