/**
 * Subject-level split files (`models/data/split.json`, written by TRAIN): `subjects` → { side, pairs }.
 * Selecting a side keeps only the pairs the file lists for it, so an evaluation on 'held_out' never
 * touches a subject the model was trained on.
 */
import { existsSync, readFileSync } from 'node:fs'
import { EvalError } from './errors.ts'
import type { Pair } from './pairs.ts'

/** Pair keys ('<dataset>/<case>') on `side` of the split file. */
export function splitKeys(path: string, side: string): Set<string> {
  if (!existsSync(path)) throw new EvalError('split-invalid', `split file not found: ${path}`)
  let doc: unknown
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new EvalError('split-invalid', `split file ${path} is not JSON: ${(err as Error).message}`)
  }
  const subjects = (doc as { subjects?: unknown })?.subjects
  if (typeof subjects !== 'object' || subjects === null || Array.isArray(subjects))
    throw new EvalError('split-invalid', `split file ${path} has no "subjects" object`)
  const keys = new Set<string>()
  const sides = new Set<string>()
  for (const [name, entry] of Object.entries(subjects)) {
    const e = entry as { side?: unknown; pairs?: unknown }
    if (
      typeof e?.side !== 'string' ||
      !Array.isArray(e.pairs) ||
      !e.pairs.every((p) => typeof p === 'string')
    )
      throw new EvalError(
        'split-invalid',
        `split file ${path}: subject '${name}' needs "side" and "pairs" (strings)`,
      )
    sides.add(e.side)
    if (e.side === side) for (const p of e.pairs as string[]) keys.add(p)
  }
  if (!sides.has(side))
    throw new EvalError(
      'split-invalid',
      `split file ${path} has no side '${side}' (sides: ${[...sides].join(', ')})`,
    )
  return keys
}

/** The pairs whose key is on `side` of the split. */
export function selectSplit(pairs: readonly Pair[], path: string, side: string): Pair[] {
  const keys = splitKeys(path, side)
  return pairs.filter((p) => keys.has(p.key))
}

/**
 * The pairs named by `filters`: a filter matches a pair key exactly ('monai/anatomical') or a whole
 * dataset ('monai'). A filter that matches nothing is an error (a typo must not shrink a run silently).
 */
export function selectCases(pairs: readonly Pair[], filters: readonly string[]): Pair[] {
  const matches = (p: Pair, f: string): boolean => p.key === f || p.key.startsWith(f.replace(/\/$/, '') + '/')
  for (const f of filters)
    if (!pairs.some((p) => matches(p, f)))
      throw new EvalError(
        'no-pairs',
        `--cases: '${f}' matches no pair (keys look like '${pairs[0]?.key ?? 'dataset/case'}')`,
      )
  return pairs.filter((p) => filters.some((f) => matches(p, f)))
}
