#!/usr/bin/env node
// Builds the WebXR client (apps/xr → apps/xr/dist, which the edge server serves at `/`) when the build
// is missing or older than any of its sources. `npm start` and `npm test` run this first. `--test`: the
// test build instead (apps/xr/dist-test: the page hooks the browser tests read, see src/testBuild.ts).
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const app = join(root, 'apps', 'xr')
const test = process.argv.includes('--test')
const out = test ? 'dist-test' : 'dist'
const built = join(app, out, 'index.html')
const force = process.argv.includes('--force')

function newestMtime(path) {
  const info = statSync(path)
  if (!info.isDirectory()) return info.mtimeMs
  let newest = info.mtimeMs
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist' || entry === 'dist-test') continue
    newest = Math.max(newest, newestMtime(join(path, entry)))
  }
  return newest
}

const sources = [
  join(app, 'src'),
  join(app, 'index.html'),
  join(app, 'vite.config.ts'),
  join(app, 'package.json'),
  join(root, 'packages', 'protocol', 'src'),
  join(root, 'packages', 'mesh', 'src'),
]
const stale =
  force ||
  !existsSync(built) ||
  sources.some((s) => existsSync(s) && newestMtime(s) > statSync(built).mtimeMs)
if (!stale) {
  console.log(`client: apps/xr/${out} is up to date`)
  process.exit(0)
}
console.log(`client: building apps/xr → apps/xr/${out}`)
const r = spawnSync('npm', ['run', test ? 'build:test' : 'build', '-w', '@fastsam-xr/xr'], {
  cwd: root,
  stdio: 'inherit',
})
process.exit(r.status ?? 1)
