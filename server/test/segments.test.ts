/**
 * End to end over real Socket.IO connections to a real server with the golden-weight model: open the
 * demo case, prompt inside the liver, and compare every mesh the clients receive with the mask the
 * runtime produces directly (same model, same sequential clicks: spec §8.3); undo/redo/reset,
 * coalescing, rooms with two clients and a late joiner, exports over HTTP with the room token.
 */
import { decodeMesh, decoderReadyPromise, maskToMesh, readWireHeader } from '@fastsam-xr/mesh'
import type { MeshUpdate, PromptRecord, RoomSnapshot, Vec3 } from '@fastsam-xr/protocol'
import { Segmenter } from '@fastsam-xr/runtime'
import { encodeNifti, pasteCropMask, readNifti, readVolume, type Volume } from '@fastsam-xr/volume'
import { gunzipSync } from 'fflate'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { goldenModelDir } from '../../test/support/goldenModel.ts'
import { repoRoot, sharedData } from '../../test/support/paths.ts'
import {
  bytes,
  call,
  connect,
  disconnectAll,
  expectOk,
  next,
  organPoint,
  sameBytes,
  startTestServer,
  type Client,
  type TestServer,
} from './support.ts'

const LIVER = 5
let segmenter: Segmenter
let server: TestServer
let ct: Volume
let liver: Vec3
let alice: Client
let roomId: string
let token: string
let opened: RoomSnapshot

/** The mask the runtime makes for these clicks, replayed the way the server folds them. */
async function directMask(points: { p: Vec3; positive: boolean }[]): Promise<Uint8Array> {
  const encoded = await segmenter.encode(ct, points[0].p)
  let logits: Float32Array | undefined
  for (const { p, positive } of points)
    logits = (await segmenter.decode(encoded, [{ pointWorldRas: p, positive }], logits)).lowResLogits
  return segmenter.toMask(encoded, logits!, ct)
}

/** The received mesh equals marching cubes over `mask` on the CT grid, vertex for vertex. */
function expectMeshOf(update: MeshUpdate, mask: Uint8Array): void {
  const received = decodeMesh(bytes(update.mesh), { normals: false })
  const expected = maskToMesh(mask, ct.dims, ct.affine, { normals: false })
  expect(received.indices.length).toBe(expected.indices.length)
  expect(sameBytes(received.positions, expected.positions)).toBe(true)
  expect(sameBytes(received.indices, expected.indices)).toBe(true)
  let voxels = 0
  for (const v of mask) voxels += v
  expect(update.voxels).toBe(voxels)
  expect(update.volumeMl).toBeCloseTo((voxels * 27) / 1000, 6) // 3 mm isotropic voxels
}

beforeAll(async () => {
  segmenter = await Segmenter.load(await goldenModelDir('fastsam3d'))
  // Crop extension off: the existing behaviour (one crop per click, no neighbouring crops), so every
  // mesh is the runtime's plain crop mask; cropExtension.test.ts covers the default (on).
  server = await startTestServer({ segmenter, env: { FASTSAM_CROP_EXTENSION: 'off' } })
  ct = await readVolume(join(repoRoot, 'server', 'demo', 'example_ct.nii.gz'))
  liver = organPoint(
    await readVolume(sharedData('volumes', 'totalsegmentator', 'example_ct_seg.nii.gz')),
    LIVER,
  )
  await decoderReadyPromise
  alice = await connect(server.url)
  const reply = expectOk(await call(alice, 'case:open', { caseId: 'demo', displayName: 'Alice' }))
  ;({ roomId, token, snapshot: opened } = reply)
})

afterAll(async () => {
  disconnectAll()
  await server?.close()
  await segmenter?.release()
})

describe('opening the demo case', () => {
  it('lists the demo and replies with the volume geometry, window presets, preview and slices', async () => {
    const list = expectOk(await call(alice, 'cases:list', {}))
    expect(list.cases).toContainEqual(expect.objectContaining({ caseId: 'demo', kind: 'demo' }))
    expect(opened.case.dims).toEqual([122, 101, 112])
    expect(opened.case.affine).toEqual(Array.from(ct.affine))
    expect(opened.case.modality).toBe('CT')
    expect(opened.case.windowPresets.map((w) => w.name)).toContain('bone')
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    // Slices: the demo fits the budget, so the int16 copy holds the CT's own HU, voxel for voxel.
    expect(opened.slices.factor).toBe(1)
    const slice = new Int16Array(bytes(opened.slices.data).slice().buffer)
    expect(sameBytes(slice, ct.data)).toBe(true)
    // Preview: bone isosurface in world RAS mm, inside the CT's extent (the mesher pads the volume
    // with one outside voxel, so a surface can close up to one voxel, 3 mm, beyond the last centre).
    const preview = decodeMesh(bytes(opened.preview!.mesh), { normals: false })
    expect(preview.indices.length / 3).toBe(opened.preview!.triangles)
    const lo = [0, 1, 2].map((a) =>
      Math.min(ct.affine[4 * a + 3], ct.affine[4 * a + 3] + ct.affine[5 * a] * (ct.dims[a] - 1)),
    )
    const hi = [0, 1, 2].map((a) =>
      Math.max(ct.affine[4 * a + 3], ct.affine[4 * a + 3] + ct.affine[5 * a] * (ct.dims[a] - 1)),
    )
    const seenLo = [Infinity, Infinity, Infinity]
    const seenHi = [-Infinity, -Infinity, -Infinity]
    for (let v = 0; v < preview.positions.length; v += 3)
      for (let a = 0; a < 3; a++) {
        seenLo[a] = Math.min(seenLo[a], preview.positions[v + a])
        seenHi[a] = Math.max(seenHi[a], preview.positions[v + a])
      }
    for (let a = 0; a < 3; a++) {
      expect(seenLo[a]).toBeGreaterThanOrEqual(lo[a] - 3.01)
      expect(seenHi[a]).toBeLessThanOrEqual(hi[a] + 3.01)
    }
  })
})

describe('prompts → meshes', () => {
  let segmentId: string
  let first: MeshUpdate
  let second: MeshUpdate
  const negative = (): Vec3 => [liver[0] - 30, liver[1], liver[2]]

  it('a click inside the liver yields the mesh of the mask the runtime produces directly', async () => {
    segmentId = expectOk(await call(alice, 'segment:create', { name: 'liver' })).segment.segmentId
    const mesh = next(alice, 'segment:mesh', (u) => u.segmentId === segmentId)
    const ack = expectOk(
      await call(alice, 'segment:prompt', { segmentId, pointWorldRas: liver, positive: true }),
    )
    expect(ack).toMatchObject({ promptCount: 1, redoCount: 0 })
    first = await mesh
    expect(first.promptSeqs).toEqual([ack.seq])
    expect(first.revision).toBe(1)
    expect(readWireHeader(bytes(first.mesh)).kind).toBe(1)
    expect(first.voxels).toBeGreaterThan(100)
    expect(first.timings.encodeMs).toBeGreaterThan(0)
    expectMeshOf(first, await directMask([{ p: liver, positive: true }]))
    // The border flag says whether the runtime's crop mask reaches a face of the 128³ crop.
    const encoded = await segmenter.encode(ct, liver)
    const logits = (await segmenter.decode(encoded, [{ pointWorldRas: liver, positive: true }])).lowResLogits
    const crop = segmenter.cropMask(logits)
    const s = segmenter.manifest.input.cropSize
    let onFace = false
    for (let q = 0; q < crop.length && !onFace; q++) {
      const idx = [Math.floor(q / (s * s)), Math.floor(q / s) % s, q % s]
      onFace = crop[q] === 1 && idx.some((v) => v === 0 || v === s - 1)
    }
    expect(first.touchesCropBorder).toBe(onFace)
    expect(onFace).toBe(true) // the golden model's liver mask reaches the crop's faces…
    expect(first.extendedFaces).toEqual([]) // …and with extension off nothing more happens
    expect(first.timings.extendMs).toBe(0)
  })

  it('a refining click decodes with the previous logits (the mesh matches the sequential runtime mask)', async () => {
    const mesh = next(alice, 'segment:mesh', (u) => u.segmentId === segmentId)
    expectOk(await call(alice, 'segment:prompt', { segmentId, pointWorldRas: negative(), positive: false }))
    second = await mesh
    expect(second.timings.encodeMs).toBe(0) // same crop: the embedding came from the cache
    expect(second.voxels).not.toBe(first.voxels)
    expectMeshOf(
      second,
      await directMask([
        { p: liver, positive: true },
        { p: negative(), positive: false },
      ]),
    )
  })

  it('undo restores the previous mesh, redo re-applies, reset empties', async () => {
    let mesh = next(alice, 'segment:mesh', (u) => u.segmentId === segmentId)
    expect(expectOk(await call(alice, 'segment:undo', { segmentId }))).toMatchObject({
      promptCount: 1,
      redoCount: 1,
    })
    expect(sameBytes(bytes((await mesh).mesh), bytes(first.mesh))).toBe(true)

    mesh = next(alice, 'segment:mesh', (u) => u.segmentId === segmentId)
    expect(expectOk(await call(alice, 'segment:redo', { segmentId }))).toMatchObject({
      promptCount: 2,
      redoCount: 0,
    })
    expect(sameBytes(bytes((await mesh).mesh), bytes(second.mesh))).toBe(true)

    mesh = next(alice, 'segment:mesh', (u) => u.segmentId === segmentId)
    expectOk(await call(alice, 'segment:reset', { segmentId }))
    const empty = await mesh
    expect(empty.voxels).toBe(0)
    expect(decodeMesh(bytes(empty.mesh)).indices.length).toBe(0)
    const nothing = await call(alice, 'segment:undo', { segmentId })
    expect(nothing).toEqual({ ok: false, error: expect.objectContaining({ code: 'nothing-to-undo' }) })
  })

  it('prompts arriving while one runs are coalesced: one later update covers them all, none is lost', async () => {
    const updates: MeshUpdate[] = []
    const collect = (u: MeshUpdate): void => void (u.segmentId === segmentId && updates.push(u))
    alice.on('segment:mesh', collect)
    const points: { p: Vec3; positive: boolean }[] = [
      { p: liver, positive: true },
      { p: [liver[0] + 9, liver[1], liver[2]], positive: true },
      { p: negative(), positive: false },
    ]
    const acks = await Promise.all(
      points.map(({ p, positive }) =>
        call(alice, 'segment:prompt', { segmentId, pointWorldRas: p, positive }),
      ),
    )
    const seqs = acks.map((a) => expectOk(a).seq)
    const last = await next(
      alice,
      'segment:mesh',
      (u) => u.segmentId === segmentId && u.promptSeqs.length === 3,
    )
    alice.off('segment:mesh', collect)
    expect(last.promptSeqs).toEqual(seqs)
    expect(updates.length).toBeLessThan(3)
    expectMeshOf(last, await directMask(points))
  })

  it('a click outside the current crop re-centres it; the new crop is pasted over the old mask', async () => {
    const other = expectOk(await call(alice, 'segment:create', { name: 'two crops' })).segment.segmentId
    const far: Vec3 = [liver[0], liver[1], liver[2] - 105] // > 96 mm below: outside the 128³ × 1.5 mm crop
    let mesh = next(alice, 'segment:mesh', (u) => u.segmentId === other)
    expectOk(await call(alice, 'segment:prompt', { segmentId: other, pointWorldRas: liver, positive: true }))
    await mesh
    mesh = next(alice, 'segment:mesh', (u) => u.segmentId === other)
    expectOk(await call(alice, 'segment:prompt', { segmentId: other, pointWorldRas: far, positive: true }))
    const update = await mesh
    expect(update.timings.encodeMs).toBeGreaterThan(0) // a second crop was encoded
    const expected = await directMask([{ p: liver, positive: true }])
    const encoded = await segmenter.encode(ct, far)
    const logits = (await segmenter.decode(encoded, [{ pointWorldRas: far, positive: true }])).lowResLogits
    pasteCropMask(segmenter.cropMask(logits), encoded.crop, ct, expected)
    expectMeshOf(update, expected)
    expectOk(await call(alice, 'segment:delete', { segmentId: other }))
  })

  it('a prompt the model cannot answer (a crop without tissue) is withdrawn; the rest of the log stands', async () => {
    // 64³ voxels of air at 3 mm with a tissue block in one corner: a click in the far corner gets a
    // crop with no voxel > 0 (DEGENERATE_CROP), a click in the block works.
    const n = 64
    const data = new Int16Array(n ** 3).fill(-1000)
    for (let k = 0; k < 20; k++)
      for (let j = 0; j < 20; j++)
        for (let i = 0; i < 20; i++) data[i + n * (j + n * k)] = 200 + ((i * 7 + j * 3 + k) % 50)
    const affine = Float64Array.from([3, 0, 0, 0, 0, 3, 0, 0, 0, 0, 3, 0, 0, 0, 0, 1])
    mkdirSync(join(server.dataDir, 'cases'), { recursive: true })
    writeFileSync(
      join(server.dataDir, 'cases', 'corner.nii'),
      encodeNifti({ data, dims: [n, n, n], affine, dtype: 'int16', meta: { modality: 'CT' } }),
    )
    const c = await connect(server.url)
    expectOk(await call(c, 'case:open', { caseId: 'data-corner' }))
    const { segmentId: id } = expectOk(await call(c, 'segment:create', {})).segment
    const far: Vec3 = [180, 180, 180]
    const block: Vec3 = [30, 30, 30]

    let failed = next(c, 'segment:failed', (f) => f.segmentId === id)
    const first = expectOk(
      await call(c, 'segment:prompt', { segmentId: id, pointWorldRas: far, positive: true }),
    )
    let failure = await failed
    expect(failure.withdrawnSeqs).toEqual([first.seq])
    expect(failure.error.code).toBe('inference-failed')

    const mesh = next(c, 'segment:mesh', (u) => u.segmentId === id)
    const ok = expectOk(
      await call(c, 'segment:prompt', { segmentId: id, pointWorldRas: block, positive: true }),
    )
    expect((await mesh).promptSeqs).toEqual([ok.seq])

    failed = next(c, 'segment:failed', (f) => f.segmentId === id)
    const history = next(c, 'segment:history', (h) => h.segmentId === id && h.promptCount === 1)
    expectOk(await call(c, 'segment:prompt', { segmentId: id, pointWorldRas: far, positive: false }))
    failure = await failed
    await history
    await server.server.ctx.queue.idle()
    const room = server.server.ctx.rooms
      .all()
      .find((r) => r.segments.has(id) && r.loaded.info.caseId === 'data-corner')!
    expect(room.segment(id).prompts.map((p) => p.seq)).toEqual([ok.seq])
    expect(room.segment(id).state.seqs).toEqual([ok.seq])
    c.disconnect()
  })

  it('refuses prompts outside the volume, on unknown segments, and outside a room', async () => {
    const far = await call(alice, 'segment:prompt', {
      segmentId,
      pointWorldRas: [liver[0], liver[1], liver[2] + 1000],
      positive: true,
    })
    expect(far).toMatchObject({ ok: false, error: { code: 'out-of-volume' } })
    const unknown = await call(alice, 'segment:prompt', {
      segmentId: 'nope',
      pointWorldRas: liver,
      positive: true,
    })
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not-found' } })
    const loner = await connect(server.url)
    const outside = await call(loner, 'segment:prompt', { segmentId, pointWorldRas: liver, positive: true })
    expect(outside).toMatchObject({ ok: false, error: { code: 'not-in-room' } })
    const seg = expectOk(await call(alice, 'segment:undo', { segmentId }))
    expect(seg.promptCount).toBe(2) // the refused prompts never entered the history
    await call(alice, 'segment:redo', { segmentId })
  })
})

describe('rooms', () => {
  it('two clients in one room see the same segments; a late joiner gets everything', async () => {
    const bob = await connect(server.url)
    const joinedSeen = next(alice, 'member:joined')
    const bobView = expectOk(await call(bob, 'room:join', { roomId, token, displayName: 'Bob' })).snapshot
    expect((await joinedSeen).displayName).toBe('Bob')
    expect(bobView.members.map((m) => m.displayName).sort()).toEqual(['Alice', 'Bob'])

    // Bob creates and prompts; both receive the same mesh bytes.
    const changed = next(alice, 'segment:changed', (s) => s.name === 'spleen-ish')
    const created = expectOk(
      await call(bob, 'segment:create', { name: 'spleen-ish', color: '#00ff00' }),
    ).segment
    expect(await changed).toEqual(created)
    const point: Vec3 = [liver[0] + 6, liver[1] + 6, liver[2]]
    const [atAlice, atBob] = [
      next(alice, 'segment:mesh', (u) => u.segmentId === created.segmentId),
      next(bob, 'segment:mesh', (u) => u.segmentId === created.segmentId),
    ]
    expectOk(
      await call(bob, 'segment:prompt', {
        segmentId: created.segmentId,
        pointWorldRas: point,
        positive: true,
      }),
    )
    const [a, b] = await Promise.all([atAlice, atBob])
    expect(sameBytes(bytes(a.mesh), bytes(b.mesh))).toBe(true)
    await server.server.ctx.queue.idle()

    // Carol joins late: the snapshot holds every segment, its prompt history and its latest mesh.
    const carol = await connect(server.url)
    const late = expectOk(await call(carol, 'room:join', { roomId, token })).snapshot
    expect(late.case.caseId).toBe('demo')
    expect(late.segments.map((s) => s.segment.name)).toEqual(['liver', 'spleen-ish'])
    const ofBob = late.segments[1]
    expect(ofBob.prompts.map((p: PromptRecord) => p.pointWorldRas)).toEqual([point])
    expect(sameBytes(bytes(ofBob.mesh!.mesh), bytes(a.mesh))).toBe(true)
    expect(late.segments[0].prompts).toHaveLength(3)
    expect(late.members).toHaveLength(3)

    // Presence is relayed to the others, not echoed, not stored.
    const pose = {
      position: [1, 2, 3] as Vec3,
      orientation: [0, 0, 0, 1] as [number, number, number, number],
    }
    const relayed = next(alice, 'presence', (p) => p.clientId !== undefined)
    carol.emit('presence:update', { head: pose, hands: [pose] })
    expect(await relayed).toMatchObject({ head: pose, hands: [pose] })
    carol.disconnect()
    expect((await next(alice, 'member:left')).clientId).toBeDefined()
  })

  it('refuses a wrong token and an unknown room alike', async () => {
    const eve = await connect(server.url)
    const wrong = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')
    expect(await call(eve, 'room:join', { roomId, token: wrong })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    })
    expect(await call(eve, 'room:join', { roomId: 'nosuchroom', token })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    })
    expect(await call(eve, 'segment:create', {})).toMatchObject({ ok: false, error: { code: 'not-in-room' } })
  })
})

describe('exports over HTTP with the room token', () => {
  it('the NIfTI label map holds each segment on the CT grid; STL and GLB carry the meshes', async () => {
    await server.server.ctx.queue.idle()
    const room = server.server.ctx.rooms.all().find((r) => r.id === roomId)!
    const res = await fetch(`${server.url}/rooms/${roomId}/export/labels.nii.gz?token=${token}`)
    expect(res.status).toBe(200)
    const labels = readNifti(gunzipSync(new Uint8Array(await res.arrayBuffer())))
    expect(labels.dims).toEqual(ct.dims)
    labels.affine.forEach((v, q) => expect(v).toBeCloseTo(ct.affine[q], 3)) // NIfTI keeps float32
    const [liverSeg, other] = [...room.segments.values()]
    let liverVoxels = 0
    let otherVoxels = 0
    let misplaced = 0
    for (let q = 0; q < labels.data.length; q++) {
      if (labels.data[q] === liverSeg.info.label) liverVoxels++
      if (labels.data[q] === other.info.label) otherVoxels++
      // Exactly the later segment's voxels carry its label (it wins overlaps); the rest are the liver's or 0.
      if ((other.state.mask![q] === 1) !== (labels.data[q] === other.info.label)) misplaced++
      else if (labels.data[q] === liverSeg.info.label && !liverSeg.state.mask![q]) misplaced++
    }
    expect(misplaced).toBe(0)
    expect(liverVoxels).toBeGreaterThan(0)
    expect(otherVoxels).toBe(other.mesh!.voxels)

    const stl = await fetch(`${server.url}/rooms/${roomId}/export/segments.stl`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(stl.status).toBe(200)
    const emptyQuery = await fetch(`${server.url}/rooms/${roomId}/export/segments.stl?token=`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(emptyQuery.status, 'an empty ?token= does not shadow the Bearer header').toBe(200)
    await emptyQuery.arrayBuffer()
    const stlBytes = new Uint8Array(await stl.arrayBuffer())
    const triangles = new DataView(stlBytes.buffer).getUint32(80, true)
    expect(stlBytes.length).toBe(84 + 50 * triangles)
    const expectedTriangles = [...room.segments.values()].reduce(
      (n, s) =>
        n +
        (s.state.mask
          ? maskToMesh(s.state.mask, ct.dims, ct.affine, { normals: false }).indices.length / 3
          : 0),
      0,
    )
    expect(triangles).toBe(expectedTriangles)
    const glb = await fetch(`${server.url}/rooms/${roomId}/export/segments.glb?token=${token}`)
    expect(glb.status).toBe(200)
    expect(new TextDecoder().decode(new Uint8Array(await glb.arrayBuffer()).subarray(0, 4))).toBe('glTF')

    const refused = await fetch(`${server.url}/rooms/${roomId}/export/labels.nii.gz?token=${'x'.repeat(43)}`)
    expect(refused.status).toBe(403)
    const none = await fetch(`${server.url}/rooms/${roomId}/export/labels.nii.gz`)
    expect(none.status).toBe(403)
  })
})
