/**
 * Interactive segmentation with an exported FastSAM3D / SAM-Med3D model (model-spec §8):
 *
 *   encode(volume, centre)  once per ROI: 128³ canonical crop around `centre` → image embedding
 *                           (cached per volume and crop position, LRU bounded in bytes);
 *   decode(encoded, prompts, previousLogits?)  per click: prompts in world RAS mm → 32³ low-res logits;
 *   toMask(encoded, logits, volume)  upsample + threshold, pasted back onto the volume's own grid.
 *
 * Backend-agnostic: a Segmenter is built from an `OrtModule` (onnxruntime-node or -web) and two
 * sessions; `Segmenter.load(dir)` is the Node convenience that reads a model folder.
 */
import type { InferenceSession } from 'onnxruntime-common'
import {
  modelCropStart,
  pasteCropMask,
  prepareModelCrop,
  type ModelCrop,
  type Vec3,
  type Volume,
} from '@fastsam-xr/volume'
import { ByteLru } from './byteLru.ts'
import {
  createSession,
  DECODER_CONTRACT,
  ENCODER_CONTRACT,
  type OrtModule,
  type SessionOptions,
} from './backend.ts'
import { RuntimeError } from './errors.ts'
import type { ModelManifest } from './manifest.ts'
import { promptsToDecoderPoints, type Prompt } from './prompts.ts'
import { upsampleThreshold } from './upsample.ts'

export interface SegmenterOptions extends SessionOptions {
  /** the onnxruntime module; `Segmenter.load` defaults to onnxruntime-node. */
  ort?: OrtModule
  /** budget of the embedding cache (default 64 MiB ≈ 80 crops of FastSAM3D). 0 disables it. */
  cacheBytes?: number
}

/** Milliseconds spent in each stage of the most recent call to that stage. */
export interface StageTimings {
  preprocessMs: number
  encodeMs: number
  decodeMs: number
  upsampleMs: number
  pasteMs: number
}

/** One encoded ROI. `crop` keeps the geometry only: its `input` is dropped after encoding (8 MiB). */
export interface EncodedCrop {
  readonly key: string
  readonly crop: ModelCrop
  /** [1, C, e, e, e] float32, as the encoder returned it. */
  readonly embedding: Float32Array
  /** true when the embedding came from the cache (encodeMs is then 0). */
  readonly cached: boolean
  readonly preprocessMs: number
  readonly encodeMs: number
}

export interface DecodeResult {
  /** [1, 1, L, L, L] raw logits, C-order over (a0, a1, a2). Feed back as `previousLogits`. */
  lowResLogits: Float32Array
  /** the decoder's predicted IoU of this mask. */
  iou: number
  decodeMs: number
}

const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024
const EMPTY_INPUT = new Float32Array(0)

/** Identity of a Volume object for the cache (a volume is never mutated after reading). */
const volumeIds = new WeakMap<Volume, number>()
let nextVolumeId = 1
function volumeId(v: Volume): number {
  let id = volumeIds.get(v)
  if (id === undefined) volumeIds.set(v, (id = nextVolumeId++))
  return id
}

const now = (): number => performance.now()

export class Segmenter {
  readonly timings: StageTimings = { preprocessMs: 0, encodeMs: 0, decodeMs: 0, upsampleMs: 0, pasteMs: 0 }
  private readonly cache: ByteLru<{ crop: ModelCrop; embedding: Float32Array }>
  private readonly lowSize: number
  private readonly zeroMask: Float32Array

  private constructor(
    readonly manifest: ModelManifest,
    private readonly ort: OrtModule,
    private readonly encoder: InferenceSession,
    private readonly decoder: InferenceSession,
    cacheBytes: number,
  ) {
    this.cache = new ByteLru(cacheBytes, (e) => e.embedding.byteLength + 512)
    this.lowSize = manifest.lowResLogits.shape[2]
    this.zeroMask = new Float32Array(this.lowSize ** 3)
  }

  /** Node: reads `modelDir/model.json` and both graphs with onnxruntime-node (unless `opts.ort`). */
  static async load(modelDir: string, opts: SegmenterOptions = {}): Promise<Segmenter> {
    // Lazy, through a non-literal specifier: bundlers leave it alone, so node:fs and the native
    // binding never reach a browser bundle of this module.
    const nodeModel = './nodeModel.ts'
    const { readModelFolder, nodeOrt } = (await import(
      /* @vite-ignore */ nodeModel
    )) as typeof import('./nodeModel.ts')
    const folder = await readModelFolder(modelDir)
    const ort = opts.ort ?? (await nodeOrt())
    return Segmenter.create(
      ort,
      folder.manifest,
      { encoder: folder.encoderPath, decoder: folder.decoderPath },
      opts,
    )
  }

  /** Any backend: `graphs` are file paths (Node), URLs or bytes (browser). */
  static async create(
    ort: OrtModule,
    manifest: ModelManifest,
    graphs: { encoder: string | Uint8Array; decoder: string | Uint8Array },
    opts: SegmenterOptions = {},
  ): Promise<Segmenter> {
    const encoder = await createSession(ort, graphs.encoder, ENCODER_CONTRACT, opts)
    let decoder: InferenceSession
    try {
      decoder = await createSession(ort, graphs.decoder, DECODER_CONTRACT, opts)
    } catch (err) {
      await encoder.release()
      throw err
    }
    return new Segmenter(manifest, ort, encoder, decoder, opts.cacheBytes ?? DEFAULT_CACHE_BYTES)
  }

  get cachedCrops(): number {
    return this.cache.size
  }

  /**
   * The embedding of the crop centred on `centreWorldRas` (the voxel nearest it lands at crop index
   * size/2). Reuses the cached embedding when the same volume object was encoded at the same crop
   * position before.
   */
  async encode(volume: Volume, centreWorldRas: Vec3): Promise<EncodedCrop> {
    if (
      !Array.isArray(centreWorldRas) ||
      centreWorldRas.length !== 3 ||
      !centreWorldRas.every(Number.isFinite)
    )
      throw new RuntimeError(
        'bad-input',
        `crop centre must be 3 finite numbers (got ${JSON.stringify(centreWorldRas)})`,
      )
    const { spacingMm, cropSize } = this.manifest.input
    let t = now()
    // Key on the crop position first: a hit needs neither the 128³ crop nor the encoder.
    const start = modelCropStart(volume, centreWorldRas, { spacingMm, size: cropSize })
    const key = `${volumeId(volume)}|${spacingMm}|${cropSize}|${start.join(',')}`
    const hit = this.cache.get(key)
    if (hit) {
      const preprocessMs = now() - t
      this.timings.preprocessMs = preprocessMs
      this.timings.encodeMs = 0
      return { key, crop: hit.crop, embedding: hit.embedding, cached: true, preprocessMs, encodeMs: 0 }
    }
    const crop = prepareModelCrop(volume, centreWorldRas, { spacingMm, size: cropSize })
    const preprocessMs = now() - t
    this.timings.preprocessMs = preprocessMs
    const geometry: ModelCrop = { ...crop, input: EMPTY_INPUT }
    t = now()
    const embedding = await this.runEncoder(crop.input)
    const encodeMs = now() - t
    this.timings.encodeMs = encodeMs
    this.cache.set(key, { crop: geometry, embedding })
    return { key, crop: geometry, embedding, cached: false, preprocessMs, encodeMs }
  }

  /** Runs the encoder on a prepared [1,1,S,S,S] C-order input (no cache). */
  async runEncoder(input: Float32Array): Promise<Float32Array> {
    const s = this.manifest.input.cropSize
    if (input.length !== s ** 3)
      throw new RuntimeError('bad-input', `encoder input must hold ${s}³ values, has ${input.length}`)
    const out = await this.encoder.run({ image: new this.ort.Tensor('float32', input, [1, 1, s, s, s]) })
    const embedding = out.image_embeddings.data as Float32Array
    const expected = this.manifest.embedding.shape.reduce((a, b) => a * b, 1)
    if (embedding.length !== expected)
      throw new RuntimeError(
        'model-invalid',
        `encoder returned ${embedding.length} values, model.json says ${expected}`,
      )
    return embedding
  }

  /**
   * One decoder pass with all `prompts` together. `previousLogits` (the last result's lowResLogits)
   * refines the mask; without it an all-zero mask is fed with has_mask_input = 1, as the official
   * evaluation does on the first click (model-spec §8.3).
   */
  async decode(
    encoded: EncodedCrop,
    prompts: readonly Prompt[],
    previousLogits?: Float32Array,
  ): Promise<DecodeResult> {
    const points = promptsToDecoderPoints(encoded.crop, prompts)
    const l = this.lowSize
    if (previousLogits && previousLogits.length !== l ** 3)
      throw new RuntimeError(
        'bad-input',
        `previousLogits must hold ${l}³ = ${l ** 3} values, has ${previousLogits.length}`,
      )
    const t = now()
    const e = this.manifest.embedding.shape
    const out = await this.decoder.run({
      image_embeddings: new this.ort.Tensor('float32', encoded.embedding, e),
      point_coords: new this.ort.Tensor('float32', points.coords, [1, points.count, 3]),
      point_labels: new this.ort.Tensor('float32', points.labels, [1, points.count]),
      mask_input: new this.ort.Tensor('float32', previousLogits ?? this.zeroMask, [1, 1, l, l, l]),
      has_mask_input: new this.ort.Tensor('float32', Float32Array.of(1), [1]),
    })
    const decodeMs = now() - t
    this.timings.decodeMs = decodeMs
    const lowResLogits = out.low_res_logits.data as Float32Array
    if (lowResLogits.length !== l ** 3)
      throw new RuntimeError(
        'model-invalid',
        `decoder returned ${lowResLogits.length} logits, expected ${l}³`,
      )
    return { lowResLogits, iou: (out.iou_predictions.data as Float32Array)[0], decodeMs }
  }

  /**
   * The prompts one decoder pass takes after the clicks `history` (oldest first) were placed in a crop:
   * all of them for a model whose manifest says `decoder.prompts: 'all'`, else only the newest one (the
   * earlier clicks then reach the model through the previous logits, spec §8.3).
   */
  promptsForPass<T>(history: readonly T[]): readonly T[] {
    if (history.length === 0) throw new RuntimeError('bad-input', 'at least one prompt is needed')
    return this.manifest.decoder.prompts === 'all' ? history : history.slice(-1)
  }

  /** Upsampled + thresholded mask inside the crop: S³ C-order over (a0, a1, a2), 1 = inside. */
  cropMask(lowResLogits: Float32Array): Uint8Array {
    const t = now()
    const { cropSize } = this.manifest.input
    const mask = upsampleThreshold(lowResLogits, this.lowSize, cropSize, this.manifest.lowResLogits.threshold)
    this.timings.upsampleMs = now() - t
    return mask
  }

  /** The mask on `volume`'s own grid (Volume order, 1 = inside); voxels outside the crop are 0. */
  toMask(encoded: EncodedCrop, lowResLogits: Float32Array, volume: Volume): Uint8Array {
    const mask = this.cropMask(lowResLogits)
    const t = now()
    const pasted = pasteCropMask(mask, encoded.crop, volume)
    this.timings.pasteMs = now() - t
    return pasted
  }

  /** Frees both sessions and the cache. */
  async release(): Promise<void> {
    this.cache.clear()
    await Promise.all([this.encoder.release(), this.decoder.release()])
  }
}
