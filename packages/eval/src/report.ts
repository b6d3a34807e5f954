/**
 * The evaluation's results: per target (case × label) Dice after every click, the means at the
 * requested click counts, and the human-readable table. Means are over targets and ignore NaN (a
 * Dice of an empty prediction against an empty truth, which cannot happen for a kept target but is
 * defined by spec §9.2). The JSON form holds no timings or paths, so two runs with one seed are
 * byte-identical.
 */
import type { Vec3 } from '@fastsam-xr/volume'
import type { Click } from './clicks.ts'
import type { CropMode } from './crop.ts'
import type { FoldMode } from './foldMode.ts'
import { groupOf } from './groups.ts'

export interface TargetResult {
  case: string
  label: number
  labelName: string | null
  /** voxels of the target at the model's spacing (whole volume). */
  voxels: number
  voxelsInCrop: number
  /** crop start on the canonical grid at the model's spacing. */
  cropStart: Vec3
  /** the model's clicks, in crop voxel indices (a0, a1, a2); fewer than asked when it became perfect. */
  clicks: Click[]
  /** Dice inside the crop after click 1, 2, … (index k − 1). */
  dicePerClick: number[]
  /** Dice on the label's whole grid after click 1, 2, … */
  diceWholePerClick: number[]
  baseline: { clicks: Click[]; dicePerClick: number[]; diceWholePerClick: number[] } | null
}

export interface SkippedTarget {
  case: string
  /** null when the whole pair was skipped. */
  label: number | null
  name?: string | null
  voxels: number | null
  reason: string
}

export interface Protocol {
  clicks: number[]
  crop: CropMode
  /** 'crop': the paper's one-crop loop; 'session': the server's fold (evaluate.ts). */
  fold: FoldMode
  /** fold 'session': whether masks were extended across crop faces; null with fold 'crop'. */
  cropExtension: boolean | null
  seed: number
  minVoxels: number
  clickThresholdLogit: number
  predictionThresholdLogit: number
  spacingMm: number
  cropSize: number
  /** null when the baseline was not run. */
  baselineTolerance: number | null
  model: { name: string; variant: string }
}

/** Dice per requested click count ("1", "3", …); null where no value is defined. */
export type ByClicks = Record<string, number | null>

export interface GroupMeans {
  targets: number
  mean: ByClicks
  meanWhole: ByClicks
  /** the baseline's mean Dice in the crop (absent when it was not run). */
  baseline?: ByClicks
}

export interface EvalReport {
  clicks: number[]
  /** mean Dice inside the crop over all targets (the paper's measure). */
  mean: ByClicks
  /** mean Dice on the whole volume (crop mask pasted back). */
  meanWhole: ByClicks
  baseline: { method: string; mean: ByClicks; meanWhole: ByClicks } | null
  /** per case (pair): number of targets and their mean Dice. */
  caseMeans: Record<string, GroupMeans>
  /** per target group of the shared data (groups.ts), plus 'CT organ (all)'. */
  groups: Record<string, GroupMeans>
  protocol: Protocol
  cases: Array<
    Omit<TargetResult, 'baseline'> & {
      dice: ByClicks
      diceWhole: ByClicks
      baseline: { dice: ByClicks; diceWhole: ByClicks; clicks: Click[] } | null
    }
  >
  skipped: SkippedTarget[]
}

export const BASELINE_METHOD =
  'region growing: each positive click adds, each negative click removes, the 6-connected component of ' +
  'crop voxels within ±60 HU (CT crops) or ±tolerance z-units (others) of the clicked intensity; same first click, later clicks from its own errors (§9.1)'

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null)

function atClicks(perClick: readonly number[], clicks: readonly number[]): ByClicks {
  return Object.fromEntries(clicks.map((k) => [String(k), finite(perClick[k - 1])]))
}

function nanMean(values: readonly number[]): number | null {
  let sum = 0
  let n = 0
  for (const v of values)
    if (Number.isFinite(v)) {
      sum += v
      n++
    }
  return n ? sum / n : null
}

function meanAt(rows: readonly number[][], clicks: readonly number[]): ByClicks {
  return Object.fromEntries(clicks.map((k) => [String(k), nanMean(rows.map((r) => r[k - 1]))]))
}

export function summarise(
  results: readonly TargetResult[],
  skipped: SkippedTarget[],
  protocol: Protocol,
): EvalReport {
  const { clicks } = protocol
  const withBaseline = results.filter((r) => r.baseline)
  const means = (rs: readonly TargetResult[]): GroupMeans => {
    const m: GroupMeans = {
      targets: rs.length,
      mean: meanAt(
        rs.map((r) => r.dicePerClick),
        clicks,
      ),
      meanWhole: meanAt(
        rs.map((r) => r.diceWholePerClick),
        clicks,
      ),
    }
    const b = rs.filter((r) => r.baseline)
    if (b.length)
      m.baseline = meanAt(
        b.map((r) => r.baseline!.dicePerClick),
        clicks,
      )
    return m
  }
  const caseMeans: EvalReport['caseMeans'] = {}
  for (const key of [...new Set(results.map((r) => r.case))])
    caseMeans[key] = means(results.filter((r) => r.case === key))
  const grouped = new Map<string, TargetResult[]>()
  for (const r of results) {
    const g = groupOf(r.case, r.voxels)
    grouped.set(g, [...(grouped.get(g) ?? []), r])
  }
  const groups: EvalReport['groups'] = {}
  for (const g of [...grouped.keys()].sort()) groups[g] = means(grouped.get(g)!)
  const ct = results.filter((r) => groupOf(r.case, r.voxels).startsWith('CT organ'))
  if (ct.length) groups['CT organ (all)'] = means(ct)
  return {
    clicks: [...clicks],
    mean: meanAt(
      results.map((r) => r.dicePerClick),
      clicks,
    ),
    meanWhole: meanAt(
      results.map((r) => r.diceWholePerClick),
      clicks,
    ),
    baseline:
      protocol.baselineTolerance === null
        ? null
        : {
            method: BASELINE_METHOD,
            mean: meanAt(
              withBaseline.map((r) => r.baseline!.dicePerClick),
              clicks,
            ),
            meanWhole: meanAt(
              withBaseline.map((r) => r.baseline!.diceWholePerClick),
              clicks,
            ),
          },
    caseMeans,
    groups,
    protocol,
    cases: results.map((r) => ({
      ...r,
      dicePerClick: r.dicePerClick.map((x) => finite(x) ?? NaN),
      dice: atClicks(r.dicePerClick, clicks),
      diceWhole: atClicks(r.diceWholePerClick, clicks),
      baseline: r.baseline && {
        dice: atClicks(r.baseline.dicePerClick, clicks),
        diceWhole: atClicks(r.baseline.diceWholePerClick, clicks),
        clicks: r.baseline.clicks,
      },
    })),
    skipped,
  }
}

/** The report as JSON text (NaN → null), 1-space indented, newline-terminated. */
export function reportJson(report: EvalReport): string {
  return (
    JSON.stringify(report, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 1) + '\n'
  )
}

const cell = (x: number | null | undefined): string =>
  x === null || x === undefined ? '  n/a' : x.toFixed(3)

/**
 * The readable table: one row per target, then the means. Each click column shows
 * model Dice in the crop / model Dice on the whole volume / baseline Dice in the crop.
 */
export function formatTable(report: EvalReport): string {
  const { clicks } = report
  const hasBaseline = report.baseline !== null
  const rows: string[][] = []
  const head = [
    'case',
    'label',
    'voxels',
    ...clicks.map((k) => `@${k} crop/whole${hasBaseline ? '/base' : ''}`),
  ]
  const triple = (a: number | null, b: number | null, c: number | null | undefined): string =>
    [cell(a), cell(b), ...(hasBaseline ? [cell(c)] : [])].join(' ')
  for (const r of report.cases)
    rows.push([
      r.case,
      `${r.label}${r.labelName ? ` ${r.labelName}` : ''}`,
      String(r.voxels),
      ...clicks.map((k) => triple(r.dice[k], r.diceWhole[k], r.baseline?.dice[k])),
    ])
  const foot = [
    `mean (${report.cases.length} targets)`,
    '',
    '',
    ...clicks.map((k) => triple(report.mean[k], report.meanWhole[k], report.baseline?.mean[k])),
  ]
  const groupRows = Object.entries(report.groups).map(([g, m]) => [
    `  ${g}: ${m.targets} targets`,
    '',
    '',
    ...clicks.map((k) => triple(m.mean[k], m.meanWhole[k], m.baseline?.[k])),
  ])
  const all = [head, ...rows, foot, ...groupRows]
  const width = head.map((_, c) => Math.max(...all.map((r) => r[c].length)))
  const line = (r: string[]): string =>
    r
      .map((v, c) => (c === 1 || c === 0 ? v.padEnd(width[c]) : v.padStart(width[c])))
      .join('  ')
      .trimEnd()
  const rule = width.map((w) => '-'.repeat(w)).join('  ')
  const out = [line(head), rule, ...rows.map(line), rule, line(foot), ...groupRows.map(line)]
  if (hasBaseline) out.push(`baseline: ${report.baseline!.method}`)
  const p = report.protocol
  out.push(
    `protocol: crop ${p.crop}, fold ${p.fold}${p.cropExtension === null ? '' : ` (crop extension ${p.cropExtension ? 'on' : 'off'})`}, seed ${p.seed}, clicks per spec §9.1 (click threshold logit ${p.clickThresholdLogit}), ` +
      `Dice at logit > ${p.predictionThresholdLogit}, model ${p.model.name}`,
  )
  if (report.skipped.length) {
    out.push(`skipped (${report.skipped.length}):`)
    for (const s of report.skipped)
      out.push(
        `  ${s.case}${s.label === null ? '' : ` label ${s.label}${s.name ? ` (${s.name})` : ''}`}: ${s.reason}`,
      )
  }
  return out.join('\n') + '\n'
}
