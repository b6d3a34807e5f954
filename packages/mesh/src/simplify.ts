/** Simplification to a triangle budget with meshoptimizer, with the error bounded in millimetres. */
import { MeshoptSimplifier } from 'meshoptimizer/simplifier'
import { computeNormals } from './normals.ts'
import { orientedManifoldDefects } from './topology.ts'
import { MeshInputError, type Mesh } from './types.ts'

let simplifierReady = false
export const simplifierReadyPromise: Promise<void> = MeshoptSimplifier.ready.then(() => {
  simplifierReady = true
})

export interface SimplifyOptions {
  /** Stop once the mesh has at most this many triangles (if the error bound allows). */
  targetTriangles: number
  /** Never move the surface by more than this (default 1 mm): wins over targetTriangles. */
  maxErrorMm?: number
  /**
   * Keep a closed, oriented 2-manifold input that way (default true): the triangle target is relaxed
   * (up to returning the input) when meshopt would fold the surface. Set false for display-only
   * surfaces (noisy CT isosurfaces) where the triangle budget matters more than watertightness.
   */
  keepManifold?: boolean
}

export interface SimplifyResult {
  mesh: Mesh
  /** Geometric deviation meshoptimizer reports for the result, in mm (≤ maxErrorMm). */
  errorMm: number
}

/**
 * Edge-collapse simplification. A closed, oriented input stays closed and oriented (the triangle
 * target is relaxed when meshopt would fold the surface). The result has compacted vertices and
 * smooth normals recomputed when the input had normals.
 */
export function simplify(mesh: Mesh, opts: SimplifyOptions): SimplifyResult {
  if (!simplifierReady) throw new MeshInputError('meshopt simplifier not ready: await meshReady first')
  const maxError = opts.maxErrorMm ?? 1
  if (!(opts.targetTriangles >= 0) || !(maxError >= 0))
    throw new MeshInputError('targetTriangles and maxErrorMm must be ≥ 0')
  const target = Math.max(0, Math.floor(opts.targetTriangles)) * 3
  if (mesh.indices.length <= target || mesh.indices.length === 0)
    return { mesh: { ...mesh, indices: mesh.indices.slice(), positions: mesh.positions.slice() }, errorMm: 0 }
  // meshopt can fold a closed surface into non-manifold pieces when pushed hard; if the input was a
  // closed oriented manifold, back off the triangle target until the output is one too.
  const n = mesh.positions.length / 3
  const guard = opts.keepManifold !== false && orientedManifoldDefects(mesh.indices, n) === 0
  let goal = target
  let kept: Uint32Array = mesh.indices
  let error = 0
  for (let attempt = 0; ; attempt++) {
    ;[kept, error] = MeshoptSimplifier.simplify(mesh.indices, mesh.positions, 3, goal, maxError, [
      'ErrorAbsolute',
    ])
    if (!guard || orientedManifoldDefects(kept, n) === 0) break
    if (attempt === 8 || kept.length >= mesh.indices.length) {
      kept = mesh.indices
      error = 0
      break
    }
    goal = Math.min(mesh.indices.length, Math.max(goal * 2, kept.length + 3 * 64))
  }
  // Compact: keep only referenced vertices, in first-use order.
  const remap = new Int32Array(n).fill(-1)
  let count = 0
  const indices = new Uint32Array(kept.length)
  for (let i = 0; i < kept.length; i++) {
    const v = kept[i]
    if (remap[v] < 0) remap[v] = count++
    indices[i] = remap[v]
  }
  const positions = new Float32Array(3 * count)
  for (let v = 0; v < n; v++) {
    const r = remap[v]
    if (r < 0) continue
    positions[3 * r] = mesh.positions[3 * v]
    positions[3 * r + 1] = mesh.positions[3 * v + 1]
    positions[3 * r + 2] = mesh.positions[3 * v + 2]
  }
  const out: Mesh = { positions, indices }
  if (mesh.normals) out.normals = computeNormals(positions, indices)
  return { mesh: out, errorMm: error }
}
