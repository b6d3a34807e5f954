/**
 * Test hooks ship only in the test build (src/testBuild.ts): the production bundle `npm start` serves
 * (apps/xr/dist) has no `window.__fsx` / `__fsxXr` and asks WebGL for no preserved drawing buffer; the
 * test build (apps/xr/dist-test, what the browser tests load) has both. Read from the built files.
 */
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../../../test/support/paths.ts'

function bundle(out: 'dist' | 'dist-test'): string {
  const assets = join(repoRoot, 'apps', 'xr', out, 'assets')
  return readdirSync(assets)
    .filter((f) => f.endsWith('.js'))
    .map((f) => readFileSync(join(assets, f), 'utf8'))
    .join('\n')
}

beforeAll(() => {
  for (const flags of [[], ['--test']]) {
    const r = spawnSync(process.execPath, ['scripts/build-client.mjs', ...flags], {
      cwd: repoRoot,
      encoding: 'utf8',
    })
    expect(r.status, r.stdout + r.stderr).toBe(0)
  }
}, 300_000)

describe('the client bundles', () => {
  it('production: no page hooks, no preserved drawing buffer', () => {
    const js = bundle('dist')
    expect(js).not.toContain('__fsx')
    expect(js).toContain('preserveDrawingBuffer:!1')
    expect(js).not.toContain('preserveDrawingBuffer:!0')
  })

  it('test build: the hooks the browser tests read, and the drawing buffer kept for pixel reads', () => {
    const js = bundle('dist-test')
    expect(js).toContain('__fsxXr')
    expect(js).toContain('__fsx')
    expect(js).toContain('preserveDrawingBuffer:!0')
  })
})
