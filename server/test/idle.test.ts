/**
 * Memory stays bounded on a long-running server: a room nobody is in leaves memory after the idle
 * time (its record stays stored), the case it held is released, and the same token restores the
 * room, segments included, on the next join.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { encodeNifti } from '@fastsam-xr/volume'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, connect, disconnectAll, expectOk, startTestServer, type TestServer } from './support.ts'

let server: TestServer

beforeAll(async () => {
  server = await startTestServer({
    segmenter: null,
    env: { FASTSAM_ROOM_IDLE_S: '1', FASTSAM_UPLOAD_RESUME_S: '1' },
  })
})

afterAll(async () => {
  disconnectAll()
  await server?.close()
})

describe('idle rooms', () => {
  it('a client gone right after opening a case and starting an upload leaves no member and no upload behind', async () => {
    // A case big enough that reading and deriving it outlasts the client.
    const n = 256
    const data = new Int16Array(n ** 3)
    for (let q = 0; q < data.length; q++) data[q] = ((q * 2654435761) % 2000) - 1000
    mkdirSync(join(server.dataDir, 'cases'), { recursive: true })
    const affine = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1])
    writeFileSync(
      join(server.dataDir, 'cases', 'slow.nii'),
      encodeNifti({ data, dims: [n, n, n], affine, dtype: 'int16', meta: {} }),
    )
    const c = await connect(server.url)
    c.emit('case:open', { caseId: 'data-slow' }, () => {})
    c.emit('upload:begin', { format: 'nifti', size: 1000 }, () => {})
    await new Promise((r) => setTimeout(r, 100)) // both events reach the server; the case is still loading
    c.disconnect()
    const ctx = server.server.ctx
    const deadline = Date.now() + 60_000
    while (ctx.rooms.size === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    expect(ctx.rooms.size).toBe(1) // the room was made after the client left
    await new Promise((r) => setTimeout(r, 2500))
    // A ghost member would keep the room in memory forever; without one it is freed once idle.
    expect(ctx.rooms.size).toBe(0)
    expect(ctx.uploads.size).toBe(0) // the upload's resume window (1 s here) has passed
  })

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

  it('an uploaded case leaves memory once no room uses it and its uploader is gone; not before', async () => {
    const ctx = server.server.ctx
    const before = ctx.cases.uploadCount
    const uploader = await connect(server.url)
    const data = new Int16Array(24 * 24 * 24).map((_, q) => (q % 97) - 40)
    const file = encodeNifti({
      data,
      dims: [24, 24, 24],
      affine: Float64Array.from([2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]),
      dtype: 'int16',
      meta: { modality: 'CT' },
    })
    const { uploadId } = expectOk(
      await call(uploader, 'upload:begin', { format: 'nifti', size: file.length }),
    )
    expectOk(await call(uploader, 'upload:chunk', { uploadId, offset: 0, data: file }))
    const { case: uploaded } = expectOk(await call(uploader, 'upload:finish', { uploadId }))
    const { roomId, token } = expectOk(await call(uploader, 'case:open', { caseId: uploaded.caseId }))
    const viewer = await connect(server.url)
    expectOk(await call(viewer, 'room:join', { roomId, token }))
    expect(ctx.cases.uploadCount).toBe(before + 1)
    // the uploader leaves; the viewer is still in the room: kept
    uploader.disconnect()
    await new Promise((r) => setTimeout(r, 2200))
    expect(ctx.cases.uploadCount).toBe(before + 1)
    expect(ctx.rooms.all().some((r) => r.id === roomId)).toBe(true)
    // the viewer leaves too: after the idle time the room and the upload are gone
    expectOk(await call(viewer, 'room:leave', {}))
    await new Promise((r) => setTimeout(r, 2500))
    expect(ctx.rooms.all().some((r) => r.id === roomId)).toBe(false)
    expect(ctx.cases.uploadCount).toBe(before)
    const gone = await call(viewer, 'room:join', { roomId, token })
    expect(gone.ok).toBe(false)
  })
})
