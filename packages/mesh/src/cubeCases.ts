/**
 * Marching-cubes case tables, generated at load time instead of typed in, so that every one of the
 * 256 cases follows the same two rules and the output is provably watertight:
 *
 * 1. On each cube face the contour segments depend only on that face's four corners, with ambiguous
 *    faces (two diagonal inside corners) always resolved by SEPARATING the inside corners
 *    (object = 6-connected voxels). Neighbouring cubes therefore agree on every shared face.
 * 2. Each closed loop of face segments becomes one polygon, oriented so its normal points from the
 *    inside corners to the outside ones, and fanned into triangles.
 *
 * Corner numbering: corner c sits at (dx, dy, dz) with c = dy + 2·dz + 4·dx, so the case index of the
 * cube spanning voxels x and x+1 is `code(x) | code(x+1) << 4` where code packs the four rows
 * (y, z), (y+1, z), (y, z+1), (y+1, z+1) as bits 0..3. Edge numbering: e = 4·axis + o1 + 2·o2 where
 * (o1, o2) are the offsets on the two other axes in increasing axis order.
 */

export const cornerOffset = (c: number): [number, number, number] => [(c >> 2) & 1, c & 1, (c >> 1) & 1]
const cornerIndex = (x: number, y: number, z: number): number => y + 2 * z + 4 * x

/** The two corners (as offsets) of edge e. */
export function edgeEnds(e: number): [[number, number, number], [number, number, number]] {
  const axis = e >> 2
  const o1 = e & 1
  const o2 = (e >> 1) & 1
  if (axis === 0)
    return [
      [0, o1, o2],
      [1, o1, o2],
    ]
  if (axis === 1)
    return [
      [o1, 0, o2],
      [o1, 1, o2],
    ]
  return [
    [o1, o2, 0],
    [o1, o2, 1],
  ]
}

function edgeBetween(a: number[], b: number[]): number {
  const axis = a[0] !== b[0] ? 0 : a[1] !== b[1] ? 1 : 2
  const others = [0, 1, 2].filter((d) => d !== axis)
  return 4 * axis + a[others[0]] + 2 * a[others[1]]
}

export interface CaseTables {
  /** triangles of case c are triEdges[3·t .. 3·t+2] for t in [triStart[c], triStart[c+1]). */
  triStart: Uint16Array
  triEdges: Uint8Array
  /** distinct edges used by case c: usedEdges[usedStart[c] .. usedStart[c+1]). */
  usedStart: Uint16Array
  usedEdges: Uint8Array
  /** (b − a) × (c − a) of each table triangle with mid-edge vertices, in cube (voxel) units. */
  triNormals: Float32Array
  maxTrianglesPerCase: number
}

function buildCaseTables(): CaseTables {
  // Faces as 4 corners in cyclic order.
  const faces: number[][][] = []
  for (let axis = 0; axis < 3; axis++) {
    for (let s = 0; s < 2; s++) {
      const cyc = [
        [0, 0],
        [1, 0],
        [1, 1],
        [0, 1],
      ]
      faces.push(
        cyc.map(([u, v]) => {
          const p = [0, 0, 0]
          const others = [0, 1, 2].filter((d) => d !== axis)
          p[axis] = s
          p[others[0]] = u
          p[others[1]] = v
          return p
        }),
      )
    }
  }
  const tris: number[][] = []
  const used: number[][] = []
  let maxT = 0
  for (let c = 0; c < 256; c++) {
    const inside = (p: number[]): boolean => ((c >> cornerIndex(p[0], p[1], p[2])) & 1) === 1
    const partner = new Map<number, number[]>()
    const link = (a: number, b: number): void => {
      if (!partner.has(a)) partner.set(a, [])
      if (!partner.has(b)) partner.set(b, [])
      partner.get(a)!.push(b)
      partner.get(b)!.push(a)
    }
    for (const f of faces) {
      const sides: number[] = [] // side k joins corner k and k+1; -1 when not crossed
      for (let k = 0; k < 4; k++) {
        const a = f[k]
        const b = f[(k + 1) % 4]
        sides.push(inside(a) !== inside(b) ? edgeBetween(a, b) : -1)
      }
      const crossed = sides.filter((s) => s >= 0)
      if (crossed.length === 2) link(crossed[0], crossed[1])
      else if (crossed.length === 4) {
        // Ambiguous face: cut off each inside corner on its own.
        for (let k = 0; k < 4; k++) if (inside(f[k])) link(sides[(k + 3) % 4], sides[k])
      }
    }
    // Trace loops.
    const seen = new Set<number>()
    const caseTris: number[] = []
    for (const start of [...partner.keys()].sort((a, b) => a - b)) {
      if (seen.has(start)) continue
      const loop = [start]
      seen.add(start)
      let prev = -1
      let cur = start
      for (;;) {
        const [p, q] = partner.get(cur)!
        const next = p !== prev ? p : q
        if (next === start) break
        loop.push(next)
        seen.add(next)
        prev = cur
        cur = next
      }
      // Orient: Newell normal of the loop (edge midpoints) against inside → outside direction.
      const mid = loop.map((e) => {
        const [a, b] = edgeEnds(e)
        return [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2]
      })
      const n = [0, 0, 0]
      for (let i = 0; i < mid.length; i++) {
        const p = mid[i]
        const q = mid[(i + 1) % mid.length]
        n[0] += (p[1] - q[1]) * (p[2] + q[2])
        n[1] += (p[2] - q[2]) * (p[0] + q[0])
        n[2] += (p[0] - q[0]) * (p[1] + q[1])
      }
      const ref = [0, 0, 0]
      for (const e of loop) {
        const [a, b] = edgeEnds(e)
        const sign = inside(a) ? 1 : -1 // from inside end to outside end
        for (let d = 0; d < 3; d++) ref[d] += sign * (b[d] - a[d])
      }
      if (n[0] * ref[0] + n[1] * ref[1] + n[2] * ref[2] < 0) loop.reverse()
      for (let i = 1; i + 1 < loop.length; i++) caseTris.push(loop[0], loop[i], loop[i + 1])
    }
    tris.push(caseTris)
    used.push([...new Set(caseTris)])
    maxT = Math.max(maxT, caseTris.length / 3)
  }
  const triStart = new Uint16Array(257)
  const usedStart = new Uint16Array(257)
  for (let c = 0; c < 256; c++) {
    triStart[c + 1] = triStart[c] + tris[c].length / 3
    usedStart[c + 1] = usedStart[c] + used[c].length
  }
  const triEdges = Uint8Array.from(tris.flat())
  const triNormals = new Float32Array(triEdges.length)
  const mid = (e: number): number[] => {
    const [a, b] = edgeEnds(e)
    return [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2]
  }
  for (let t = 0; t < triEdges.length; t += 3) {
    const [a, b, c] = [mid(triEdges[t]), mid(triEdges[t + 1]), mid(triEdges[t + 2])]
    const u = [b[0] - a[0], b[1] - a[1], b[2] - a[2]]
    const v = [c[0] - a[0], c[1] - a[1], c[2] - a[2]]
    triNormals[t] = u[1] * v[2] - u[2] * v[1]
    triNormals[t + 1] = u[2] * v[0] - u[0] * v[2]
    triNormals[t + 2] = u[0] * v[1] - u[1] * v[0]
  }
  return {
    triStart,
    triEdges,
    triNormals,
    usedStart,
    usedEdges: Uint8Array.from(used.flat()),
    maxTrianglesPerCase: maxT,
  }
}

export const caseTables: CaseTables = buildCaseTables()
