/**
 * Taubin λ|μ smoothing: alternating shrink (λ > 0) and inflate (μ < −λ) Laplacian steps remove the
 * voxel staircase without the volume loss of plain Laplacian smoothing.
 */

/** Vertex neighbours in CSR form, from the half-edges of a closed, consistently oriented mesh. */
function neighbours(vertexCount: number, indices: Uint32Array): { start: Uint32Array; list: Uint32Array } {
  const start = new Uint32Array(vertexCount + 1)
  for (let t = 0; t < indices.length; t++) start[indices[t] + 1]++
  for (let v = 0; v < vertexCount; v++) start[v + 1] += start[v]
  const fill = start.slice(0, vertexCount)
  const list = new Uint32Array(indices.length)
  for (let t = 0; t < indices.length; t += 3) {
    const a = indices[t]
    const b = indices[t + 1]
    const c = indices[t + 2]
    // In a closed oriented manifold each neighbour appears exactly once as an outgoing half-edge.
    list[fill[a]++] = b
    list[fill[b]++] = c
    list[fill[c]++] = a
  }
  return { start, list }
}

export interface TaubinOptions {
  /** Number of λ|μ pairs (default 10). */
  iterations?: number
  lambda?: number
  mu?: number
}

/** Smooth positions in place (xyz per vertex). */
export function taubinSmoothInPlace(
  positions: Float32Array,
  indices: Uint32Array,
  opts: TaubinOptions = {},
): void {
  const iterations = opts.iterations ?? 10
  const lambda = opts.lambda ?? 0.5
  const mu = opts.mu ?? -0.53
  const n = positions.length / 3
  if (n === 0 || iterations <= 0) return
  const { start, list } = neighbours(n, indices)
  const tmp = new Float32Array(positions.length)
  const step = (src: Float32Array, dst: Float32Array, f: number): void => {
    for (let v = 0; v < n; v++) {
      const s = start[v]
      const e = start[v + 1]
      const o = 3 * v
      if (e === s) {
        dst[o] = src[o]
        dst[o + 1] = src[o + 1]
        dst[o + 2] = src[o + 2]
        continue
      }
      let sx = 0,
        sy = 0,
        sz = 0
      for (let q = s; q < e; q++) {
        const w = 3 * list[q]
        sx += src[w]
        sy += src[w + 1]
        sz += src[w + 2]
      }
      const inv = 1 / (e - s)
      dst[o] = src[o] + f * (sx * inv - src[o])
      dst[o + 1] = src[o + 1] + f * (sy * inv - src[o + 1])
      dst[o + 2] = src[o + 2] + f * (sz * inv - src[o + 2])
    }
  }
  for (let it = 0; it < iterations; it++) {
    step(positions, tmp, lambda)
    step(tmp, positions, mu)
  }
}
