import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { repoRoot } from '@fastsam-xr/test/paths'

export const fixtures = join(repoRoot, 'test', 'fixtures', 'volume')

/** Run Debian's Python (numpy/scipy/nibabel) through the repo's launcher; returns stdout, throws on failure. */
export function python(args: string[]): string {
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'run-python.mjs'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  })
  if (r.status !== 0) throw new Error(`python ${args.join(' ')} failed (${r.status}): ${r.stderr}`)
  return r.stdout
}

/** Voxel (i, j, k) of a Volume-order array. */
export function at(
  data: ArrayLike<number>,
  dims: [number, number, number],
  i: number,
  j: number,
  k: number,
): number {
  return data[i + dims[0] * (j + dims[1] * k)]
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0
  for (let q = 0; q < a.length; q++) m = Math.max(m, Math.abs(a[q] - b[q]))
  return m
}
