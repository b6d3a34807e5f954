/**
 * Exact Euclidean distance transform of a 3D binary mask, with every voxel outside the array counted
 * as background — what the official eval gets from `edt.edt(np.pad(mask, 1), black_border=True)`
 * cropped back (model-spec §9.1). Unit voxel spacing.
 *
 * Felzenszwalb & Huttenlocher's separable algorithm: an exact 1D distance along a2 (two sweeps), then
 * the lower envelope of parabolas along a1 and a0 on the squared distances. Every value is an integer
 * (a sum of squared integer offsets), so the squared result is exact in float64.
 *
 * Layout: C-order over (a0, a1, a2): flat = n2·(n1·a0 + a1) + a2. Foreground = non-zero.
 */
import { boxWhere } from '@fastsam-xr/geometry'

export type Dims3 = readonly [number, number, number]

/** Squared distance of each foreground voxel to the nearest background voxel (or the outside). */
export function squaredEdtBlackBorder(mask: ArrayLike<number>, dims: Dims3): Float64Array {
  const [n0, n1, n2] = dims
  const n = n0 * n1 * n2
  if (mask.length !== n)
    throw new RangeError(`mask has ${mask.length} voxels, dims ${dims.join('×')} need ${n}`)
  const d = new Float64Array(n)
  // Pass 1, along a2: distance to the nearest background voxel in the row, the outside at −1 and n2
  // included (forward sweep, then backward).
  for (let row = 0; row < n0 * n1; row++) {
    const base = row * n2
    let run = 0
    for (let t = 0; t < n2; t++) {
      run = mask[base + t] ? run + 1 : 0
      d[base + t] = run
    }
    run = 0
    for (let t = n2 - 1; t >= 0; t--) {
      run = mask[base + t] ? run + 1 : 0
      const v = Math.min(d[base + t], run)
      d[base + t] = v * v
    }
  }
  // Passes 2 and 3: lower envelope along a1, then a0.
  const longest = Math.max(n0, n1) + 2
  const env = new Envelope(longest)
  for (let a0 = 0; a0 < n0; a0++) for (let a2 = 0; a2 < n2; a2++) env.transform(d, a0 * n1 * n2 + a2, n2, n1)
  for (let a1 = 0; a1 < n1; a1++) for (let a2 = 0; a2 < n2; a2++) env.transform(d, a1 * n2 + a2, n1 * n2, n0)
  return d
}

/** Distance (not squared) of each foreground voxel to the nearest background voxel or the outside. */
export function edtBlackBorder(mask: ArrayLike<number>, dims: Dims3): Float64Array {
  const d = squaredEdtBlackBorder(mask, dims)
  for (let q = 0; q < d.length; q++) d[q] = Math.sqrt(d[q])
  return d
}

/**
 * 1D squared-distance transform of one line of the volume (Felzenszwalb & Huttenlocher 2012), in place.
 * The line gets a virtual background sample (value 0) at −1 and at `length`: the black border.
 */
class Envelope {
  private readonly f: Float64Array
  private readonly v: Int32Array
  private readonly z: Float64Array

  constructor(capacity: number) {
    this.f = new Float64Array(capacity)
    this.v = new Int32Array(capacity)
    this.z = new Float64Array(capacity + 1)
  }

  transform(d: Float64Array, start: number, stride: number, length: number): void {
    const { f, v, z } = this
    const m = length + 2
    // Sample p of the padded line sits at line position p − 1.
    f[0] = 0
    f[m - 1] = 0
    let any = false
    for (let p = 1; p <= length; p++) {
      const x = d[start + (p - 1) * stride]
      f[p] = x
      if (x !== 0) any = true
    }
    if (!any) return // all background: nothing changes
    let k = 0
    v[0] = 0
    z[0] = -Infinity
    z[1] = Infinity
    for (let q = 1; q < m; q++) {
      const fq = f[q] + q * q
      let s = (fq - (f[v[k]] + v[k] * v[k])) / (2 * (q - v[k]))
      while (s <= z[k]) {
        k--
        s = (fq - (f[v[k]] + v[k] * v[k])) / (2 * (q - v[k]))
      }
      k++
      v[k] = q
      z[k] = s
      z[k + 1] = Infinity
    }
    k = 0
    for (let q = 1; q <= length; q++) {
      while (z[k + 1] < q) k++
      const o = q - v[k]
      d[start + (q - 1) * stride] = o * o + f[v[k]]
    }
  }
}

/**
 * The same as `squaredEdtBlackBorder`, computed only on the bounding box of the foreground: exact,
 * because the nearest background voxel of a foreground voxel is never farther than its projection onto
 * the box's one-voxel shell (background, or the outside), which the black border of the box stands
 * for. Much cheaper when the foreground is small in a large array (the error maps of a good model).
 */
export function squaredEdtBlackBorderInBox(mask: ArrayLike<number>, dims: Dims3): Float64Array {
  const [n0, n1, n2] = dims
  const n = n0 * n1 * n2
  if (mask.length !== n)
    throw new RangeError(`mask has ${mask.length} voxels, dims ${dims.join('×')} need ${n}`)
  const out = new Float64Array(n)
  // C-order (a2 fastest): the box comes back in (a2, a1, a0) order
  const found = boxWhere([n2, n1, n0], (q) => mask[q] !== 0)
  if (!found) return out
  const lo = [found.origin[2], found.origin[1], found.origin[0]]
  const box: [number, number, number] = [found.size[2], found.size[1], found.size[0]]
  if (box[0] === n0 && box[1] === n1 && box[2] === n2) return squaredEdtBlackBorder(mask, dims)
  const sub = new Uint8Array(box[0] * box[1] * box[2])
  for (let b0 = 0, p = 0; b0 < box[0]; b0++)
    for (let b1 = 0; b1 < box[1]; b1++) {
      const row = n2 * (n1 * (lo[0] + b0) + lo[1] + b1) + lo[2]
      for (let b2 = 0; b2 < box[2]; b2++, p++) sub[p] = mask[row + b2] ? 1 : 0
    }
  const d = squaredEdtBlackBorder(sub, box)
  for (let b0 = 0, p = 0; b0 < box[0]; b0++)
    for (let b1 = 0; b1 < box[1]; b1++) {
      const row = n2 * (n1 * (lo[0] + b0) + lo[1] + b1) + lo[2]
      for (let b2 = 0; b2 < box[2]; b2++, p++) out[row + b2] = d[p]
    }
  return out
}
