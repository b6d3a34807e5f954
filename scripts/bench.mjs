#!/usr/bin/env node
// `npm run bench -- <suite>`: runs the benchmark file `bench/<suite>.ts` of whichever workspace
// owns that suite (packages/*, server, apps/*, test). Each suite prints one JSON document on stdout.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const workspaces = [
  ...readdirSync(join(root, 'packages')).map((d) => join('packages', d)),
  'server',
  ...(existsSync(join(root, 'apps')) ? readdirSync(join(root, 'apps')).map((d) => join('apps', d)) : []),
  'test',
]
const suites = new Map()
for (const ws of workspaces) {
  const dir = join(root, ws, 'bench')
  if (!existsSync(dir)) continue
  for (const f of readdirSync(dir)) if (/^[a-z0-9-]+\.ts$/.test(f)) suites.set(f.slice(0, -3), join(dir, f))
}
const [suite, ...args] = process.argv.slice(2)
if (!suite || !suites.has(suite)) {
  console.error(
    `usage: npm run bench -- <suite> [args]\nsuites: ${[...suites.keys()].sort().join(', ') || '(none yet)'}`,
  )
  process.exit(suite ? 2 : 0)
}
// Every suite ends: one that runs past FASTSAM_BENCH_TIMEOUT_S (default 30 min) is stopped (SIGTERM, so it
// can stop what it started) and reported, instead of hanging a terminal or a CI job.
const limitS = Number(process.env.FASTSAM_BENCH_TIMEOUT_S ?? 1800)
const r = spawnSync(process.execPath, ['--import', 'tsx', suites.get(suite), ...args], {
  stdio: 'inherit',
  cwd: root,
  timeout: limitS * 1000,
  killSignal: 'SIGTERM',
})
if (r.error?.code === 'ETIMEDOUT') {
  console.error(`bench ${suite}: stopped after ${limitS} s (FASTSAM_BENCH_TIMEOUT_S); no result`)
  process.exit(1)
}
process.exit(r.status ?? 1)
