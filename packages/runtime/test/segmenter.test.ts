/**
 * Segmenter end to end on the shared example CT with the golden-recipe export: encode a crop around a
 * liver point, decode a click, paste the mask back onto the CT's own grid; the embedding cache.
 * (The golden weights are deterministic, not trained: the mask is not a liver, but every number in
 * it is the official architecture's.)
 */
import {
  applyAffine,
  invert4,
  pasteCropMask,
  prepareModelCrop,
  readVolume,
  type Vec3,
  type Volume,
} from '@fastsam-xr/volume'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { goldenModelDir } from '../../../test/support/goldenModel.ts'
import { RuntimeError } from '../src/errors.ts'
import { Segmenter, type EncodedCrop } from '../src/segmenter.ts'
import { upsampleThreshold } from '../src/upsample.ts'
import { exampleCtPath, exampleCtSegPath, LIVER, labelPoint, readPair } from './realData.ts'

/** Byte equality of two typed arrays (vitest's deep equality is slow on millions of elements). */
const sameBytes = (a: ArrayBufferView, b: ArrayBufferView): boolean =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))

let seg: Segmenter
let ct: Volume
let liver: Vec3
let encoded: EncodedCrop

beforeAll(async () => {
  seg = await Segmenter.load(await goldenModelDir('fastsam3d'))
  const pair = await readPair(exampleCtPath(), exampleCtSegPath())
  ct = pair.image
  liver = labelPoint(pair.seg, LIVER)
  encoded = await seg.encode(ct, liver)
})

afterAll(async () => {
  await seg?.release()
})

describe('Segmenter on the example CT', () => {
  it('promptsForPass: a FastSAM3D folder takes only the newest click per pass', () => {
    const a = { pointWorldRas: liver, positive: true }
    const b = { pointWorldRas: [liver[0] + 5, liver[1], liver[2]] as Vec3, positive: false }
    expect(seg.promptsForPass([a, b])).toEqual([b])
    expect(() => seg.promptsForPass([])).toThrow(RuntimeError)
  })

  it('encodes the crop prepareModelCrop makes, with the manifest geometry', async () => {
    expect(encoded.cached).toBe(false)
    expect(encoded.embedding.length).toBe(384 * 8 * 8 * 8)
    expect(encoded.crop.size).toBe(seg.manifest.input.cropSize)
    expect(encoded.crop.spacingMm).toBe(seg.manifest.input.spacingMm)
    expect(encoded.crop.input.length).toBe(0) // the 8 MiB input is not kept
    expect(encoded.encodeMs).toBeGreaterThan(0)
    const direct = await seg.runEncoder(prepareModelCrop(ct, liver).input)
    expect(sameBytes(direct, encoded.embedding)).toBe(true)
  })

  it('serves a second encode of the same crop from the cache, and only that', async () => {
    const again = await seg.encode(ct, liver)
    expect(again.cached).toBe(true)
    expect(again.embedding).toBe(encoded.embedding)
    expect(again.key).toBe(encoded.key)
    // 0.4 mm away: the same nearest 1.5 mm voxel, so the same crop.
    const nudged = await seg.encode(ct, [liver[0] + 0.4, liver[1], liver[2]])
    expect(nudged.cached).toBe(true)
    // 3 mm away: a crop shifted by two voxels is a different crop.
    const shifted = await seg.encode(ct, [liver[0] + 3, liver[1], liver[2]])
    expect(shifted.cached).toBe(false)
    expect(shifted.crop.start[0]).toBe(encoded.crop.start[0] + 2)
    // The same data read again is another volume object: not assumed identical.
    const other = await seg.encode(await readVolume(exampleCtPath()), liver)
    expect(other.cached).toBe(false)
    expect(sameBytes(other.embedding, encoded.embedding)).toBe(true)
  })

  it('decodes a liver click and pastes the mask onto the CT grid', async () => {
    const first = await seg.decode(encoded, [{ pointWorldRas: liver, positive: true }])
    expect(first.lowResLogits.length).toBe(32 ** 3)
    expect(Number.isFinite(first.iou)).toBe(true)
    const mask = seg.toMask(encoded, first.lowResLogits, ct)
    expect(mask.length).toBe(ct.dims[0] * ct.dims[1] * ct.dims[2])
    expect(seg.timings.upsampleMs).toBeGreaterThan(0)
    expect(seg.timings.pasteMs).toBeGreaterThan(0)
    let inside = 0
    let notBinary = 0
    for (const v of mask) {
      if (v > 1) notBinary++
      inside += v
    }
    expect(notBinary).toBe(0)
    expect(inside).toBeGreaterThan(0)
    // The same as upsampling and pasting by hand.
    expect(
      sameBytes(mask, pasteCropMask(upsampleThreshold(first.lowResLogits, 32, 128), encoded.crop, ct)),
    ).toBe(true)
    // Nothing beyond the 192 mm crop around the click.
    const toVoxel = invert4(ct.affine)
    const c = applyAffine(toVoxel, liver)
    const [nx, ny] = ct.dims
    let farthest = 0
    for (let q = 0; q < mask.length; q++)
      if (mask[q]) {
        const i = q % nx
        const j = Math.floor(q / nx) % ny
        const k = Math.floor(q / (nx * ny))
        farthest = Math.max(farthest, Math.abs(i - c[0]), Math.abs(j - c[1]), Math.abs(k - c[2]))
      }
    // 3 mm voxels: the crop spans ±96 mm = ±32 voxels (+1 for rounding).
    expect(farthest).toBeLessThanOrEqual(33)
  })

  it('a refinement click with the previous logits changes the result; a far point is refused', async () => {
    const first = await seg.decode(encoded, [{ pointWorldRas: liver, positive: true }])
    const neg: Vec3 = [liver[0] - 30, liver[1], liver[2]]
    const second = await seg.decode(encoded, [{ pointWorldRas: neg, positive: false }], first.lowResLogits)
    expect(sameBytes(second.lowResLogits, first.lowResLogits)).toBe(false)
    const joint = await seg.decode(encoded, [
      { pointWorldRas: liver, positive: true },
      { pointWorldRas: neg, positive: false },
    ])
    expect(sameBytes(joint.lowResLogits, first.lowResLogits)).toBe(false)
    expect(sameBytes(joint.lowResLogits, second.lowResLogits)).toBe(false)
    await expect(
      seg.decode(encoded, [{ pointWorldRas: [liver[0], liver[1], liver[2] + 150], positive: true }]),
    ).rejects.toMatchObject({
      code: 'prompt-outside-crop',
    })
    await expect(
      seg.decode(encoded, [{ pointWorldRas: liver, positive: true }], new Float32Array(10)),
    ).rejects.toBeInstanceOf(RuntimeError)
  })

  it('bounds its cache in bytes (oldest crops evicted)', async () => {
    const small = await Segmenter.load(await goldenModelDir('fastsam3d'), { cacheBytes: 1.5 * 384 * 512 * 4 })
    try {
      await small.encode(ct, liver)
      expect((await small.encode(ct, liver)).cached).toBe(true)
      await small.encode(ct, [liver[0] + 30, liver[1], liver[2]])
      expect(small.cachedCrops).toBe(1)
      expect((await small.encode(ct, liver)).cached).toBe(false)
    } finally {
      await small.release()
    }
  })
})
