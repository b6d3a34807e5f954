/**
 * Naive surface nets on a binary mask — the benchmark's measured alternative to marching cubes
 * (not used by the package). One vertex per boundary cube at the mean of its crossing-edge
 * midpoints, one quad (two triangles) per inside/outside voxel face. Same virtual outside padding
 * and per-row trimming as our marching cubes, so times compare algorithms, not care.
 */
import type { Vec3 } from '../src/types.ts'

export function surfaceNets(mask: Uint8Array, dims: Vec3): { positions: Float32Array; indices: Uint32Array } {
  const [X, Y, Z] = dims
  const at = (i: number, j: number, k: number): number =>
    i < 0 || j < 0 || k < 0 || i >= X || j >= Y || k >= Z ? 0 : mask[i + X * (j + Y * k)] !== 0 ? 1 : 0
  // Rows with any inside voxel, to skip empty space like the marching cubes does.
  const rowLo = new Int32Array(Y * Z).fill(X)
  const rowHi = new Int32Array(Y * Z).fill(-1)
  for (let k = 0; k < Z; k++)
    for (let j = 0; j < Y; j++)
      for (let i = 0; i < X; i++)
        if (mask[i + X * (j + Y * k)] !== 0) {
          const r = j + Y * k
          if (i < rowLo[r]) rowLo[r] = i
          rowHi[r] = i
        }
  const PX = X + 1
  const PY = Y + 1
  const cubeVertex = new Int32Array(PX * PY * (Z + 1)).fill(-1)
  const pos: number[] = []
  const idx: number[] = []
  const range = (cj: number, ck: number): [number, number] => {
    let lo = X
    let hi = -1
    for (const [j, k] of [
      [cj - 1, ck - 1],
      [cj, ck - 1],
      [cj - 1, ck],
      [cj, ck],
    ])
      if (j >= 0 && k >= 0 && j < Y && k < Z) {
        lo = Math.min(lo, rowLo[j + Y * k])
        hi = Math.max(hi, rowHi[j + Y * k])
      }
    return [lo, hi + 1]
  }
  // Vertices: cube (ci, cj, ck) spans voxels ci-1..ci etc.
  for (let ck = 0; ck <= Z; ck++)
    for (let cj = 0; cj <= Y; cj++) {
      const [lo, hi] = range(cj, ck)
      for (let ci = lo; ci <= hi; ci++) {
        let sx = 0
        let sy = 0
        let sz = 0
        let n = 0
        const v = [0, 0, 0, 0, 0, 0, 0, 0]
        for (let c = 0; c < 8; c++) v[c] = at(ci - 1 + (c & 1), cj - 1 + ((c >> 1) & 1), ck - 1 + (c >> 2))
        let s = 0
        for (let c = 0; c < 8; c++) s += v[c]
        if (s === 0 || s === 8) continue
        for (let c = 0; c < 8; c++)
          for (const d of [1, 2, 4])
            if (!(c & d) && v[c] !== v[c | d]) {
              sx += (c & 1) + (d === 1 ? 0.5 : 0)
              sy += ((c >> 1) & 1) + (d === 2 ? 0.5 : 0)
              sz += (c >> 2) + (d === 4 ? 0.5 : 0)
              n++
            }
        cubeVertex[ci + PX * (cj + PY * ck)] = pos.length / 3
        pos.push(ci - 1 + sx / n, cj - 1 + sy / n, ck - 1 + sz / n)
      }
    }
  const cv = (ci: number, cj: number, ck: number): number => cubeVertex[ci + PX * (cj + PY * ck)]
  const quad = (a: number, b: number, c: number, d: number, flip: boolean): void => {
    if (flip) idx.push(a, c, b, a, d, c)
    else idx.push(a, b, c, a, c, d)
  }
  // Faces: for each voxel pair across a grid face with different values, join the 4 cubes around the shared edge.
  for (let k = -1; k < Z; k++)
    for (let j = -1; j < Y; j++)
      for (let i = -1; i < X; i++) {
        const a = at(i, j, k)
        // The grid edge from voxel (i, j, k) to its +x / +y / +z neighbour is shared by four cubes.
        if (j >= 0 && k >= 0 && a !== at(i + 1, j, k))
          quad(cv(i + 1, j, k), cv(i + 1, j + 1, k), cv(i + 1, j + 1, k + 1), cv(i + 1, j, k + 1), a === 0)
        if (i >= 0 && k >= 0 && a !== at(i, j + 1, k))
          quad(cv(i, j + 1, k), cv(i, j + 1, k + 1), cv(i + 1, j + 1, k + 1), cv(i + 1, j + 1, k), a === 0)
        if (i >= 0 && j >= 0 && a !== at(i, j, k + 1))
          quad(cv(i, j, k + 1), cv(i + 1, j, k + 1), cv(i + 1, j + 1, k + 1), cv(i, j + 1, k + 1), a === 0)
      }
  return { positions: Float32Array.from(pos), indices: Uint32Array.from(idx) }
}
