/**
 * The promptable U-Net end to end in CI: the tiny configuration is trained for a few steps by the real
 * training command, exported by the real export, and its graphs — loaded through the runtime's own model
 * folder reader and session contracts — reproduce PyTorch's outputs on a real crop: the embedding, a
 * first click with a zero mask, and both clicks with the first pass's logits as mask input (the 'all'
 * prompting its model.json declares).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { InferenceSession } from 'onnxruntime-common'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSession, DECODER_CONTRACT, ENCODER_CONTRACT, type OrtModule } from '../src/backend.ts'
import { nodeOrt, readModelFolder } from '../src/nodeModel.ts'
import type { ModelManifest } from '../src/manifest.ts'
import { applyAffine, readVolume, type Vec3 } from '@fastsam-xr/volume'
import { Segmenter } from '../src/segmenter.ts'
import { relativeError } from './golden.ts'
import { readNpy } from './npy.ts'
import { runPython } from './python.ts'
import { sharedData } from '../../../test/support/paths.ts'

let dir: string
let ort: OrtModule
let manifest: ModelManifest
let encoder: InferenceSession
let decoder: InferenceSession
const ref = (name: string) => readNpy(join(dir, 'reference', `${name}.npy`))

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fsx-unet-parity-'))
  await runPython(['-m', 'models.export.unet_reference', '--out', dir, '--steps', '3'])
  const folder = await readModelFolder(join(dir, 'model'))
  manifest = folder.manifest
  ort = await nodeOrt()
  encoder = await createSession(ort, folder.encoderPath, ENCODER_CONTRACT)
  decoder = await createSession(ort, folder.decoderPath, DECODER_CONTRACT)
}, 240_000)

afterAll(async () => {
  await encoder?.release()
  await decoder?.release()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

async function decode(embedding: Float32Array, coords: number[][], labels: number[], mask: Float32Array) {
  const l = manifest.lowResLogits.shape[2]
  const out = await decoder.run({
    image_embeddings: new ort.Tensor('float32', embedding, manifest.embedding.shape),
    point_coords: new ort.Tensor('float32', Float32Array.from(coords.flat()), [1, coords.length, 3]),
    point_labels: new ort.Tensor('float32', Float32Array.from(labels), [1, labels.length]),
    mask_input: new ort.Tensor('float32', mask, [1, 1, l, l, l]),
    has_mask_input: new ort.Tensor('float32', Float32Array.of(1), [1]),
  })
  expect(out.low_res_logits.dims).toEqual([1, 1, l, l, l])
  return { low: out.low_res_logits.data as Float32Array, iou: (out.iou_predictions.data as Float32Array)[0] }
}

describe('promptable U-Net (tiny, trained in the test) through onnxruntime-node', () => {
  it('model.json: 32³ crop, 16³ logits, every click per pass', () => {
    expect(manifest.variant).toBe('tiny-unet')
    expect(manifest.input.cropSize).toBe(32)
    expect(manifest.lowResLogits.shape).toEqual([1, 1, 16, 16, 16])
    expect(manifest.decoder.prompts).toBe('all')
    expect(JSON.parse(readFileSync(join(dir, 'run', 'log.jsonl'), 'utf8').split('\n')[0]).event).toBe('start')
  })

  it('encoder, first click, then both clicks with the previous logits match PyTorch', async () => {
    const input = ref('input')
    const out = await encoder.run({ image: new ort.Tensor('float32', input.data, input.shape) })
    const embedding = out.image_embeddings.data as Float32Array
    expect(out.image_embeddings.dims).toEqual(manifest.embedding.shape)
    expect(relativeError(embedding, ref('embedding').data)).toBeLessThan(1e-4)

    const clicks = JSON.parse(readFileSync(join(dir, 'reference', 'clicks.json'), 'utf8')) as {
      coords: number[][]
      labels: number[]
    }
    const zero = new Float32Array(manifest.lowResLogits.shape[2] ** 3)
    const first = await decode(embedding, clicks.coords.slice(0, 1), clicks.labels.slice(0, 1), zero)
    expect(relativeError(first.low, ref('logits_1').data)).toBeLessThan(1e-4)
    const second = await decode(embedding, clicks.coords, clicks.labels, Float32Array.from(first.low))
    expect(relativeError(second.low, ref('logits_2').data)).toBeLessThan(1e-4)
    expect(Math.abs(second.iou - ref('iou_2').data[0])).toBeLessThan(1e-4)
    // The negative click changed the answer: the decoder saw it.
    expect(relativeError(second.low, first.low)).toBeGreaterThan(1e-3)
  })

  it('runs through the Segmenter on a real volume: 32³ crop, every click per pass, mask on the volume grid', async () => {
    const seg = await Segmenter.load(join(dir, 'model'))
    try {
      const t2 = await readVolume(sharedData('volumes', 'sct_spine', 't2_img.nii.gz'))
      const centre = applyAffine(t2.affine, t2.dims.map((d) => (d - 1) / 2) as Vec3)
      const encoded = await seg.encode(t2, centre)
      expect(encoded.embedding.length).toBe(manifest.embedding.shape.reduce((a, b) => a * b, 1))
      const history = [
        { pointWorldRas: centre, positive: true },
        { pointWorldRas: [centre[0] + 6, centre[1], centre[2]] as Vec3, positive: false },
      ]
      expect(seg.promptsForPass(history)).toEqual(history)
      const first = await seg.decode(encoded, seg.promptsForPass(history.slice(0, 1)))
      const second = await seg.decode(encoded, seg.promptsForPass(history), first.lowResLogits)
      expect(second.lowResLogits.length).toBe(16 ** 3)
      expect(seg.toMask(encoded, second.lowResLogits, t2).length).toBe(t2.data.length)
    } finally {
      await seg.release()
    }
  })
})
