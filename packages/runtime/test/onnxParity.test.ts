/**
 * ONNX parity on the golden vectors (model-spec §13): the exported golden-recipe graphs, run by
 * onnxruntime-node exactly as the Segmenter runs them, reproduce the official code's outputs.
 */
import type { InferenceSession } from 'onnxruntime-common'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { goldenModelDir } from '../../../test/support/goldenModel.ts'
import { createSession, DECODER_CONTRACT, ENCODER_CONTRACT, type OrtModule } from '../src/backend.ts'
import { nodeOrt, readModelFolder } from '../src/nodeModel.ts'
import { upsampleThreshold } from '../src/upsample.ts'
import { channel, goldenInput, goldenNpy, goldenStats, relativeError } from './golden.ts'

let ort: OrtModule
let encoder: InferenceSession
let decoder: InferenceSession
let embedding: Float32Array

beforeAll(async () => {
  const folder = await readModelFolder(await goldenModelDir('fastsam3d'))
  ort = await nodeOrt()
  encoder = await createSession(ort, folder.encoderPath, ENCODER_CONTRACT)
  decoder = await createSession(ort, folder.decoderPath, DECODER_CONTRACT)
  const out = await encoder.run({ image: new ort.Tensor('float32', goldenInput(), [1, 1, 128, 128, 128]) })
  embedding = out.image_embeddings.data as Float32Array
})

afterAll(async () => {
  await encoder?.release()
  await decoder?.release()
})

async function decode(
  points: number[][],
  labels: number[],
  mask: Float32Array,
): Promise<{ low: Float32Array; iou: number }> {
  const out = await decoder.run({
    image_embeddings: new ort.Tensor('float32', embedding, [1, 384, 8, 8, 8]),
    point_coords: new ort.Tensor('float32', Float32Array.from(points.flat()), [1, points.length, 3]),
    point_labels: new ort.Tensor('float32', Float32Array.from(labels), [1, labels.length]),
    mask_input: new ort.Tensor('float32', mask, [1, 1, 32, 32, 32]),
    has_mask_input: new ort.Tensor('float32', Float32Array.of(1), [1]),
  })
  expect(out.low_res_logits.dims).toEqual([1, 1, 32, 32, 32])
  expect(out.iou_predictions.dims).toEqual([1, 1])
  return { low: out.low_res_logits.data as Float32Array, iou: (out.iou_predictions.data as Float32Array)[0] }
}

describe('golden-recipe export through onnxruntime-node', () => {
  it('encoder: image_embeddings match student_embedding.npy to 1e-3 relative', () => {
    const ref = goldenNpy('student_embedding')
    expect(ref.shape).toEqual([1, 384, 8, 8, 8])
    expect(embedding.length).toBe(ref.data.length)
    expect(relativeError(embedding, ref.data)).toBeLessThan(1e-3)
  })

  it('call A: one positive click (70,40,90), zero mask with has_mask_input 1', async () => {
    const { low, iou } = await decode([[70, 40, 90]], [1], new Float32Array(32 ** 3))
    const masks = goldenNpy('student_A_masks4')
    expect(relativeError(low, channel(masks, 0))).toBeLessThan(1e-3)
    // The single-mask output is channel 0, not one of the other three.
    expect(relativeError(low, channel(masks, 1))).toBeGreaterThan(1e-2)
    const iouRef = goldenNpy('student_A_iou4').data[0]
    expect(Math.abs(iou - iouRef)).toBeLessThan(1e-3 * Math.max(1, Math.abs(iouRef)))
  })

  it('call A upsampled in TypeScript: positive voxel count and values of the official 128³ logits', async () => {
    const { low } = await decode([[70, 40, 90]], [1], new Float32Array(32 ** 3))
    const stats = goldenStats()
    const mask = upsampleThreshold(low, 32, 128)
    let positive = 0
    for (const v of mask) positive += v
    // Stored by the golden run: (F.interpolate(trilinear, align_corners=False)(low) > 0).sum().
    const expected = stats.student_A_fullres_positive_voxels as unknown as number
    expect(positive).toBe(expected)
  })

  it('call B: clicks (70,40,90)+ and (20,100,60)−, mask input = call A channel 0', async () => {
    const maskA = channel(goldenNpy('student_A_masks4'), 0)
    const { low, iou } = await decode(
      [
        [70, 40, 90],
        [20, 100, 60],
      ],
      [1, 0],
      Float32Array.from(maskA),
    )
    expect(relativeError(low, channel(goldenNpy('student_B_masks4'), 0))).toBeLessThan(1e-3)
    const iouRef = goldenNpy('student_B_iou4').data[0]
    expect(Math.abs(iou - iouRef)).toBeLessThan(1e-3 * Math.max(1, Math.abs(iouRef)))
  })
})
