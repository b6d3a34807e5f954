/**
 * The site key (issue 12): without it nobody lists, opens or uploads a case; a room link (room id + token)
 * grants that room's case only; a wrong key is no key. The key is generated once into the data folder
 * (mode 0600) and kept across restarts, or given by env. Real servers, real socket.io-client connections
 * with and without `auth: { siteKey }`.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError, loadConfig, SITE_KEY_FILE } from '../src/index.ts'
import { call, connect, disconnectAll, expectOk, startTestServer, type TestServer } from './support.ts'

let server: TestServer

beforeAll(async () => {
  server = await startTestServer({ segmenter: null })
})

afterAll(async () => {
  disconnectAll()
  await server?.close()
})

const ANON = { siteKey: null }

describe('site key', () => {
  it('without it (or with a wrong one): no case list, no case, no upload — and no patient data in any reply', async () => {
    for (const key of [null, 'x'.repeat(43), server.siteKey.slice(0, -1) + 'A']) {
      if (key === server.siteKey) continue
      const c = await connect(server.url, { siteKey: key })
      const replies = [
        await call(c, 'cases:list', {}),
        await call(c, 'case:open', { caseId: 'demo' }),
        await call(c, 'upload:begin', { format: 'nifti', size: 1000 }),
      ]
      for (const r of replies) {
        expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } })
        expect(JSON.stringify(r)).not.toMatch(/snapshot|slices|cases"/)
      }
    }
    expect(server.server.ctx.rooms.size).toBe(0)
  })

  it('a room link grants that room (its case and segments) and nothing else', async () => {
    const owner = await connect(server.url)
    const { roomId, token } = expectOk(await call(owner, 'case:open', { caseId: 'demo' }))
    const guest = await connect(server.url, ANON)
    const joined = expectOk(await call(guest, 'room:join', { roomId, token }))
    expect(joined.snapshot.case.caseId).toBe('demo')
    expectOk(await call(guest, 'segment:create', { name: 'by the guest' }))
    expect(await call(guest, 'cases:list', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(await call(guest, 'case:open', { caseId: 'demo' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    })
    const stranger = await connect(server.url, ANON)
    expect((await call(stranger, 'room:join', { roomId, token: 'A'.repeat(43) })).ok).toBe(false)
  })

  it('is generated once into the data folder with mode 0600 and kept across restarts; env gives one', async () => {
    const path = join(server.dataDir, SITE_KEY_FILE)
    expect(readFileSync(path, 'utf8').trim()).toBe(server.siteKey)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(server.siteKey).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const dataDir = mkdtempSync(join(tmpdir(), 'fastsam-key-'))
    try {
      const a = await startTestServer({ segmenter: null, dataDir })
      const first = a.siteKey
      await a.close()
      const b = await startTestServer({ segmenter: null, dataDir })
      expect(b.siteKey).toBe(first)
      await b.close()
      const given = 'k'.repeat(40)
      const c = await startTestServer({ segmenter: null, dataDir, env: { FASTSAM_SITE_KEY: given } })
      expect(c.siteKey).toBe(given)
      const conn = await connect(c.url)
      expectOk(await call(conn, 'cases:list', {}))
      await c.close()
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
    expect(() => loadConfig(['--site-key', 'short'], {})).toThrow(ConfigError)
  })
})
