/**
 * `fastsam-xr segment <volume> [--model <dir>] --point x,y,z [...] [--negative x,y,z ...] --out mask.nii.gz`
 *
 * Points are world RAS millimetres. The prompts are folded in the order given by the same segmentation
 * core the server runs for the headset (`@fastsam-xr/session`): the first prompt centres a 128³ crop, each
 * later one is a decoder pass with the previous pass's logits, a prompt outside the current crop opens a
 * new crop there (the earlier prompts inside it are replayed), and with `--crop-extension on` (the
 * server's default) a mask that touches a crop face where the volume continues is extended across it.
 * The same clicks give the mask the app shows, byte for byte. `--joint` instead passes all points to one
 * decoder pass in the first point's crop (the Slicer extension's style; not the app's fold). The mask is
 * written on the input's own grid and affine (uint8, 1 = inside).
 */
import { existsSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { determinant3 } from '@fastsam-xr/geometry'
import type { CropFace } from '@fastsam-xr/protocol'
import { insideVolume, SegmentSession } from '@fastsam-xr/session'
import { readVolume, writeNifti, type Vec3, type Volume } from '@fastsam-xr/volume'
import { promptsToDecoderPoints, Segmenter, type ExecutionProvider, type Prompt } from '@fastsam-xr/runtime'
import { UsageError, type Command } from '../command.ts'
import { forEachArg, onOff, oneOf } from '../args.ts'
import { SHIPPED_MODEL_DIR } from '@fastsam-xr/runtime/node'

interface SegmentArgs {
  volume: string
  model: string
  out: string
  prompts: Prompt[]
  json: boolean
  joint: boolean
  cropExtension: boolean
  threads?: number
  provider?: ExecutionProvider
}

const PROVIDERS: readonly ExecutionProvider[] = ['cpu', 'cuda']

function parsePoint(text: string | undefined, flag: string): Vec3 {
  const parts = (text ?? '').split(',')
  const xyz = parts.map((p) => (p.trim() === '' ? NaN : Number(p)))
  if (parts.length !== 3 || !xyz.every(Number.isFinite))
    throw new UsageError(
      `${flag} expects x,y,z in world RAS mm, e.g. ${flag} 12.5,-30,88 (got '${text ?? ''}')`,
    )
  return xyz as Vec3
}

export function parseSegmentArgs(argv: string[], usage: string): SegmentArgs {
  const positional: string[] = []
  const prompts: Prompt[] = []
  let model: string | undefined
  let out: string | undefined
  let json = false
  let joint = false
  let cropExtension = true
  let threads: number | undefined
  let provider: ExecutionProvider | undefined
  // Both `--flag value` and `--flag=value`.
  forEachArg(argv, usage, (flag, value, arg) => {
    switch (flag) {
      case '--model':
        model = value()
        break
      case '--out':
        out = value()
        break
      case '--point':
        prompts.push({ pointWorldRas: parsePoint(value(), '--point'), positive: true })
        break
      case '--negative':
        prompts.push({ pointWorldRas: parsePoint(value(), '--negative'), positive: false })
        break
      case '--threads': {
        const v = value()
        threads = Number(v)
        if (!Number.isInteger(threads) || threads < 1)
          throw new UsageError(`--threads expects a positive integer (got '${v}')`)
        break
      }
      case '--provider':
        provider = oneOf(value(), PROVIDERS, '--provider')
        break
      case '--json':
        json = true
        break
      case '--joint':
        joint = true
        break
      case '--crop-extension':
        cropExtension = onOff(value(), '--crop-extension')
        break
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg} (usage: ${usage})`)
        positional.push(arg)
    }
  })
  if (positional.length !== 1)
    throw new UsageError(`expected one volume (NIfTI file or DICOM folder) (usage: ${usage})`)
  // Without --model: the shipped default (models/weights/fastsam-xr-unet).
  model ??= SHIPPED_MODEL_DIR
  if (!out) throw new UsageError('--out <mask.nii.gz> is required')
  if (!/\.nii(\.gz)?$/.test(out)) throw new UsageError(`--out must end in .nii or .nii.gz (got '${out}')`)
  const outDir = dirname(resolve(out))
  if (!existsSync(outDir) || !statSync(outDir).isDirectory())
    throw new UsageError(`--out: folder ${outDir} does not exist`)
  if (!prompts.some((p) => p.positive)) throw new UsageError('at least one --point (positive) is needed')
  return { volume: positional[0], model, out, prompts, json, joint, cropExtension, threads, provider }
}

const ms = (x: number): number => Math.round(x * 100) / 100

export const segment: Command = {
  name: 'segment',
  summary: 'segment a volume from point prompts (world RAS mm) with an exported model; writes a mask NIfTI',
  usage:
    'fastsam-xr segment <volume> [--model <dir>] --point x,y,z [--point x,y,z …] [--negative x,y,z …] ' +
    '--out mask.nii.gz [--crop-extension on|off] [--joint] [--threads n] [--provider cpu|cuda] [--json]',
  async run(argv) {
    const args = parseSegmentArgs(argv, this.usage)
    const t0 = performance.now()
    // Volume and model load side by side; if either fails the other is released before reporting.
    const [volume, segmenter] = await Promise.allSettled([
      readVolume(args.volume).then((v) => ({ v, ms: performance.now() - t0 })),
      Segmenter.load(args.model, { intraOpNumThreads: args.threads, executionProvider: args.provider }).then(
        (s) => ({
          s,
          ms: performance.now() - t0,
        }),
      ),
    ])
    if (volume.status === 'rejected' || segmenter.status === 'rejected') {
      if (segmenter.status === 'fulfilled') await segmenter.value.s.release()
      throw volume.status === 'rejected' ? volume.reason : (segmenter as PromiseRejectedResult).reason
    }
    const ct = volume.value.v
    const seg = segmenter.value.s
    const load = performance.now() - t0
    try {
      for (const p of args.prompts)
        if (!insideVolume(ct, p.pointWorldRas))
          throw new UsageError(`the point ${p.pointWorldRas.join(',')} lies outside the volume`)
      const run = args.joint ? await jointPass(seg, ct, args.prompts) : await fold(seg, ct, args)
      const tw = performance.now()
      await writeNifti(
        { data: run.mask, dims: ct.dims, affine: ct.affine, dtype: 'uint8', meta: { modality: 'SEG' } },
        args.out,
      )
      const writeMs = performance.now() - tw
      let voxels = 0
      for (const v of run.mask) voxels += v
      const report = {
        volume: args.volume,
        model: seg.manifest.name,
        out: args.out,
        mode: args.joint ? 'joint' : 'sequential',
        cropExtension: !args.joint && args.cropExtension,
        prompts: args.prompts.map((p) => ({ pointWorldRas: p.pointWorldRas, positive: p.positive })),
        cropStart: run.cropStart,
        crops: run.crops,
        extendedFaces: run.extendedFaces,
        iou: run.iou,
        voxels,
        volumeMl: (voxels * Math.abs(determinant3(ct.affine))) / 1000,
        timingsMs: {
          load: ms(load),
          loadVolume: ms(volume.value.ms),
          loadModel: ms(segmenter.value.ms),
          preprocess: ms(run.preprocessMs),
          encode: ms(run.encodeMs),
          decode: ms(run.decodeMs),
          decodePasses: run.decodePasses,
          postprocess: ms(run.postprocessMs),
          extend: ms(run.extendMs),
          write: ms(writeMs),
          total: ms(performance.now() - t0),
        },
      }
      if (args.json) process.stdout.write(JSON.stringify(report) + '\n')
      else {
        const t = report.timingsMs
        process.stdout.write(
          `wrote ${args.out}: ${voxels} voxels, ${report.volumeMl.toFixed(2)} mL (predicted IoU ${run.iou === null ? 'n/a' : run.iou.toFixed(3)})\n` +
            `load ${t.load} ms · preprocess ${t.preprocess} ms · encode ${t.encode} ms · decode ${t.decode} ms ` +
            `(${t.decodePasses} pass${t.decodePasses > 1 ? 'es' : ''}) · postprocess ${t.postprocess} ms` +
            (report.cropExtension ? ` · extend ${t.extend} ms` : '') +
            '\n',
        )
      }
      return 0
    } finally {
      await seg.release()
    }
  },
}

interface SegmentRun {
  mask: Uint8Array
  /** the start of the last crop (the one refined by the last prompt). */
  cropStart: Vec3
  /** how many crops the fold encoded (a prompt outside the current crop opens another). */
  crops: number
  extendedFaces: CropFace[]
  iou: number | null
  preprocessMs: number
  encodeMs: number
  decodeMs: number
  decodePasses: number
  postprocessMs: number
  extendMs: number
}

/** The prompts in order through the app's fold (`SegmentSession`). */
async function fold(seg: Segmenter, ct: Volume, args: SegmentArgs): Promise<SegmentRun> {
  const session = new SegmentSession(seg, ct, { extendCrops: args.cropExtension })
  const sum = {
    encodes: 0,
    decodes: 0,
    encodeMs: 0,
    preprocessMs: 0,
    decodeMs: 0,
    postprocessMs: 0,
    extendMs: 0,
  }
  for (const p of args.prompts) {
    const r = await session.add(p)
    for (const k of Object.keys(sum) as (keyof typeof sum)[]) sum[k] += r[k]
  }
  const state = session.state
  return {
    mask: state.mask ?? new Uint8Array(ct.data.length),
    cropStart: [...state.encoded!.crop.start] as Vec3,
    crops: sum.encodes,
    extendedFaces: [...state.extendedFaces],
    iou: state.iou,
    preprocessMs: sum.preprocessMs,
    encodeMs: sum.encodeMs - sum.preprocessMs,
    decodeMs: sum.decodeMs,
    decodePasses: sum.decodes,
    postprocessMs: sum.postprocessMs,
    extendMs: sum.extendMs,
  }
}

/** `--joint`: every point in one decoder pass with an empty mask, in the first point's crop. */
async function jointPass(seg: Segmenter, ct: Volume, prompts: Prompt[]): Promise<SegmentRun> {
  const encoded = await seg.encode(ct, prompts[0].pointWorldRas)
  promptsToDecoderPoints(encoded.crop, prompts) // every point in the crop, or a clear error
  const result = await seg.decode(encoded, prompts)
  const t = performance.now()
  const mask = seg.toMask(encoded, result.lowResLogits, ct)
  return {
    mask,
    cropStart: [...encoded.crop.start] as Vec3,
    crops: 1,
    extendedFaces: [],
    iou: result.iou,
    preprocessMs: encoded.preprocessMs,
    encodeMs: encoded.encodeMs,
    decodeMs: result.decodeMs,
    decodePasses: 1,
    postprocessMs: performance.now() - t,
    extendMs: 0,
  }
}
