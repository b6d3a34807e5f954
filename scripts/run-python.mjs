#!/usr/bin/env node
// Runs the project's Python (models/) with Debian's interpreter, which has python3-torch.
// The PATH may hold another python3 (pyenv) without torch, so prefer /usr/bin/python3.
// FASTSAM_PYTHON overrides. Torch stays at one thread on CPU: two threads fight OpenBLAS here.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const python = process.env.FASTSAM_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3')
const env = {
  OMP_NUM_THREADS: '1',
  MKL_NUM_THREADS: '1',
  OPENBLAS_NUM_THREADS: '1',
  ...process.env,
  PYTHONPATH: [root, process.env.PYTHONPATH].filter(Boolean).join(':'),
}
const result = spawnSync(python, process.argv.slice(2), { stdio: 'inherit', env, cwd: root })
if (result.error) {
  console.error(`run-python: cannot start ${python}: ${result.error.message}`)
  process.exit(1)
}
process.exit(result.status ?? 1)
