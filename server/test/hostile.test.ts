/**
 * Malformed and hostile input against a real server (no model: validation comes first anyway):
 * a seeded, bounded fuzzer mutates valid payloads of every event so each is invalid by construction,
 * and every one must get an error reply (never a hang or a crash) and change no state. Also: binary
 * fields as JSON arrays, rate limits, wrong tokens, prompts without a model.
 */
import type { ClientToServerEvents, Reply } from '@fastsam-xr/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  call,
  callRaw,
  connect,
  disconnectAll,
  expectOk,
  startTestServer,
  type Client,
  type TestServer,
} from './support.ts'

let server: TestServer
let owner: Client
let roomId: string
let token: string
let segmentId: string

/** mulberry32: a small seeded PRNG so a failure reproduces. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

beforeAll(async () => {
  server = await startTestServer({ segmenter: null })
  owner = await connect(server.url)
  ;({ roomId, token } = expectOk(await call(owner, 'case:open', { caseId: 'demo' })))
  segmentId = expectOk(await call(owner, 'segment:create', { name: 'kept' })).segment.segmentId
})

afterAll(async () => {
  disconnectAll()
  await server?.close()
})

/** What the room looks like to a joiner (everything but members and the big binary payloads). */
async function roomState(): Promise<unknown> {
  const peek = await connect(server.url)
  const { snapshot } = expectOk(await call(peek, 'room:join', { roomId, token }))
  peek.disconnect()
  return { segments: snapshot.segments, case: snapshot.case }
}

type Event = keyof ClientToServerEvents

describe('fuzzed payloads', () => {
  it('every invalid payload of every event is answered with an error and changes nothing', async () => {
    const valid: Partial<Record<Event, Record<string, unknown>>> = {
      'cases:list': {},
      'case:open': { caseId: 'demo' },
      'room:join': { roomId, token },
      'room:leave': {},
      'segment:create': { name: 'x', color: '#112233' },
      'segment:update': { segmentId, name: 'y' },
      'segment:delete': { segmentId },
      'segment:prompt': { segmentId, pointWorldRas: [0, 100, 300], positive: true },
      'segment:undo': { segmentId },
      'segment:redo': { segmentId },
      'segment:reset': { segmentId },
      'upload:begin': { format: 'nifti', size: 1000 },
      'upload:resume': { uploadId: 'abc' },
      'upload:chunk': { uploadId: 'abc', offset: 0, data: new Uint8Array(4) },
      'upload:finish': { uploadId: 'abc' },
      'upload:abort': { uploadId: 'abc' },
    }
    const junk: unknown[] = [
      null,
      0,
      -1,
      1e308,
      'x',
      '',
      true,
      [],
      [1, 2, 3],
      Object.fromEntries([['__proto__', { polluted: 1 }]]),
      'a'.repeat(10_000),
      new Uint8Array(8),
    ]
    const wrongFor = (v: unknown, rnd: () => number): unknown => {
      if (typeof v === 'string')
        return [42, null, true, ['a'], '\u0000bad', 'x'.repeat(300), { s: v }][Math.floor(rnd() * 7)]
      if (typeof v === 'number')
        return ['1', null, Number.NaN, Infinity, -Infinity, 1e300, -1.5, [v]][Math.floor(rnd() * 8)]
      if (typeof v === 'boolean') return ['true', 1, null, []][Math.floor(rnd() * 4)]
      if (Array.isArray(v))
        return [[...v, 1], v.slice(1), v.map(String), [Number.NaN, 0, 0], {}, 'abc'][Math.floor(rnd() * 6)]
      if (v instanceof Uint8Array)
        return [[1, 2, 3], Array.from(v), 'AAAA', { length: 4 }][Math.floor(rnd() * 4)]
      return 'x'
    }
    const rnd = prng(20261124)
    const events = Object.keys(valid) as Event[]
    const before = await roomState()
    // Each event gets its own client (a fresh rate-limit budget), all in the room.
    const fuzzers = new Map<Event, Client>()
    let replies = 0
    for (let n = 0; n < 240; n++) {
      const event = events[Math.floor(rnd() * events.length)]
      const base = valid[event]!
      const keys = Object.keys(base)
      let args: unknown[]
      const how = Math.floor(rnd() * 5)
      if (how === 0 || keys.length === 0)
        args = [{ ...base, [`extra${Math.floor(rnd() * 9)}`]: 1 }] // strict objects
      else if (how === 1) args = [junk[Math.floor(rnd() * junk.length)]]
      else if (how === 2) args = [base, 'second argument']
      else {
        const key = keys[Math.floor(rnd() * keys.length)]
        args = [{ ...base, [key]: wrongFor(base[key], rnd) }]
      }
      // `{}` is a valid payload for the no-field events; junk 0/'' etc. stay invalid.
      if (how === 1 && (event === 'cases:list' || event === 'room:leave') && args[0] === undefined) continue
      let client = fuzzers.get(event)
      if (!client) {
        client = await connect(server.url)
        expectOk(await call(client, 'room:join', { roomId, token }))
        fuzzers.set(event, client)
      }
      const reply: Reply = await callRaw(client, event, args)
      expect(reply.ok, `${event} ${JSON.stringify(args).slice(0, 200)}`).toBe(false)
      if (!reply.ok) expect(reply.error.code).toBe('bad-request')
      replies++
    }
    expect(replies).toBeGreaterThan(200)
    expect(await roomState()).toEqual(before)
    const health = await (await fetch(`${server.url}/healthz`)).json()
    expect(health).toMatchObject({ ok: true, model: null })
  })

  it('binary fields sent as JSON arrays of numbers are refused', async () => {
    const reply = await callRaw(owner, 'upload:chunk', [{ uploadId: 'abc', offset: 0, data: [1, 2, 3] }])
    expect(reply).toMatchObject({ ok: false, error: { code: 'bad-request' } })
  })

  it('a Buffer sent as JSON gets one line saying binary is expected, not a list of method names', async () => {
    const asJson = JSON.parse(JSON.stringify(Buffer.from([1, 2, 3]))) // { type: 'Buffer', data: [1, 2, 3] }
    const reply = await callRaw(owner, 'upload:chunk', [{ uploadId: 'abc', offset: 0, data: asJson }])
    expect(reply).toMatchObject({ ok: false, error: { code: 'bad-request' } })
    if (!reply.ok) {
      expect(reply.error.message).toMatch(/data: expected binary data/)
      expect(reply.error.message).not.toMatch(/byteLength|slice|resize/)
    }
  })

  it('an unknown event gets a typed error at once instead of a timeout, and is not dispatched', async () => {
    const t = performance.now()
    const reply = await callRaw(owner, 'segment:explode', [{ segmentId: 'x' }], 5_000)
    expect(performance.now() - t).toBeLessThan(5_000)
    expect(reply).toMatchObject({ ok: false, error: { code: 'bad-request' } })
    if (!reply.ok) expect(reply.error.message).toMatch(/^unknown event 'segment:explode'/)
    const long = await callRaw(owner, 'x'.repeat(5000), [{}], 5_000)
    expect(long.ok).toBe(false)
    if (!long.ok) expect(long.error.message.length).toBeLessThan(200)
    // a known event still answers as before
    expectOk(await call(owner, 'cases:list', {}))
  })

  it('malformed presence is dropped, not relayed', async () => {
    const watcher = await connect(server.url)
    expectOk(await call(watcher, 'room:join', { roomId, token }))
    let relayed = 0
    watcher.on('presence', () => relayed++)
    for (const bad of [
      null,
      {},
      { head: { position: [0, 0], orientation: [0, 0, 0, 1] } },
      { head: 'x' },
      {
        head: { position: [0, 0, 0], orientation: [0, 0, 0, 1] },
        hands: new Array(9).fill({ position: [0, 0, 0], orientation: [0, 0, 0, 1] }),
      },
    ])
      owner.emit('presence:update', bad as never)
    owner.emit('presence:update', { head: { position: [1, 1, 1], orientation: [0, 0, 0, 1] } })
    await new Promise((r) => setTimeout(r, 300))
    expect(relayed).toBe(1)
  })
})

describe('limits and refusals', () => {
  it('prompts without a model get a typed no-model error and leave no trace', async () => {
    const reply = await call(owner, 'segment:prompt', {
      segmentId,
      pointWorldRas: [0, 100, 300],
      positive: true,
    })
    expect(reply).toMatchObject({ ok: false, error: { code: 'no-model' } })
    expect(await call(owner, 'segment:undo', { segmentId })).toMatchObject({
      ok: false,
      error: { code: 'nothing-to-undo' },
    })
  })

  it('a connection over its prompt rate is told to slow down', async () => {
    const eager = await connect(server.url)
    expectOk(await call(eager, 'room:join', { roomId, token }))
    const replies = await Promise.all(
      Array.from({ length: 40 }, () => call(eager, 'segment:undo', { segmentId })),
    )
    const codes = replies.map((r) => (r.ok ? 'ok' : r.error.code))
    expect(codes).toContain('rate-limited')
    expect(codes.filter((c) => c === 'nothing-to-undo').length).toBeGreaterThanOrEqual(20)
  })

  it('room tokens are unguessable and checked; unknown cases are not found', async () => {
    const other = expectOk(await call(owner, 'case:open', { caseId: 'demo' }))
    expect(other.roomId).not.toBe(roomId)
    expect(other.token).not.toBe(token)
    const stranger = await connect(server.url)
    expect(await call(stranger, 'room:join', { roomId, token: other.token })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    })
    expect(await call(stranger, 'case:open', { caseId: 'no-such-case' })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    })
    const res = await fetch(`${server.url}/rooms/${roomId}/export/segments.stl?token=${other.token}`)
    expect(res.status).toBe(403)
  })
})
