#!/usr/bin/env node
// `npm run test:py`: pytest over models/ with Debian's torch (through run-python.mjs).
// pytest exits 5 when it collects nothing; that is a failure here too, unless models/ does not
// exist yet, which is said plainly instead of hidden.
import { existsSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
if (!existsSync(join(root, 'models'))) {
  console.log('test:py: no models/ package yet; no Python tests to run')
  process.exit(0)
}
const r = spawnSync(
  process.execPath,
  [join(root, 'scripts', 'run-python.mjs'), '-m', 'pytest', '-q', 'models', ...process.argv.slice(2)],
  {
    stdio: 'inherit',
    cwd: root,
  },
)
process.exit(r.status ?? 1)
