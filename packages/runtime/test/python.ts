/** Runs the project's Python (Debian torch, one thread) through scripts/run-python.mjs. */
import { spawn } from 'node:child_process'
import { repoRoot } from '../../../test/support/paths.ts'

export function runPython(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/run-python.mjs', ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`python ${args.slice(0, 2).join(' ')} exited ${code}:\n${out.slice(-3000)}`)),
    )
  })
}
