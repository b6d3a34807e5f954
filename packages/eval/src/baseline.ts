/**
 * The non-learned contrast: every positive click adds the 6-connected component of voxels whose
 * intensity is within `tolerance` of the clicked voxel's (HU for CT, z-units otherwise: `baselineInput`), every negative click removes its component. Nothing is learned and nothing crosses
 * an intensity edge, which is what a model should beat.
 *
 * Layout: C-order over (a0, a1, a2) (see edt.ts).
 */
import type { Dims3 } from './edt.ts'

export const DEFAULT_TOLERANCE = 0.5
/** CT: ±60 HU around the clicked value (the liver at Dice 0.67 on the demo CT, 0.87 on the DICOM CT). */
export const CT_TOLERANCE_HU = 60
/** A crop holding values this low is on the Hounsfield scale (air ≈ −1000 HU): a CT. */
const CT_AIR_HU = -500

/**
 * What the baseline grows on: a CT crop back on its Hounsfield scale (input·std + mean, the inverse of
 * the z-normalisation) with ±60 HU — the strong baseline a radiologist's region grower is — and any other
 * crop in z-units with ±`zTolerance`. Why not z-units for CT: the crop's std is dominated by bone and air,
 * so 0.5 z spans ~200 HU and the liver leaks into every soft tissue.
 */
export function baselineInput(
  input: Float32Array,
  stats: { mean: number; std: number },
  zTolerance = DEFAULT_TOLERANCE,
): { image: Float32Array; tolerance: number; units: 'HU' | 'z' } {
  const hu = new Float32Array(input.length)
  let min = Infinity
  for (let q = 0; q < input.length; q++) {
    hu[q] = input[q] * stats.std + stats.mean
    if (hu[q] < min) min = hu[q]
  }
  return min <= CT_AIR_HU
    ? { image: hu, tolerance: CT_TOLERANCE_HU, units: 'HU' }
    : { image: input, tolerance: zTolerance, units: 'z' }
}

/** The 6-connected component of |image − image[seed]| ≤ tolerance that contains `seed`, as 0/1. */
export function regionGrow(
  image: Float32Array,
  dims: Dims3,
  seed: readonly [number, number, number],
  tolerance = DEFAULT_TOLERANCE,
): Uint8Array {
  const [n0, n1, n2] = dims
  const n = n0 * n1 * n2
  if (image.length !== n) throw new RangeError(`image has ${image.length} voxels, dims need ${n}`)
  if (!seed.every((v, a) => Number.isInteger(v) && v >= 0 && v < dims[a]))
    throw new RangeError(`seed ${seed.join(',')} is outside ${dims.join('×')}`)
  const out = new Uint8Array(n)
  const s = n2 * (n1 * seed[0] + seed[1]) + seed[2]
  const lo = image[s] - tolerance
  const hi = image[s] + tolerance
  const queue = new Int32Array(n)
  let head = 0
  let tail = 0
  out[s] = 1
  queue[tail++] = s
  const visit = (q: number): void => {
    if (out[q] === 0 && image[q] >= lo && image[q] <= hi) {
      out[q] = 1
      queue[tail++] = q
    }
  }
  const plane = n1 * n2
  while (head < tail) {
    const q = queue[head++]
    const a2 = q % n2
    const a1 = Math.floor(q / n2) % n1
    const a0 = Math.floor(q / plane)
    if (a0 > 0) visit(q - plane)
    if (a0 < n0 - 1) visit(q + plane)
    if (a1 > 0) visit(q - n2)
    if (a1 < n1 - 1) visit(q + n2)
    if (a2 > 0) visit(q - 1)
    if (a2 < n2 - 1) visit(q + 1)
  }
  return out
}
