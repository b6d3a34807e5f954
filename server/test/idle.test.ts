/**
 * Memory stays bounded on a long-running server: a room nobody is in leaves memory after the idle
 * time (its record stays stored), the case it held is released, and the same token restores the
 * room, segments included, on the next join.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, connect, disconnectAll, expectOk, startTestServer, type TestServer } from './support.ts'

let server: TestServer

beforeAll(async () => {
  server = await startTestServer({ segmenter: null, env: { FASTSAM_ROOM_IDLE_S: '1' } })
})

afterAll(async () => {
  disconnectAll()
  await server?.close()
})

describe('idle rooms', () => {
  it('leave memory when empty, and come back from their record on the next join', async () => {
    const c = await connect(server.url)
    const { roomId, token } = expectOk(await call(c, 'case:open', { caseId: 'demo' }))
    expectOk(await call(c, 'segment:create', { name: 'kept', color: '#123456' }))
    const ctx = server.server.ctx
    await new Promise((r) => setTimeout(r, 2200))
    expect(ctx.rooms.size).toBe(1) // still a member: never evicted
    expectOk(await call(c, 'room:leave', {}))
    await new Promise((r) => setTimeout(r, 2500))
    expect(ctx.rooms.size).toBe(0)
    const back = expectOk(await call(c, 'room:join', { roomId, token })).snapshot
    expect(back.segments.map((s) => s.segment)).toEqual([
      expect.objectContaining({ name: 'kept', color: '#123456' }),
    ])
    expect(ctx.rooms.size).toBe(1)
  })
})
