/**
 * Closed, consistently oriented 2-manifold check in O(T): every directed edge a → b must occur once
 * and its twin b → a once, and no triangle may repeat a vertex. Used to guard simplification.
 */
export function orientedManifoldDefects(indices: Uint32Array, vertexCount: number): number {
  const start = new Uint32Array(vertexCount + 1)
  for (let t = 0; t < indices.length; t++) start[indices[t] + 1]++
  for (let v = 0; v < vertexCount; v++) start[v + 1] += start[v]
  const fill = start.slice(0, vertexCount)
  const to = new Uint32Array(indices.length)
  let defects = 0
  for (let t = 0; t < indices.length; t += 3) {
    const a = indices[t]
    const b = indices[t + 1]
    const c = indices[t + 2]
    if (a === b || b === c || a === c) defects++
    to[fill[a]++] = b
    to[fill[b]++] = c
    to[fill[c]++] = a
  }
  for (let v = 0; v < vertexCount; v++) {
    for (let q = start[v]; q < start[v + 1]; q++) {
      const w = to[q]
      for (let r = q + 1; r < start[v + 1]; r++) if (to[r] === w) defects++ // repeated a → b
      let twins = 0
      for (let r = start[w]; r < start[w + 1]; r++) if (to[r] === v) twins++
      if (twins !== 1) defects++
    }
  }
  return defects
}
