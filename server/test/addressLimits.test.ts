/**
 * Per-address limits (issue 12: 10 anonymous sockets made 300 rooms in 2.3 s): one address holds at most N
 * connections at once and creates rooms at a bounded rate, across all its connections; joining an existing
 * room is not limited by it. A real server with small limits, real socket.io-client connections.
 */
import { io } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, connect, disconnectAll, expectOk, startTestServer, type TestServer } from './support.ts'

let server: TestServer

beforeAll(async () => {
  server = await startTestServer({
    segmenter: null,
    env: { FASTSAM_MAX_CONNECTIONS_PER_ADDRESS: '3', FASTSAM_ROOMS_PER_MINUTE: '2' },
  })
})

afterAll(async () => {
  disconnectAll()
  await server?.close()
})

function tryConnect(url: string): Promise<string> {
  const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false })
  return new Promise((resolve) => {
    socket.once('connect', () => {
      socket.disconnect()
      resolve('connected')
    })
    socket.once('connect_error', (err) => resolve(`refused: ${err.message}`))
  })
}

describe('per-address limits', () => {
  it('room creation is bounded across the connections of one address; joining is not', async () => {
    const a = await connect(server.url)
    const b = await connect(server.url)
    const first = expectOk(await call(a, 'case:open', { caseId: 'demo' }))
    expectOk(await call(b, 'case:open', { caseId: 'demo' }))
    const third = await call(a, 'case:open', { caseId: 'demo' })
    expect(third).toMatchObject({ ok: false, error: { code: 'rate-limited' } })
    const fourth = await call(b, 'case:open', { caseId: 'demo' })
    expect(fourth.ok).toBe(false)
    expectOk(await call(b, 'room:join', { roomId: first.roomId, token: first.token }))
    expect(server.server.ctx.rooms.size).toBe(2)
    disconnectAll()
  })

  it('an address holds at most the maximum of connections at once, and gets a slot back when one closes', async () => {
    await new Promise((r) => setTimeout(r, 100)) // the previous test's disconnects reach the server
    const held = [await connect(server.url), await connect(server.url), await connect(server.url)]
    expect(await tryConnect(server.url)).toMatch(/^refused: too many connections from this address/)
    held[0].disconnect()
    await new Promise((r) => setTimeout(r, 100))
    expect(await tryConnect(server.url)).toBe('connected')
  })
})
