/**
 * Voxel boxes for incremental re-meshing of a large volume: after a prompt only the decoder crop
 * changed, so the object lies inside (previous object box ∪ crop box); meshing just that region with
 * `maskToMesh(…, { region })` gives the same mesh as meshing the whole volume, without scanning it.
 */
import { GeometryError, type Vec3, type VoxelBox } from './types.ts'

const NONZERO: Uint8Array = (() => {
  const l = new Uint8Array(256).fill(1)
  l[0] = 0
  return l
})()

/** Lookup table of the uint8 values that count as inside: every nonzero one, or exactly `label`. */
function insideLut(label: number | undefined): Uint8Array {
  if (label === undefined) return NONZERO
  if (!Number.isInteger(label) || label < 0 || label > 255)
    throw new GeometryError(`label ${label} is not a uint8 value`)
  const l = new Uint8Array(256)
  l[label] = 1
  return l
}

/**
 * Bounding box of inside voxels (nonzero, or == label) within `region` (default: all), or null when
 * there are none. Empty stretches are skipped 32 bits at a time.
 */
export function maskBoundingBox(
  mask: Uint8Array,
  dims: Vec3,
  opts: { label?: number; region?: VoxelBox } = {},
): VoxelBox | null {
  const [nx, ny, nz] = dims
  if (mask.length !== nx * ny * nz) throw new GeometryError('mask length does not match dims')
  const lut = insideLut(opts.label)
  const o = opts.region?.origin ?? [0, 0, 0]
  const s = opts.region?.size ?? [nx - o[0], ny - o[1], nz - o[2]]
  if (o.some((x, d) => x < 0 || s[d] < 1 || x + s[d] > dims[d]))
    throw new GeometryError('region is outside the mask')
  const words =
    mask.byteOffset % 4 === 0 ? new Uint32Array(mask.buffer, mask.byteOffset, mask.length >> 2) : null
  const lo = [Infinity, Infinity, Infinity]
  const hi = [-1, -1, -1]
  for (let k = o[2]; k < o[2] + s[2]; k++)
    for (let j = o[1]; j < o[1] + s[1]; j++) {
      const row = nx * (j + ny * k)
      const end = row + o[0] + s[0]
      let p = row + o[0]
      if (words !== null) {
        while (p < end && (p & 3) !== 0 && lut[mask[p]] === 0) p++
        if (p < end && (p & 3) === 0) {
          let w = p >> 2
          const wEnd = end >> 2
          while (w < wEnd && words[w] === 0) w++
          p = 4 * w
        }
      }
      while (p < end && lut[mask[p]] === 0) p++
      if (p === end) continue
      let q = end - 1
      while (lut[mask[q]] === 0) q--
      const a = p - row
      const b = q - row
      if (a < lo[0]) lo[0] = a
      if (b > hi[0]) hi[0] = b
      if (j < lo[1]) lo[1] = j
      if (j > hi[1]) hi[1] = j
      if (k < lo[2]) lo[2] = k
      if (k > hi[2]) hi[2] = k
    }
  if (hi[0] < 0) return null
  return { origin: [lo[0], lo[1], lo[2]], size: [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1] }
}

/** Smallest box containing both (null boxes are ignored; null when both are). */
export function unionBox(a: VoxelBox | null, b: VoxelBox | null): VoxelBox | null {
  if (!a) return b
  if (!b) return a
  const origin = [0, 1, 2].map((d) => Math.min(a.origin[d], b.origin[d])) as Vec3
  const end = [0, 1, 2].map((d) => Math.max(a.origin[d] + a.size[d], b.origin[d] + b.size[d]))
  return { origin, size: [end[0] - origin[0], end[1] - origin[1], end[2] - origin[2]] }
}

/**
 * Bounding box of the indices where `inside(q)` holds, on a grid whose FIRST axis varies fastest
 * (q = i + n0·(j + n1·k), the volume order), or null when none does. For C-order arrays (last axis fastest)
 * pass the dims reversed and read the box reversed. The general scan for any element type and test; a
 * uint8 mask is faster through `maskBoundingBox`.
 */
export function boxWhere(dims: Vec3, inside: (q: number) => boolean): VoxelBox | null {
  const [n0, n1, n2] = dims
  const lo = [n0, n1, n2]
  const hi = [-1, -1, -1]
  for (let k = 0, q = 0; k < n2; k++)
    for (let j = 0; j < n1; j++)
      for (let i = 0; i < n0; i++, q++)
        if (inside(q)) {
          if (i < lo[0]) lo[0] = i
          if (i > hi[0]) hi[0] = i
          if (j < lo[1]) lo[1] = j
          if (j > hi[1]) hi[1] = j
          if (k < lo[2]) lo[2] = k
          if (k > hi[2]) hi[2] = k
        }
  if (hi[0] < 0) return null
  return { origin: [lo[0], lo[1], lo[2]], size: [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1] }
}
