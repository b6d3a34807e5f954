/** Smooth per-vertex normals: area-weighted average of the incident triangle normals. */
export function computeNormals(positions: Float32Array, indices: Uint32Array): Float32Array {
  const acc = new Float32Array(positions.length)
  for (let t = 0; t < indices.length; t += 3) {
    const a = 3 * indices[t]
    const b = 3 * indices[t + 1]
    const c = 3 * indices[t + 2]
    const ux = positions[b] - positions[a]
    const uy = positions[b + 1] - positions[a + 1]
    const uz = positions[b + 2] - positions[a + 2]
    const vx = positions[c] - positions[a]
    const vy = positions[c + 1] - positions[a + 1]
    const vz = positions[c + 2] - positions[a + 2]
    // |u × v| = 2·area, so summing raw cross products weights by area.
    const nx = uy * vz - uz * vy
    const ny = uz * vx - ux * vz
    const nz = ux * vy - uy * vx
    acc[a] += nx
    acc[a + 1] += ny
    acc[a + 2] += nz
    acc[b] += nx
    acc[b + 1] += ny
    acc[b + 2] += nz
    acc[c] += nx
    acc[c + 1] += ny
    acc[c + 2] += nz
  }
  for (let o = 0; o < acc.length; o += 3) {
    const l = Math.sqrt(acc[o] * acc[o] + acc[o + 1] * acc[o + 1] + acc[o + 2] * acc[o + 2])
    if (l > 0) {
      acc[o] /= l
      acc[o + 1] /= l
      acc[o + 2] /= l
    }
  }
  return acc
}
