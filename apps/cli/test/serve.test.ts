/**
 * The `fastsam-xr serve` / `start` commands as a user runs them (a real process): URLs and model
 * status printed, a persisted self-signed certificate whose printed fingerprint matches and is reused
 * on restart, HTTPS + Socket.IO through it, clean shutdown on SIGINT, and one-line errors (no stack)
 * for bad flags.
 */
import { spawnSync } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { io } from 'socket.io-client'
import { afterAll, describe, expect, it } from 'vitest'
import { bin, launchCli, stop } from '../../../test/support/cliProcess.ts'
import { repoRoot } from '../../../test/support/paths.ts'

const dataDir = mkdtempSync(join(tmpdir(), 'fastsam-cli-'))
const env = { ...process.env, FASTSAM_MODEL: '', FASTSAM_LOG_LEVEL: 'warn' }
const launch = (args: string[]) => launchCli(args, env)

afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

function httpsJson(url: string, ca: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    request(url, { ca }, (res) => {
      let body = ''
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve(JSON.parse(body)))
    })
      .on('error', reject)
      .end()
  })
}

describe('fastsam-xr serve / start', () => {
  it('start: HTTPS with a persisted self-signed certificate, runs without a model and says so', async () => {
    const first = await launch([
      'start',
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--data',
      dataDir,
      '--model',
      'none',
    ])
    const out = first.output()
    expect(first.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/)
    expect(out).toMatch(/no model/)
    expect(out).toMatch(/certificate generated/)
    const cert = readFileSync(join(dataDir, 'tls', 'cert.pem'), 'utf8')
    const fingerprint = new X509Certificate(cert).fingerprint256
    expect(out).toContain(`SHA-256 fingerprint ${fingerprint}`)
    // The certificate verifies for this host (subjectAltName), and Socket.IO works through it.
    const health = (await httpsJson(`${first.url}healthz`, cert)) as { ok: boolean; model: unknown }
    expect(health).toMatchObject({ ok: true, model: null })
    const socket = io(first.url, { transports: ['websocket'], ca: cert, forceNew: true, reconnection: false })
    const hello = await new Promise<{ model: unknown }>((resolve) => socket.once('server:hello', resolve))
    expect(hello.model).toBeNull()
    socket.disconnect()
    expect(await stop(first)).toBe(0)

    // A restart reuses the certificate (the headset's exception stays valid).
    const second = await launch([
      'start',
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--data',
      dataDir,
      '--model',
      'none',
    ])
    expect(second.output()).toMatch(/certificate loaded/)
    expect(second.output()).toContain(fingerprint)
    expect(await stop(second)).toBe(0)
  })

  it('serve: plain HTTP by default, listed in --help', async () => {
    const s = await launch([
      'serve',
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--data',
      dataDir,
      '--model',
      'none',
    ])
    expect(s.url).toMatch(/^http:\/\//)
    const res = await fetch(`${s.url}healthz`)
    expect(res.status).toBe(200)
    const page = await fetch(s.url)
    // the built WebXR client (apps/xr/dist, built by `npm test` first) or, without it, the server's own page
    expect(await page.text()).toMatch(
      existsSync(join(repoRoot, 'apps', 'xr', 'dist', 'index.html'))
        ? /<title>fastsam-xr<\/title>[\s\S]*id="root"/
        : /fastsam-xr edge server/,
    )
    expect(await stop(s)).toBe(0)
    const help = spawnSync(process.execPath, [bin, '--help'], { cwd: repoRoot, encoding: 'utf8' })
    expect(help.stdout).toMatch(/serve\s+run the edge server/)
  })

  it('bad flags and missing model folders are one-line errors with exit code 2', () => {
    for (const args of [
      ['serve', '--model', join(dataDir, 'nothing-here')],
      ['serve', '--port', '99999'],
      ['serve', '--ep', 'tpu'],
      ['serve', '--tls', 'maybe'],
      ['serve', '--crop-extension', 'maybe'],
      ['serve', '--tls-cert', join(dataDir, 'x.pem')],
      ['serve', '--frobnicate', '1'],
    ]) {
      const r = spawnSync(process.execPath, [bin, ...args], { cwd: repoRoot, env, encoding: 'utf8' })
      expect(r.status, args.join(' ')).toBe(2)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).not.toMatch(/\s+at \S+ \(/) // no stack trace
    }
  })
})
