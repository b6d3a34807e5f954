/** The golden vectors of model-spec §13 (`shared/docs/model-spec-golden/`), for runtime tests. */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { sharedDir } from '../../../test/support/paths.ts'
import { readNpy, type NpyArray } from './npy.ts'

export const goldenDir = join(sharedDir, 'docs', 'model-spec-golden')

export function goldenNpy(name: string): NpyArray {
  const p = join(goldenDir, `${name}.npy`)
  if (!existsSync(p)) throw new Error(`golden file not found: ${p} (set FASTSAM_SHARED to the shared folder)`)
  return readNpy(p)
}

/** manifest.json → stats: summary statistics of intermediates that were not stored in full. */
export function goldenStats(): Record<string, Record<string, unknown>> {
  return JSON.parse(readFileSync(join(goldenDir, 'manifest.json'), 'utf8')).stats
}

/** x[0,0,a,b,c] = sin(0.11a)cos(0.07b) + 0.5 sin(0.05c + 0.3a), C-order over (a, b, c), 128³. */
export function goldenInput(size = 128): Float32Array {
  const x = new Float32Array(size ** 3)
  for (let a = 0; a < size; a++)
    for (let b = 0; b < size; b++)
      for (let c = 0; c < size; c++)
        x[(a * size + b) * size + c] =
          Math.sin(0.11 * a) * Math.cos(0.07 * b) + 0.5 * Math.sin(0.05 * c + 0.3 * a)
  return x
}

/** Channel `c` of a [1, C, ...] array. */
export function channel(arr: NpyArray, c: number): Float32Array {
  const per = arr.data.length / arr.shape[1]
  return arr.data.subarray(c * per, (c + 1) * per)
}

/** max |a − b| / max |b| (the spec's relative error). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`)
  let diff = 0
  let ref = 0
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]))
    ref = Math.max(ref, Math.abs(b[i]))
  }
  return diff / ref
}
