/**
 * `fastsam-xr eval --data <dir> [--model <dir>] [--clicks 1,3,5,10] [--crop gt-center|first-click]
 *   [--seed 2023] [--json out.json] [--cases key,...] [--split split.json [--side held_out]]
 *   [--fold crop|session [--crop-extension on|off]] [--min-voxels 10] [--no-baseline] [--threads n]`
 *
 * Evaluates a model folder on every image/label pair under `--data` with the FastSAM3D protocol
 * (model-spec §8.3, §9) through the runtime the app serves (`@fastsam-xr/eval`). Prints one row per
 * target and the means (Dice inside the 128³ crop, on the whole volume, and the region-growing
 * baseline); `--json` writes the full report. `--fold session` runs the clicks through the server's own
 * fold (what the headset gets; first-click crops only), `--fold crop` (default) the paper's one-crop loop. Progress goes to stderr, the table to stdout.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { Segmenter } from '@fastsam-xr/runtime'
import {
  CROP_MODES,
  FOLD_MODES,
  DEFAULT_CLICKS,
  DEFAULT_MIN_VOXELS,
  DEFAULT_SEED,
  evaluatePairs,
  findPairs,
  formatTable,
  reportJson,
  selectCases,
  selectSplit,
  type CropMode,
  type FoldMode,
} from '@fastsam-xr/eval'
import { UsageError, type Command } from '../command.ts'
import { forEachArg, onOff, oneOf } from '../args.ts'
import { SHIPPED_MODEL_DIR } from '@fastsam-xr/runtime/node'

export interface EvalArgs {
  data: string
  model: string
  clicks: number[]
  crop: CropMode
  fold: FoldMode
  cropExtension: boolean
  seed: number
  json?: string
  cases?: string[]
  split?: string
  side: string
  minVoxels: number
  baseline: boolean
  threads?: number
  quiet: boolean
}

function positiveInt(text: string, flag: string): number {
  const v = Number(text)
  if (text.trim() === '' || !Number.isInteger(v) || v < 1)
    throw new UsageError(`${flag} expects a positive integer (got '${text}')`)
  return v
}

export function parseEvalArgs(argv: string[], usage: string): EvalArgs {
  let data: string | undefined
  let model: string | undefined
  let clicks = [...DEFAULT_CLICKS]
  let crop = 'gt-center' as CropMode
  let fold = 'crop' as FoldMode
  let cropExtension: boolean | undefined
  let seed = DEFAULT_SEED
  let json: string | undefined
  let cases: string[] | undefined
  let split: string | undefined
  let side: string | undefined
  let minVoxels = DEFAULT_MIN_VOXELS
  let baseline = true
  let threads: number | undefined
  let quiet = false
  // Both `--flag value` and `--flag=value`.
  forEachArg(argv, usage, (flag, value, arg) => {
    switch (flag) {
      case '--data':
        data = value()
        break
      case '--model':
        model = value()
        break
      case '--clicks': {
        const v = value()
        const ks = v.split(',').map((p) => positiveInt(p, '--clicks'))
        clicks = [...new Set(ks)].sort((a, b) => a - b)
        break
      }
      case '--crop':
        crop = oneOf(value(), CROP_MODES, '--crop')
        break
      case '--fold':
        fold = oneOf(value(), FOLD_MODES, '--fold')
        break
      case '--crop-extension':
        cropExtension = onOff(value(), '--crop-extension')
        break
      case '--seed': {
        const v = value()
        seed = Number(v)
        if (v.trim() === '' || !Number.isSafeInteger(seed) || seed < 0)
          throw new UsageError(`--seed expects a non-negative integer (got '${v}')`)
        break
      }
      case '--json':
        json = value()
        break
      case '--cases':
        cases = value()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
        if (cases.length === 0)
          throw new UsageError('--cases expects dataset or dataset/case keys, comma-separated')
        break
      case '--split':
        split = value()
        break
      case '--side':
        side = value()
        break
      case '--min-voxels':
        minVoxels = positiveInt(value(), '--min-voxels')
        break
      case '--no-baseline':
        baseline = false
        break
      case '--threads':
        threads = positiveInt(value(), '--threads')
        break
      case '--quiet':
        quiet = true
        break
      default:
        throw new UsageError(
          arg.startsWith('-')
            ? `unknown option ${arg} (usage: ${usage})`
            : `unexpected argument '${arg}' (usage: ${usage})`,
        )
    }
  })
  if (!data)
    throw new UsageError(
      '--data <dir> is required (a folder of <case>_img/<case>_seg pairs or imagesTr/labelsTr)',
    )
  // Without --model: the shipped default (models/weights/fastsam-xr-unet).
  model ??= SHIPPED_MODEL_DIR
  if (side !== undefined && !split) throw new UsageError('--side needs --split <split.json>')
  if (fold === 'session' && crop !== 'first-click')
    throw new UsageError(
      "--fold session needs --crop first-click (the app's fold centres its crop on the first click)",
    )
  if (cropExtension !== undefined && fold !== 'session')
    throw new UsageError('--crop-extension applies to --fold session only')
  if (json) {
    const dir = dirname(resolve(json))
    if (!existsSync(dir) || !statSync(dir).isDirectory())
      throw new UsageError(`--json: folder ${dir} does not exist`)
  }
  return {
    data,
    model,
    clicks,
    crop,
    fold,
    cropExtension: cropExtension ?? true,
    seed,
    json,
    cases,
    split,
    side: side ?? 'held_out',
    minVoxels,
    baseline,
    threads,
    quiet,
  }
}

export const evalCommand: Command = {
  name: 'eval',
  summary:
    'Dice of a model with simulated clicks (spec §9.1) on image/label pairs, with a region-growing baseline',
  usage:
    'fastsam-xr eval --data <dir> [--model <dir>] [--clicks 1,3,5,10] [--crop gt-center|first-click] ' +
    '[--fold crop|session [--crop-extension on|off]] [--seed 2023] ' +
    '[--json out.json] [--cases key,…] [--split split.json [--side held_out]] [--min-voxels 10] [--no-baseline] ' +
    '[--threads n] [--quiet]',
  async run(argv) {
    const args = parseEvalArgs(argv, this.usage)
    const t0 = performance.now()
    let pairs = findPairs(args.data)
    if (args.split) pairs = selectSplit(pairs, args.split, args.side)
    if (args.cases) pairs = selectCases(pairs, args.cases)
    if (pairs.length === 0)
      throw new UsageError(
        `no image/label pairs under ${args.data}${args.split ? ` on side '${args.side}'` : ''}`,
      )
    const segmenter = await Segmenter.load(args.model, { intraOpNumThreads: args.threads })
    try {
      const report = await evaluatePairs(segmenter, pairs, {
        clicks: args.clicks,
        crop: args.crop,
        fold: args.fold,
        cropExtension: args.cropExtension,
        seed: args.seed,
        minVoxels: args.minVoxels,
        baseline: args.baseline,
        log: args.quiet ? undefined : (line) => process.stderr.write(line + '\n'),
      })
      process.stdout.write(formatTable(report))
      if (args.json) writeFileSync(args.json, reportJson(report))
      if (!args.quiet)
        process.stderr.write(
          `${pairs.length} pair(s), ${report.cases.length} target(s) in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
        )
      return 0
    } finally {
      await segmenter.release()
    }
  },
}
