/**
 * `fastsam-xr segment <volume> [--model <dir>] --point x,y,z [...] [--negative x,y,z ...] --out mask.nii.gz`
 *
 * Points are world RAS millimetres. The 128³ ROI is centred on the first positive point; every point
 * must lie inside it. Clicks are replayed in the order given (the first positive point first), the way FastSAM3D was evaluated and
 * fine-tuned (model-spec §8.3): each decoder pass sees only the newest click plus the previous pass's
 * low-res logits (an all-zero mask on the first). `--joint` instead passes all points to one decoder
 * pass with a zero mask (the Slicer extension's style). The mask is written on the input's own grid
 * and affine (uint8, 1 = inside).
 */
import { existsSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { readVolume, writeNifti, type Vec3 } from '@fastsam-xr/volume'
import {
  promptsToDecoderPoints,
  Segmenter,
  type DecodeResult,
  type ExecutionProvider,
  type Prompt,
} from '@fastsam-xr/runtime'
import { UsageError, type Command } from '../command.ts'
import { forEachArg } from '../args.ts'
import { SHIPPED_MODEL_DIR } from '@fastsam-xr/runtime/node'

interface SegmentArgs {
  volume: string
  model: string
  out: string
  prompts: Prompt[]
  json: boolean
  joint: boolean
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
      case '--provider': {
        const v = value()
        if (!PROVIDERS.includes(v as ExecutionProvider))
          throw new UsageError(`--provider expects one of ${PROVIDERS.join(', ')} (got '${v}')`)
        provider = v as ExecutionProvider
        break
      }
      case '--json':
        json = true
        break
      case '--joint':
        joint = true
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
  if (!prompts.some((p) => p.positive))
    throw new UsageError('at least one --point (positive) is needed: the ROI is centred on the first')
  return { volume: positional[0], model, out, prompts, json, joint, threads, provider }
}

const ms = (x: number): number => Math.round(x * 100) / 100

export const segment: Command = {
  name: 'segment',
  summary: 'segment a volume from point prompts (world RAS mm) with an exported model; writes a mask NIfTI',
  usage:
    'fastsam-xr segment <volume> [--model <dir>] --point x,y,z [--point x,y,z …] [--negative x,y,z …] ' +
    '--out mask.nii.gz [--joint] [--threads n] [--provider cpu|cuda] [--json]',
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
      const centre = args.prompts.find((p) => p.positive)!.pointWorldRas
      const encoded = await seg.encode(ct, centre)
      // Every point must lie in the ROI: refuse before spending decoder time.
      promptsToDecoderPoints(encoded.crop, args.prompts)
      let result: DecodeResult
      let decodeMs = 0
      if (args.joint) {
        result = await seg.decode(encoded, args.prompts)
        decodeMs = result.decodeMs
      } else {
        // The first positive point opens the sequence (it is the ROI centre); the rest follow in order.
        const first = args.prompts.findIndex((p) => p.positive)
        const rest = args.prompts.filter((_, n) => n !== first)
        const history = [args.prompts[first]]
        result = await seg.decode(encoded, history)
        decodeMs += result.decodeMs
        for (const p of rest) {
          history.push(p)
          result = await seg.decode(encoded, seg.promptsForPass(history), result.lowResLogits)
          decodeMs += result.decodeMs
        }
      }
      const mask = seg.toMask(encoded, result.lowResLogits, ct)
      const tw = performance.now()
      await writeNifti(
        { data: mask, dims: ct.dims, affine: ct.affine, dtype: 'uint8', meta: { modality: 'SEG' } },
        args.out,
      )
      const writeMs = performance.now() - tw
      let voxels = 0
      for (const v of mask) voxels += v
      const a = ct.affine
      const voxelMm3 = Math.abs(
        a[0] * (a[5] * a[10] - a[6] * a[9]) -
          a[1] * (a[4] * a[10] - a[6] * a[8]) +
          a[2] * (a[4] * a[9] - a[5] * a[8]),
      )
      const report = {
        volume: args.volume,
        model: seg.manifest.name,
        out: args.out,
        mode: args.joint ? 'joint' : 'sequential',
        prompts: args.prompts.map((p) => ({ pointWorldRas: p.pointWorldRas, positive: p.positive })),
        cropStart: encoded.crop.start,
        iou: result.iou,
        voxels,
        volumeMl: (voxels * voxelMm3) / 1000,
        timingsMs: {
          load: ms(load),
          loadVolume: ms(volume.value.ms),
          loadModel: ms(segmenter.value.ms),
          preprocess: ms(encoded.preprocessMs),
          encode: ms(encoded.encodeMs),
          decode: ms(decodeMs),
          decodePasses: args.joint ? 1 : args.prompts.length,
          postprocess: ms(seg.timings.upsampleMs + seg.timings.pasteMs),
          upsample: ms(seg.timings.upsampleMs),
          paste: ms(seg.timings.pasteMs),
          write: ms(writeMs),
          total: ms(performance.now() - t0),
        },
      }
      if (args.json) process.stdout.write(JSON.stringify(report) + '\n')
      else {
        const t = report.timingsMs
        process.stdout.write(
          `wrote ${args.out}: ${voxels} voxels, ${report.volumeMl.toFixed(2)} mL (predicted IoU ${result.iou.toFixed(3)})\n` +
            `load ${t.load} ms · preprocess ${t.preprocess} ms · encode ${t.encode} ms · decode ${t.decode} ms ` +
            `(${t.decodePasses} pass${t.decodePasses > 1 ? 'es' : ''}) · postprocess ${t.postprocess} ms\n`,
        )
      }
      return 0
    } finally {
      await seg.release()
    }
  },
}
