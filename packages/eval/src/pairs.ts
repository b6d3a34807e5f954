/**
 * Image/label pairs under a folder, the same rules as TRAIN's `models/data/pairs.py` so both name
 * pairs alike (`<dataset>/<case>`, the key `models/data/split.json` uses):
 *   - `<case>_img.nii.gz` + `<case>_seg.nii.gz` in one folder (also `.nii`); dataset = that folder's
 *     name (the root's own name for files directly in it);
 *   - nnU-Net: `<dataset>/imagesTr/<case>_0000.nii.gz` + `<dataset>/labelsTr/<case>.nii.gz`.
 * Folders are walked in sorted order, so the pair order (and the report) is deterministic.
 */
import { existsSync, readdirSync, statSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { EvalError } from './errors.ts'

export interface Pair {
  /** '<dataset>/<case>' */
  key: string
  image: string
  label: string
}

const NIFTI = ['.nii.gz', '.nii']

function stripSuffix(name: string, suffix: string): string | null {
  for (const ext of NIFTI) if (name.endsWith(suffix + ext)) return name.slice(0, -(suffix + ext).length)
  return null
}

function findFile(dir: string, stem: string): string | null {
  for (const ext of NIFTI) if (existsSync(join(dir, stem + ext))) return join(dir, stem + ext)
  return null
}

export function findPairs(root: string): Pair[] {
  const top = resolve(root)
  if (!existsSync(top) || !statSync(top).isDirectory())
    throw new EvalError('data-missing', `data folder not found: ${root}`)
  const pairs: Pair[] = []
  const walk = (dir: string): void => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))
    const files = entries.filter((e) => e.isFile()).map((e) => e.name)
    if (basename(dir) === 'imagesTr') {
      const labels = join(dirname(dir), 'labelsTr')
      const dataset = basename(dirname(dir))
      for (const f of files) {
        const c = stripSuffix(f, '_0000')
        const lab = c === null ? null : findFile(labels, c)
        if (c !== null && lab) pairs.push({ key: `${dataset}/${c}`, image: join(dir, f), label: lab })
      }
    } else {
      const dataset = basename(dir)
      for (const f of files) {
        const c = stripSuffix(f, '_img')
        const seg = c === null ? null : findFile(dir, `${c}_seg`)
        if (c !== null && seg) pairs.push({ key: `${dataset}/${c}`, image: join(dir, f), label: seg })
      }
    }
    for (const e of entries) if (e.isDirectory()) walk(join(dir, e.name))
  }
  walk(top)
  return pairs
}
