/**
 * The golden-recipe model folder (deterministic weights of model-spec §13, exported to ONNX by
 * models/), for tests and benchmarks that need a real model. Exported once per checkout into
 * `<repo>/.cache/models/golden-<variant>/` (gitignored) and reused while its model.json exists.
 *
 * The folder remembers a hash of the Python sources it was made from (models/*.py, models/modeling/,
 * models/export/) and is re-exported when they change: a stale export never outlives a model edit.
 *
 * Safe under parallel test workers: one process exports (a `mkdir` lock), into a temporary folder
 * that is renamed into place, so nobody ever sees a half-written folder; the others wait.
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { join, relative } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { repoRoot } from './paths.ts'

export type GoldenVariant = 'fastsam3d' | 'sam-med3d'

/** Longest an export may take before a waiting process treats the lock as abandoned. */
const STALE_LOCK_MS = 15 * 60_000

const SOURCE_STAMP = 'models-source.sha256'

const EXPORT_DIRS = ['modeling', 'export']

/** SHA-256 over the paths and contents of the .py files the golden export is made from. */
function modelSourceHash(): string {
  const hash = createHash('sha256')
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name)
      if (e.isDirectory()) {
        // The export depends on the top-level modules, the model definition and the exporter only
        // (not on models/train, models/data or the tests, which change often).
        if (dir !== join(repoRoot, 'models') || EXPORT_DIRS.includes(e.name)) walk(p)
      } else if (e.name.endsWith('.py'))
        hash.update(relative(repoRoot, p)).update('\0').update(readFileSync(p)).update('\0')
    }
  }
  walk(join(repoRoot, 'models'))
  return hash.digest('hex')
}

function lockAbandoned(lock: string): boolean {
  const since = statSync(lock, { throwIfNoEntry: false })?.mtimeMs
  if (since === undefined) return false // just released: retry the mkdir
  if (Date.now() - since > STALE_LOCK_MS) return true
  const pidFile = join(lock, 'pid')
  if (!existsSync(pidFile)) return Date.now() - since > 10_000 // the owner is between mkdir and writing its pid
  const pid = Number(readFileSync(pidFile, 'utf8'))
  try {
    process.kill(pid, 0)
    return false
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

function runExport(variant: GoldenVariant, out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const args = ['scripts/run-python.mjs', '-m', 'models.export_golden', '--out', out, '--variant', variant]
    const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`golden export (${variant}) failed with exit ${code}:\n${output.slice(-4000)}`)),
    )
  })
}

/** The folder of the exported golden model of `variant`, exporting it first if needed. */
export async function goldenModelDir(variant: GoldenVariant = 'fastsam3d'): Promise<string> {
  const root = join(repoRoot, '.cache', 'models')
  const dir = join(root, `golden-${variant}`)
  const source = modelSourceHash()
  const stamp = (d: string): string | undefined =>
    existsSync(join(d, SOURCE_STAMP)) ? readFileSync(join(d, SOURCE_STAMP), 'utf8').trim() : undefined
  const ready = (): boolean => existsSync(join(dir, 'model.json')) && stamp(dir) === source
  if (ready()) return dir
  mkdirSync(root, { recursive: true })
  const lock = `${dir}.lock`
  for (;;) {
    try {
      mkdirSync(lock)
      writeFileSync(join(lock, 'pid'), String(process.pid))
      break
    } catch {
      // Someone else is exporting: wait for them, or take over a lock whose owner died (killed
      // test worker) or that is older than any export takes.
      if (ready()) return dir
      if (lockAbandoned(lock)) rmSync(lock, { recursive: true, force: true })
      else await sleep(1000)
    }
  }
  try {
    if (ready()) return dir
    const tmp = `${dir}.tmp-${process.pid}`
    rmSync(tmp, { recursive: true, force: true })
    await runExport(variant, tmp)
    if (!existsSync(join(tmp, 'model.json')))
      throw new Error(`golden export (${variant}) wrote no model.json into ${tmp}`)
    writeFileSync(join(tmp, SOURCE_STAMP), source + '\n')
    rmSync(dir, { recursive: true, force: true })
    renameSync(tmp, dir)
    return dir
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}
