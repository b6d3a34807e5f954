/**
 * Prompts in world RAS mm → the decoder's point inputs. The model wants crop voxel indices
 * (p0, p1, p2) along (a0, a1, a2) = (R, A, S) of the canonical 1.5 mm crop (model-spec §8.2);
 * `worldToCropIndex` (packages/volume) owns that geometry, this file only checks and packs.
 */
import { worldToCropIndex, type ModelCrop, type Vec3 } from '@fastsam-xr/volume'
import { RuntimeError } from './errors.ts'

export interface Prompt {
  /** the clicked point, world RAS millimetres. */
  pointWorldRas: Vec3
  /** true = include (label 1), false = exclude (label 0). */
  positive: boolean
}

export interface DecoderPoints {
  /** [1, N, 3] float32: continuous crop indices (p0, p1, p2). */
  coords: Float32Array
  /** [1, N] float32: 1 positive, 0 negative. */
  labels: Float32Array
  count: number
}

/** A continuous crop index is inside when its nearest voxel is one of the crop's voxels. */
function insideCrop(p: Vec3, size: number): boolean {
  return p.every((v) => v >= -0.5 && v < size - 0.5)
}

/** Converts and checks prompts; a point outside the crop is a `prompt-outside-crop` error. */
export function promptsToDecoderPoints(crop: ModelCrop, prompts: readonly Prompt[]): DecoderPoints {
  if (prompts.length === 0) throw new RuntimeError('bad-input', 'at least one prompt is needed')
  const coords = new Float32Array(prompts.length * 3)
  const labels = new Float32Array(prompts.length)
  prompts.forEach((prompt, n) => {
    const w = prompt.pointWorldRas
    if (!Array.isArray(w) || w.length !== 3 || !w.every(Number.isFinite))
      throw new RuntimeError(
        'bad-input',
        `prompt ${n + 1}: pointWorldRas must be 3 finite numbers (got ${JSON.stringify(w)})`,
      )
    const p = worldToCropIndex(crop, w)
    if (!insideCrop(p, crop.size))
      throw new RuntimeError(
        'prompt-outside-crop',
        `prompt ${n + 1} at RAS (${w.map((v) => v.toFixed(1)).join(', ')}) mm is outside the encoded ${crop.size}³ crop ` +
          `(crop index ${p.map((v) => v.toFixed(1)).join(', ')}); encode a crop centred nearer to it`,
      )
    coords.set(p, 3 * n)
    labels[n] = prompt.positive ? 1 : 0
  })
  return { coords, labels, count: prompts.length }
}
