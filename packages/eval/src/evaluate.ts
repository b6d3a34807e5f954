/**
 * The evaluation of one model over image/label pairs with the paper's protocol (model-spec §8.3, §9),
 * through the real runtime, exactly as the app serves it:
 *
 *   per target (every non-zero label value with ≥ minVoxels voxels at the model's spacing):
 *     crop       gt-center (official) or first-click (app), see crop.ts;
 *     encoder    once (`Segmenter.encode`, the app's path: prepareModelCrop + onnxruntime);
 *     clicks     §9.1 simulation (clicks.ts) on the target's 128³ ground truth;
 *     decoder    fold 'crop' (the paper's loop): per click with the model's share of the clicks
 *                (`promptsForPass`) + the previous pass's raw logits, inside the one crop;
 *                fold 'session' (what the headset gets): every click through the server's own fold
 *                (`@fastsam-xr/session`: volume-grid mask, crop extension on or off), its mask read back
 *                in the crop (`sampleMaskInCrop`) for the clicks and the in-crop Dice; needs first-click
 *                crops (the session centres its crop on the first click, as the app does);
 *     Dice       inside the crop (the paper's number) and on the whole label grid (crop mask pasted
 *                back with `pasteCropMask`; organs larger than the crop lose what lies outside it);
 *     baseline   region growing (baseline.ts) from the same first click, later clicks from its own errors.
 *
 * Random streams are per target (seed + case + label), so a target's result does not depend on which
 * other pairs were in the run: a CI subset reproduces the full run's numbers for those targets.
 */
import { existsSync, readFileSync } from 'node:fs'
import type { Segmenter } from '@fastsam-xr/runtime'
import {
  pasteCropMask,
  prepareModelCrop,
  readVolume,
  VolumeError,
  type Vec3,
  type Volume,
} from '@fastsam-xr/volume'
import { baselineInput, regionGrow, DEFAULT_TOLERANCE } from './baseline.ts'
import { CLICK_LOGIT_THRESHOLD, nextClick, type Click } from './clicks.ts'
import { dice } from './dice.ts'
import { EvalError } from './errors.ts'
import { firstClickCrop, gtCentreCrop, type CropMode } from './crop.ts'
import type { FoldMode } from './foldMode.ts'
import { cropPredictor } from './cropPredictor.ts'
import { simulateInteraction, type ClickRecord, type Predictor } from './interaction.ts'
import { sessionPredictor } from './sessionPredictor.ts'
import type { Pair } from './pairs.ts'
import { summarise, type EvalReport, type SkippedTarget, type TargetResult } from './report.ts'
import { Rng } from './rng.ts'
import { labelGeometry, targetWindow, type LabelGeometry, type Target } from './targets.ts'

export const DEFAULT_CLICKS: readonly number[] = [1, 3, 5, 10]
export const DEFAULT_SEED = 2023
/** "Smaller than a few voxels at 1.5 mm" (the same default as TRAIN's Python evaluation). */
export const DEFAULT_MIN_VOXELS = 10

export interface EvalOptions {
  /** click counts to report, ascending (the loop runs to the largest). */
  clicks: readonly number[]
  crop: CropMode
  /** 'crop' (default): the paper's one-crop decoder loop; 'session': the server's fold (see the header). */
  fold?: FoldMode
  /** with fold 'session': extend masks across crop faces as the server does by default (default true). */
  cropExtension?: boolean
  seed: number
  minVoxels: number
  /** run the region-growing baseline beside the model (default true). */
  baseline?: boolean
  tolerance?: number
  /** progress, one line per target. */
  log?: (line: string) => void
}

/** Image and label must share their voxel grid (dims and affine) to the 1e-3 mm. */
function sameGrid(a: Volume, b: Volume): boolean {
  if (!a.dims.every((n, q) => n === b.dims[q])) return false
  for (let q = 0; q < 12; q++)
    if (Math.abs(a.affine[q] - b.affine[q]) > 1e-3 * (1 + Math.abs(a.affine[q]))) return false
  return true
}

/** `<case>_labels.json` beside a `<case>_seg.nii.gz` (the shared data's label names), if any. */
function labelNames(labelPath: string): Record<string, string> {
  const json = labelPath.replace(/_seg\.nii(\.gz)?$/, '_labels.json')
  if (json === labelPath || !existsSync(json)) return {}
  try {
    const labels = (JSON.parse(readFileSync(json, 'utf8')) as { labels?: unknown }).labels
    return typeof labels === 'object' && labels !== null ? (labels as Record<string, string>) : {}
  } catch {
    return {} // names are decoration: a broken side file must not stop an evaluation
  }
}

function validate(opts: EvalOptions): void {
  const c = opts.clicks
  if (c.length === 0 || !c.every((k, n) => Number.isInteger(k) && k >= 1 && (n === 0 || k > c[n - 1])))
    throw new EvalError('bad-argument', `clicks must be ascending positive integers (got ${c.join(',')})`)
  if (!Number.isSafeInteger(opts.seed))
    throw new EvalError('bad-argument', `seed must be an integer (got ${opts.seed})`)
  if (!Number.isInteger(opts.minVoxels) || opts.minVoxels < 1)
    throw new EvalError('bad-argument', `minVoxels must be a positive integer (got ${opts.minVoxels})`)
  if (opts.fold === 'session' && opts.crop !== 'first-click')
    throw new EvalError(
      'bad-argument',
      "fold 'session' needs first-click crops: the app's fold centres its crop on the first click",
    )
}

export async function evaluatePairs(
  segmenter: Segmenter,
  pairs: readonly Pair[],
  opts: EvalOptions,
): Promise<EvalReport> {
  validate(opts)
  if (pairs.length === 0) throw new EvalError('no-pairs', 'no image/label pairs to evaluate')
  const results: TargetResult[] = []
  const skipped: SkippedTarget[] = []
  for (const pair of pairs) {
    let image: Volume
    let label: Volume
    try {
      ;[image, label] = await Promise.all([readVolume(pair.image), readVolume(pair.label)])
    } catch (err) {
      if (!(err instanceof VolumeError)) throw err
      skipped.push({ case: pair.key, label: null, voxels: null, reason: `unreadable: ${err.message}` })
      continue
    }
    if (!sameGrid(image, label)) {
      skipped.push({
        case: pair.key,
        label: null,
        voxels: null,
        reason: `image ${image.dims.join('×')} and label ${label.dims.join('×')} do not share one grid (dims/affine)`,
      })
      continue
    }
    const geometry = labelGeometry(label, segmenter.manifest.input.spacingMm)
    const names = labelNames(pair.label)
    for (const target of geometry.targets) {
      const name = names[String(target.value)] ?? null
      if (name !== null && NOT_ANATOMY.test(name)) {
        skipped.push({
          case: pair.key,
          label: target.value,
          name,
          voxels: target.voxels,
          reason: 'radiotherapy planning margin (PTV), not anatomy',
        })
        continue
      }
      if (target.voxels < opts.minVoxels) {
        skipped.push({
          case: pair.key,
          label: target.value,
          name,
          voxels: target.voxels,
          reason: `${target.voxels} voxel(s) at ${segmenter.manifest.input.spacingMm} mm (< ${opts.minVoxels})`,
        })
        continue
      }
      try {
        const r = await evaluateTarget(segmenter, pair, image, label, geometry, target, opts)
        results.push({ ...r, labelName: name })
        opts.log?.(
          `${pair.key} label ${target.value}${name ? ` (${name})` : ''}: ` +
            opts.clicks.map((k) => `${k}:${fmt(r.dicePerClick[k - 1])}`).join(' '),
        )
      } catch (err) {
        if (err instanceof VolumeError && err.code === 'DEGENERATE_CROP') {
          skipped.push({
            case: pair.key,
            label: target.value,
            name,
            voxels: target.voxels,
            reason: err.message,
          })
          continue
        }
        throw err
      }
    }
  }
  return summarise(results, skipped, {
    clicks: [...opts.clicks],
    crop: opts.crop,
    fold: opts.fold ?? 'crop',
    cropExtension: opts.fold === 'session' ? (opts.cropExtension ?? true) : null,
    seed: opts.seed,
    minVoxels: opts.minVoxels,
    clickThresholdLogit: CLICK_LOGIT_THRESHOLD,
    predictionThresholdLogit: segmenter.manifest.lowResLogits.threshold,
    spacingMm: segmenter.manifest.input.spacingMm,
    cropSize: segmenter.manifest.input.cropSize,
    baselineTolerance: opts.baseline === false ? null : (opts.tolerance ?? DEFAULT_TOLERANCE),
    model: { name: segmenter.manifest.name, variant: segmenter.manifest.variant },
  })
}

/** Radiotherapy planning margins (OpenKBP's PTV56/63/70) are geometric expansions: never targets. */
const NOT_ANATOMY = /^PTV/i

const fmt = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(3))

type TargetOutcome = Omit<TargetResult, 'labelName'>

async function evaluateTarget(
  seg: Segmenter,
  pair: Pair,
  image: Volume,
  label: Volume,
  geometry: LabelGeometry,
  target: Target,
  opts: EvalOptions,
): Promise<TargetOutcome> {
  const { cropSize: size, spacingMm } = seg.manifest.input
  const stream = `${pair.key}#${target.value}`
  const rng = new Rng(opts.seed, `${stream}#model`)
  const crop =
    opts.crop === 'gt-center'
      ? gtCentreCrop(geometry, target, size)
      : firstClickCrop(geometry, target, size, rng)

  const encoded = await seg.encode(image, crop.centreWorldRas)
  if (!encoded.crop.start.every((s, a) => s === crop.start[a]))
    throw new EvalError(
      'internal',
      `${pair.key} label ${target.value}: runtime crop starts at ${encoded.crop.start.join(',')}, expected ${crop.start.join(',')}`,
    )
  const dims: Vec3 = [size, size, size]
  const gt = targetWindow(geometry, target.value, crop.start, size)
  let voxelsInCrop = 0
  for (let q = 0; q < gt.length; q++) voxelsInCrop += gt[q]

  const wholeGt = new Uint8Array(label.data.length)
  for (let q = 0; q < wholeGt.length; q++) wholeGt[q] = +(label.data[q] === target.value)
  // Reused: every paste rewrites every voxel of the crop's footprint, and voxels outside it are
  // never written, so they stay 0 from the allocation.
  const pasted = new Uint8Array(wholeGt.length)
  const wholeDice = (shown: Uint8Array): number =>
    dice(pasteCropMask(shown, encoded.crop, label, pasted), wholeGt)

  // Both methods start from one first click: the crop centre (first-click) or §9.1's ritm on the GT.
  const firstClick: Click | null = crop.firstClick ?? nextClick(null, gt, dims, 0, rng)
  if (!firstClick)
    throw new EvalError('internal', `${pair.key} label ${target.value}: empty target in its crop`)
  const clicksNeeded = opts.clicks[opts.clicks.length - 1]

  const sessionFold = (): { predict: Predictor; wholeDice: () => number } => {
    const { predict, session } = sessionPredictor(seg, image, encoded.crop, {
      extendCrops: opts.cropExtension ?? true,
    })
    return { predict, wholeDice: () => dice(session.mask!, wholeGt) }
  }
  // fold 'session': the server's fold on the image's own grid, its mask read in the crop drives the
  // clicks and its own mask gives the whole-volume Dice; fold 'crop': the paper's one-crop loop
  const model = await simulateInteraction({
    gt,
    dims,
    clicks: clicksNeeded,
    rng,
    firstClick,
    ...(opts.fold === 'session' ? sessionFold() : { predict: cropPredictor(seg, encoded), wholeDice }),
  })

  let baseline: ClickRecord[] | null = null
  if (opts.baseline !== false) {
    // The same z-normalised crop the encoder saw (Segmenter.encode keeps only its geometry).
    const prepared = prepareModelCrop(image, crop.centreWorldRas, { spacingMm, size })
    const grown = baselineInput(prepared.input, prepared.stats, opts.tolerance ?? DEFAULT_TOLERANCE)
    let pred = new Uint8Array(gt.length)
    baseline = await simulateInteraction({
      gt,
      dims,
      clicks: clicksNeeded,
      rng: new Rng(opts.seed, `${stream}#baseline`),
      firstClick,
      wholeDice,
      predict: async (click) => {
        const region = regionGrow(grown.image, dims, click.point, grown.tolerance)
        const next = new Uint8Array(pred.length)
        for (let q = 0; q < next.length; q++)
          next[q] = click.positive ? pred[q] | region[q] : pred[q] & (1 - region[q])
        pred = next
        return { forClicks: pred, shown: pred }
      },
    })
  }

  return {
    case: pair.key,
    label: target.value,
    voxels: target.voxels,
    voxelsInCrop,
    cropStart: [...crop.start] as Vec3,
    clicks: model.flatMap((r) => (r.click ? [r.click] : [])),
    dicePerClick: model.map((r) => r.dice),
    diceWholePerClick: model.map((r) => r.diceWhole),
    baseline: baseline && {
      clicks: baseline.flatMap((r) => (r.click ? [r.click] : [])),
      dicePerClick: baseline.map((r) => r.dice),
      diceWholePerClick: baseline.map((r) => r.diceWhole),
    },
  }
}
