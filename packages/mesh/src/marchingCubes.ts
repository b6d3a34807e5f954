/**
 * Marching cubes over a uint8 grid, the hot path of every prompt.
 *
 * Why this shape: the grid is virtually padded with one layer of outside voxels so every surface is
 * closed (objects touching the crop border stay watertight); each cube row only visits the x-range
 * where any of its four voxel rows has an inside voxel (empty space costs one row scan); the case
 * index slides along x from two 4-bit row codes; vertices live on grid edges and are shared through
 * per-slab edge caches validated by vertex-id thresholds (no clearing between slabs).
 */
import { caseTables } from './cubeCases.ts'
import { MeshInputError, type Vec3 } from './types.ts'

export interface GridField {
  /** Scalar values with the same indexing as the grid, for sub-voxel vertex placement. */
  values: ArrayLike<number>
  threshold: number
}

export interface MarchOptions {
  /** Voxel lookup table: voxel v is inside when lut[v] === 1 (length 256). */
  lut: Uint8Array
  /** First voxel of the box to mesh (default 0,0,0). */
  origin?: Vec3
  /** Size of the box to mesh (default dims − origin). Voxels outside the box count as outside. */
  size?: Vec3
  /** Optional scalar field: vertices are placed where it crosses `threshold` instead of mid-edge. */
  field?: GridField
  /**
   * Also accumulate area-weighted vertex normals in voxel space (unnormalized), straight from the
   * case tables — cheaper than a pass over positions. Ignored with `field` (vertices move).
   */
  normals?: boolean
}

/** Output in VOXEL coordinates of the full grid (i, j, k), triangles CCW seen from outside in index space. */
export interface VoxelMesh {
  positions: Float32Array
  indices: Uint32Array
  /** Unnormalized voxel-space vertex normals (sum of (b − a) × (c − a)), when requested. */
  normals?: Float32Array
}

const { triStart, triEdges, triNormals, usedStart, usedEdges, maxTrianglesPerCase } = caseTables

/** Mesh the boundary of {voxels v : lut[v] = 1} of `grid` (i fastest, dims nx × ny × nz). */
export function marchingCubes(grid: Uint8Array, dims: Vec3, opts: MarchOptions): VoxelMesh {
  const [nx, ny, nz] = dims
  if (!(nx >= 1 && ny >= 1 && nz >= 1) || grid.length !== nx * ny * nz)
    throw new MeshInputError(`grid of length ${grid.length} does not match dims ${dims.join('×')}`)
  const lut = opts.lut
  const [i0, j0, k0] = opts.origin ?? [0, 0, 0]
  const [X, Y, Z] = opts.size ?? [nx - i0, ny - j0, nz - k0]
  if (i0 < 0 || j0 < 0 || k0 < 0 || X < 1 || Y < 1 || Z < 1 || i0 + X > nx || j0 + Y > ny || k0 + Z > nz)
    throw new MeshInputError(
      `region origin ${[i0, j0, k0]} size ${[X, Y, Z]} is outside dims ${dims.join('×')}`,
    )
  const field = opts.field

  // Pass 1: inside extent of every voxel row of the box (first = X means empty). Empty space is
  // skipped a 32-bit word at a time: zero bytes are outside for every lut this module builds.
  const rows = Y * Z
  const first = new Int32Array(rows)
  const last = new Int32Array(rows)
  const solid = new Uint8Array(rows)
  const words =
    grid.byteOffset % 4 === 0 ? new Uint32Array(grid.buffer, grid.byteOffset, grid.length >> 2) : null
  const zeroIsOutside = lut[0] === 0
  for (let k = 0; k < Z; k++) {
    for (let j = 0; j < Y; j++) {
      const base = i0 + nx * (j0 + j + ny * (k0 + k))
      const r = j + Y * k
      let a = 0
      if (words !== null && zeroIsOutside) {
        // Unaligned head byte by byte, then whole zero words, then bytes again.
        while (a < X && ((base + a) & 3) !== 0 && lut[grid[base + a]] === 0) a++
        if (a < X && ((base + a) & 3) === 0) {
          let w = (base + a) >> 2
          const wEnd = (base + X) >> 2
          while (w < wEnd && words[w] === 0) w++
          a = 4 * w - base
          while (a < X && lut[grid[base + a]] === 0) a++
        }
      } else while (a < X && lut[grid[base + a]] === 0) a++
      first[r] = a
      if (a === X) {
        last[r] = -1
        continue
      }
      let b = X - 1
      if (words !== null && zeroIsOutside) {
        while (((base + b + 1) & 3) !== 0 && lut[grid[base + b]] === 0) b--
        if (lut[grid[base + b]] === 0) {
          // base + b + 1 is word-aligned: step back over whole zero words (never past `a`).
          let w = ((base + b + 1) >> 2) - 1
          const wStop = (base + a) >> 2
          while (w > wStop && words[w] === 0) w--
          b = 4 * w + 3 - base
          while (lut[grid[base + b]] === 0) b--
        }
      } else while (lut[grid[base + b]] === 0) b--
      last[r] = b
      // Is the row one solid run [a, b]? Then cubes deep inside it can be skipped later.
      let q = a + 1
      if (words !== null) {
        const full = (grid[base + a] * 0x01010101) >>> 0
        while (q <= b && ((base + q) & 3) !== 0 && lut[grid[base + q]] === 1) q++
        if (q <= b && ((base + q) & 3) === 0) {
          let w = (base + q) >> 2
          const wEnd = (base + b + 1) >> 2
          while (w < wEnd && words[w] === full) w++
          q = 4 * w - base
          while (q <= b && lut[grid[base + q]] === 1) q++
        }
      } else while (q <= b && lut[grid[base + q]] === 1) q++
      solid[r] = q > b ? 1 : 0
    }
  }

  // Output buffers (grown by doubling).
  // Sized from the number of occupied rows (≈ 6 surface vertices each on organ masks) to avoid regrowth.
  let occupied = 0
  for (let r = 0; r < rows; r++) if (last[r] >= 0) occupied++
  let posCap = 3 * (8 * occupied + 1024)
  let idxCap = 2 * posCap
  let pos = new Float32Array(posCap)
  const wantNormals = opts.normals === true && field === undefined
  let nrm = new Float32Array(wantNormals ? posCap : 0)
  let idx = new Uint32Array(idxCap)
  let nv = 0
  let ni = 0

  // Edge caches over padded cube-corner coordinates (px in [0, X+1], py in [0, Y+1]), five sections of
  // one array: x-edges of two z-layers, y-edges of two z-layers, z-edges of the current slab. The two
  // layer sections swap roles every slab; stale entries are recognised by their (older) vertex ids.
  const PX = X + 2
  const layer = PX * (Y + 2)
  const cache = new Int32Array(5 * layer).fill(-1)
  // Per-edge constants: cache slot offset from the cube's cell, and vertex offset from the cube's
  // first corner (mid-edge).
  const offE = new Int32Array(12)
  const ex = new Float32Array(12)
  const ey = new Float32Array(12)
  const ez = new Float32Array(12)
  for (let e = 0; e < 12; e++) {
    const o1 = e & 1
    const o2 = (e >> 1) & 1
    if (e < 4) {
      offE[e] = PX * o1
      ex[e] = 0.5
      ey[e] = o1
      ez[e] = o2
    } else if (e < 8) {
      offE[e] = o1
      ex[e] = o1
      ey[e] = 0.5
      ez[e] = o2
    } else {
      offE[e] = o1 + PX * o2
      ex[e] = o1
      ey[e] = o2
      ez[e] = 0.5
    }
  }
  const secE = new Int32Array(12)
  const valE = new Int32Array(12)
  const ev = new Int32Array(12)
  const zero = new Uint8Array(X)
  let prevSlabStart = 0
  const bx = i0 - 1
  const by = j0 - 1

  for (let ck = 0; ck <= Z; ck++) {
    // Cube slab between voxel layers ck-1 and ck.
    const botValid = prevSlabStart
    const topValid = nv
    prevSlabStart = nv
    const par = ck & 1
    for (let e = 0; e < 12; e++) {
      const o2 = (e >> 1) & 1
      if (e < 8) {
        const top = o2 === 1
        secE[e] = ((e < 4 ? 0 : 2) + (top ? 1 - par : par)) * layer + offE[e]
        valE[e] = top ? topValid : botValid
      } else {
        secE[e] = 4 * layer + offE[e]
        valE[e] = topValid
      }
    }
    const bz = k0 - 1 + ck
    const kA = ck - 1
    const kB = ck
    for (let cj = 0; cj <= Y; cj++) {
      const jA = cj - 1
      const jB = cj
      let lo = X
      let hi = -1
      const okA0 = jA >= 0 && kA >= 0
      const okB0 = jB < Y && kA >= 0
      const okA1 = jA >= 0 && kB < Z
      const okB1 = jB < Y && kB < Z
      if (okA0) {
        const r = jA + Y * kA
        if (first[r] < lo) lo = first[r]
        if (last[r] > hi) hi = last[r]
      }
      if (okB0) {
        const r = jB + Y * kA
        if (first[r] < lo) lo = first[r]
        if (last[r] > hi) hi = last[r]
      }
      if (okA1) {
        const r = jA + Y * kB
        if (first[r] < lo) lo = first[r]
        if (last[r] > hi) hi = last[r]
      }
      if (okB1) {
        const r = jB + Y * kB
        if (first[r] < lo) lo = first[r]
        if (last[r] > hi) hi = last[r]
      }
      if (hi < 0) continue
      // Cubes whose eight corners lie in the common solid part of four single-run rows are case 255.
      let skipA = X + 2
      let skipB = X + 2
      if (okA0 && okB0 && okA1 && okB1) {
        const r0 = jA + Y * kA,
          r1 = jB + Y * kA,
          r2 = jA + Y * kB,
          r3 = jB + Y * kB
        if (solid[r0] & solid[r1] & solid[r2] & solid[r3]) {
          const S = Math.max(first[r0], first[r1], first[r2], first[r3])
          const E = Math.min(last[r0], last[r1], last[r2], last[r3])
          if (S + 1 <= E) {
            skipA = S + 1
            skipB = E
          }
        }
      }
      const g0 = okA0 ? grid : zero
      const g1 = okB0 ? grid : zero
      const g2 = okA1 ? grid : zero
      const g3 = okB1 ? grid : zero
      const b0 = okA0 ? i0 + nx * (j0 + jA + ny * (k0 + kA)) : 0
      const b1 = okB0 ? i0 + nx * (j0 + jB + ny * (k0 + kA)) : 0
      const b2 = okA1 ? i0 + nx * (j0 + jA + ny * (k0 + kB)) : 0
      const b3 = okB1 ? i0 + nx * (j0 + jB + ny * (k0 + kB)) : 0
      const rowCell = PX * cj
      const yBase = by + cj
      let prev = 0 // voxel column lo-1 is outside in all four rows by construction
      const end = hi + 1
      for (let ci = lo; ci <= end; ci++) {
        if (ci === skipA) {
          ci = skipB
          prev = 15
          continue
        }
        let cur = 0
        if (ci < X)
          cur = lut[g0[b0 + ci]] | (lut[g1[b1 + ci]] << 1) | (lut[g2[b2 + ci]] << 2) | (lut[g3[b3 + ci]] << 3)
        const c = prev | (cur << 4)
        prev = cur
        if (c === 0 || c === 255) continue

        if (nv * 3 + 36 > posCap) {
          posCap *= 2
          const p2 = new Float32Array(posCap)
          p2.set(pos.subarray(0, nv * 3))
          pos = p2
          if (wantNormals) {
            const n2 = new Float32Array(posCap)
            n2.set(nrm.subarray(0, nv * 3))
            nrm = n2
          }
        }
        if (ni + 3 * maxTrianglesPerCase > idxCap) {
          idxCap *= 2
          const i2 = new Uint32Array(idxCap)
          i2.set(idx.subarray(0, ni))
          idx = i2
        }
        const cell = ci + rowCell
        const xBase = bx + ci
        for (let u = usedStart[c], uEnd = usedStart[c + 1]; u < uEnd; u++) {
          const e = usedEdges[u]
          const slot = secE[e] + cell
          let id = cache[slot]
          if (id < valE[e]) {
            id = nv++
            cache[slot] = id
            const o = 3 * id
            pos[o] = xBase + ex[e]
            pos[o + 1] = yBase + ey[e]
            pos[o + 2] = bz + ez[e]
          }
          ev[e] = id
        }
        if (wantNormals) {
          for (let tr = 3 * triStart[c], tEnd = 3 * triStart[c + 1]; tr < tEnd; tr += 3) {
            const a = ev[triEdges[tr]]
            const b = ev[triEdges[tr + 1]]
            const d = ev[triEdges[tr + 2]]
            idx[ni++] = a
            idx[ni++] = b
            idx[ni++] = d
            const fx = triNormals[tr]
            const fy = triNormals[tr + 1]
            const fz = triNormals[tr + 2]
            nrm[3 * a] += fx
            nrm[3 * a + 1] += fy
            nrm[3 * a + 2] += fz
            nrm[3 * b] += fx
            nrm[3 * b + 1] += fy
            nrm[3 * b + 2] += fz
            nrm[3 * d] += fx
            nrm[3 * d + 1] += fy
            nrm[3 * d + 2] += fz
          }
        } else {
          for (let tr = 3 * triStart[c], tEnd = 3 * triStart[c + 1]; tr < tEnd; tr += 3) {
            idx[ni++] = ev[triEdges[tr]]
            idx[ni++] = ev[triEdges[tr + 1]]
            idx[ni++] = ev[triEdges[tr + 2]]
          }
        }
      }
    }
  }
  if (field !== undefined) placeOnField(pos, nv, field, dims, [i0, j0, k0], [X, Y, Z])
  const out: VoxelMesh = { positions: pos.slice(0, nv * 3), indices: idx.slice(0, ni) }
  if (wantNormals) out.normals = nrm.slice(0, nv * 3)
  return out
}

/** A lookup table marking every nonzero uint8 value inside. */
export const NONZERO_LUT: Uint8Array = (() => {
  const l = new Uint8Array(256).fill(1)
  l[0] = 0
  return l
})()

/** A lookup table marking exactly one label value inside. */
export function labelLut(label: number): Uint8Array {
  if (!Number.isInteger(label) || label < 0 || label > 255)
    throw new MeshInputError(`label ${label} is not a uint8 value`)
  const l = new Uint8Array(256)
  l[label] = 1
  return l
}

/**
 * Move mid-edge vertices to where the scalar field crosses its threshold (linear interpolation).
 * A vertex's edge is recovered from its coordinates: exactly one is a half-integer.
 * Edges leaving the box (virtual padding) keep their midpoint.
 */
function placeOnField(
  pos: Float32Array,
  nv: number,
  field: GridField,
  dims: Vec3,
  origin: Vec3,
  size: Vec3,
): void {
  const [nx, ny] = dims
  const fv = field.values
  const thr = field.threshold
  const lx = origin[0],
    ly = origin[1],
    lz = origin[2]
  const hx = origin[0] + size[0] - 1,
    hy = origin[1] + size[1] - 1,
    hz = origin[2] + size[2] - 1
  for (let v = 0; v < nv; v++) {
    const o = 3 * v
    const x = pos[o],
      y = pos[o + 1],
      z = pos[o + 2]
    let axis = 0
    if (y !== Math.floor(y)) axis = 1
    else if (z !== Math.floor(z)) axis = 2
    else if (x === Math.floor(x)) continue
    const i = axis === 0 ? x - 0.5 : x
    const j = axis === 1 ? y - 0.5 : y
    const k = axis === 2 ? z - 0.5 : z
    const i1 = axis === 0 ? i + 1 : i
    const j1 = axis === 1 ? j + 1 : j
    const k1 = axis === 2 ? k + 1 : k
    if (i < lx || j < ly || k < lz || i1 > hx || j1 > hy || k1 > hz) continue
    const s0 = fv[i + nx * (j + ny * k)]
    const s1 = fv[i1 + nx * (j1 + ny * k1)]
    const d = s1 - s0
    if (d === 0) continue
    let f = (thr - s0) / d
    if (!(f >= 0)) f = 0
    else if (f > 1) f = 1
    pos[o + axis] += f - 0.5
  }
}
