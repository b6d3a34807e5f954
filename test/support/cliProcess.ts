/**
 * Test support: the `fastsam-xr` command as a real child process — started, awaited until it listens,
 * stopped with SIGINT (clean) or SIGKILL (a crash).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { repoRoot } from './paths.ts'

export const bin = join(repoRoot, 'apps', 'cli', 'bin', 'fastsam-xr.js')

export interface Started {
  child: ChildProcess
  output: () => string
  url: string
  /** the site key of the address it printed (`open …?key=…`). */
  siteKey: string
}

/** Spawns the CLI and waits for its "listening on" line (and the model/certificate line after it). */
export function launchCli(args: string[], env: NodeJS.ProcessEnv): Promise<Started> {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no 'listening' line:\n${out}`)), 60_000)
    const onData = (d: Buffer): void => {
      out += d
      const m = /listening on (\S+)/.exec(out)
      const key = /open: \S+[?&]key=([A-Za-z0-9_-]+)/.exec(out)
      if (m && key && /fingerprint|model/.test(out)) {
        clearTimeout(timer)
        resolve({ child, output: () => out, url: m[1], siteKey: key[1] })
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.on('exit', (code) => reject(new Error(`exited ${code} before listening:\n${out}`)))
  })
}

/** SIGINT (the clean shutdown a user's Ctrl+C gives); resolves with the exit code. */
export function stop(s: Started): Promise<number | null> {
  return signal(s, 'SIGINT')
}

/** SIGKILL: no handler runs, nothing is flushed — a crash or power cut as far as the process knows. */
export function kill(s: Started): Promise<number | null> {
  return signal(s, 'SIGKILL')
}

function signal(s: Started, sig: NodeJS.Signals): Promise<number | null> {
  return new Promise((resolve) => {
    s.child.removeAllListeners('exit')
    if (s.child.exitCode !== null || s.child.signalCode !== null) return resolve(s.child.exitCode)
    s.child.on('exit', (code) => resolve(code))
    s.child.kill(sig)
  })
}
