import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root (this file lives in test/support/). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** The shared material (paper, spec, real data): `../shared` beside the checkout, or FASTSAM_SHARED. */
export const sharedDir = resolve(process.env.FASTSAM_SHARED ?? join(repoRoot, '..', 'shared'))

/** A path inside `shared/data`; throws a clear error if the shared folder is missing. */
export function sharedData(...parts: string[]): string {
  const p = join(sharedDir, 'data', ...parts)
  if (!existsSync(p)) throw new Error(`shared data not found: ${p} (set FASTSAM_SHARED to the shared folder)`)
  return p
}
