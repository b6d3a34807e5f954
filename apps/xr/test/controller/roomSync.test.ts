/**
 * The pure halves of the client's room handling against what a real server (the shipped model) really
 * sends: acked requests and their typed errors, the slice volume → SliceGrid, a liver mesh decoded and
 * fitted into a triangle budget the way the mesh worker does it, the prompt log kept in step with the
 * server's history counts through prompt / undo / redo / reset, and a late joiner's snapshot → views.
 */
import type { MeshUpdate, PromptRecord, RoomSnapshot, Vec3 } from '@fastsam-xr/protocol'
import { decodeMesh } from '@fastsam-xr/mesh/wire'
import { readVolume } from '@fastsam-xr/volume'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sharedData } from '../../../../test/support/paths.ts'
import {
  connect,
  disconnectAll,
  next,
  organPoint,
  startTestServer,
  type TestServer,
} from '../../../../server/test/support.ts'
import { decodeForBudget, meshWorkReady } from '../../src/mesh/decodeForBudget.ts'
import { PREVIEW_TRIANGLE_BUDGET } from '../../src/mesh/budget.ts'
import { request, RequestError, type ClientSocket } from '../../src/controller/request.ts'
import {
  asBytes,
  segmentViewFromSnapshot,
  serverRestarted,
  sliceGridFromVolume,
} from '../../src/controller/snapshot.ts'

const LIVER = 5
let server: TestServer
let alice: ClientSocket
let roomId: string
let token: string
let opened: RoomSnapshot
let liver: Vec3
/** every segment:mesh alice received, in arrival order. */
const meshes: MeshUpdate[] = []

/** Resolves with the first received mesh of `segmentId` reflecting exactly `seqs`. */
async function meshReflecting(segmentId: string, seqs: number[], timeoutMs = 30_000): Promise<MeshUpdate> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const found = meshes.find(
      (u) => u.segmentId === segmentId && JSON.stringify(u.promptSeqs) === JSON.stringify(seqs),
    )
    if (found) return found
    if (Date.now() > until) throw new Error(`no mesh reflecting ${JSON.stringify(seqs)}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

beforeAll(async () => {
  server = await startTestServer()
  expect(server.server.modelError).toBeNull()
  liver = organPoint(
    await readVolume(sharedData('volumes', 'totalsegmentator', 'example_ct_seg.nii.gz')),
    LIVER,
  )
  await meshWorkReady
  alice = await connect(server.url)
  alice.on('segment:mesh', (u) => meshes.push(u))
  ;({ roomId, token, snapshot: opened } = await request(alice, 'case:open', { caseId: 'demo' }))
})

afterAll(async () => {
  disconnectAll()
  await server?.close()
})

describe('acked requests', () => {
  it('resolve with the success result and reject with the server code and message', async () => {
    const { cases } = await request(alice, 'cases:list', {})
    expect(cases).toContainEqual(expect.objectContaining({ kind: 'demo' }))
    const outsider = await connect(server.url)
    const err = await request(outsider, 'segment:create', { name: 'x' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RequestError)
    expect((err as RequestError).code).toBe('not-in-room')
    expect((err as RequestError).message).toBe('open a case or join a room first')
    const bad = await request(outsider, 'room:join', { roomId, token: 'A'.repeat(43) }).catch(
      (e: unknown) => e,
    )
    expect((bad as RequestError).code).toBe('forbidden')
    outsider.disconnect()
    const gone = await request(outsider, 'cases:list', {}).catch((e: unknown) => e)
    expect((gone as RequestError).code).toBe('disconnected')
  })
})

describe('snapshot → store shapes', () => {
  it('turns the int16 slice volume into a SliceGrid of the same values', () => {
    const grid = sliceGridFromVolume(opened.slices)
    const raw = Buffer.from(asBytes(opened.slices.data))
    expect(grid.dims).toEqual(opened.slices.dims)
    expect(grid.voxels.length).toBe(grid.dims[0] * grid.dims[1] * grid.dims[2])
    for (const q of [0, 1, 777, 123_456, grid.voxels.length - 1])
      expect(grid.voxels[q]).toBe(raw.readInt16LE(2 * q))
    // values (stored · scale + offset) stay within the case's value range: real HU
    let lo = Infinity
    let hi = -Infinity
    for (const v of grid.voxels) {
      lo = Math.min(lo, v * grid.scale + grid.offset)
      hi = Math.max(hi, v * grid.scale + grid.offset)
    }
    expect(lo).toBeGreaterThanOrEqual(opened.case.valueRange[0] - 1)
    expect(hi).toBeLessThanOrEqual(opened.case.valueRange[1] + 1)
    expect(hi - lo).toBeGreaterThan(1000)
  })

  it('fits the bone preview into its budget', () => {
    const preview = decodeForBudget(asBytes(opened.preview!.mesh), PREVIEW_TRIANGLE_BUDGET)
    expect(preview.triangles).toBeGreaterThan(1000)
    expect(preview.triangles).toBeLessThanOrEqual(PREVIEW_TRIANGLE_BUDGET)
    expect(preview.normals.length).toBe(preview.positions.length)
    const small = decodeForBudget(asBytes(opened.preview!.mesh), 5000)
    expect(small.triangles).toBeLessThanOrEqual(5000)
    expect(small.triangles).toBeGreaterThan(1000)
  })
})

describe('a liver segment through prompt, undo, redo, reset', () => {
  let segmentId: string
  let first: MeshUpdate
  /** The prompt log the newest segment:history stated (what promptLogs.ts puts in the store). */
  let log: { prompts: PromptRecord[]; redoCount: number } = { prompts: [], redoCount: 0 }
  const listen = (): void => {
    alice.on('segment:history', (h) => {
      if (h.segmentId === segmentId) log = { prompts: h.prompts, redoCount: h.redoCount }
    })
  }

  it('decodes the liver mesh whole within a large budget and fitted within a small one', async () => {
    segmentId = (await request(alice, 'segment:create', { name: 'liver', color: '#e6194b' })).segment
      .segmentId
    const mesh = next(alice, 'segment:mesh', (u) => u.segmentId === segmentId)
    listen()
    const ack = await request(alice, 'segment:prompt', { segmentId, pointWorldRas: liver, positive: true })
    // the history event precedes the ack on the same connection
    expect(log.prompts.map((p) => p.seq)).toEqual([ack.seq])
    first = await mesh
    expect(first.promptSeqs).toEqual([ack.seq])

    const exact = decodeMesh(asBytes(first.mesh), { normals: false })
    const whole = decodeForBudget(asBytes(first.mesh), 1_000_000)
    expect(whole.triangles).toBe(exact.indices.length / 3)
    expect(whole.triangles).toBeGreaterThan(400)
    const target = Math.floor(whole.triangles / 4)
    const fitted = decodeForBudget(asBytes(first.mesh), target)
    expect(fitted.triangles).toBeLessThanOrEqual(target)
    expect(fitted.triangles).toBeGreaterThan(target / 8)
    // the fitted surface stays where the liver is: same bounding box within a few mm
    const box = (p: Float32Array): number[] => {
      const b = [Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity]
      for (let v = 0; v < p.length; v += 3)
        for (let a = 0; a < 3; a++) {
          b[a] = Math.min(b[a], p[v + a])
          b[3 + a] = Math.max(b[3 + a], p[v + a])
        }
      return b
    }
    const [a, b] = [box(whole.positions), box(fitted.positions)]
    for (let i = 0; i < 6; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(6)
    // compacted: every vertex is used
    const used = new Uint8Array(fitted.positions.length / 3)
    for (const i of fitted.indices) used[i] = 1
    expect(used.every((u) => u === 1)).toBe(true)
  })

  it('keeps the prompt list in step with the server history', async () => {
    const negative: Vec3 = [liver[0] - 30, liver[1], liver[2]]
    const ack = await request(alice, 'segment:prompt', {
      segmentId,
      pointWorldRas: negative,
      positive: false,
    })
    expect(log.prompts.map((p) => [p.positive, p.pointWorldRas])).toEqual([
      [true, liver],
      [false, negative],
    ])
    await request(alice, 'segment:undo', { segmentId })
    expect(log).toMatchObject({ redoCount: 1 })
    expect(log.prompts.map((p) => p.seq)).toEqual([first.promptSeqs[0]])
    await request(alice, 'segment:redo', { segmentId })
    expect(log.prompts.map((p) => p.seq)).toEqual([first.promptSeqs[0], ack.seq])
    expect(log.redoCount).toBe(0)
    await request(alice, 'segment:undo', { segmentId })
    const third = await request(alice, 'segment:prompt', { segmentId, pointWorldRas: liver, positive: true })
    expect(log.redoCount).toBe(0) // a new prompt clears the redo stack
    expect(log.prompts.map((p) => p.seq)).toEqual([first.promptSeqs[0], third.seq])
    expect(log.prompts.length).toBe(third.promptCount)
    const nothing = await request(alice, 'segment:redo', { segmentId }).catch((e: unknown) => e)
    expect((nothing as RequestError).code).toBe('nothing-to-undo')
  })

  it('gives a late joiner the segment with its prompts, counts and volume', async () => {
    // wait until the server has meshed the whole current log
    const settled = await meshReflecting(
      segmentId,
      log.prompts.map((p) => p.seq),
    )
    const bob = await connect(server.url)
    const { snapshot } = await request(bob, 'room:join', { roomId, token, displayName: 'Desktop beef' })
    expect(snapshot.members.map((m) => m.displayName)).toContain('Desktop beef')
    const s = snapshot.segments.find((x) => x.segment.segmentId === segmentId)!
    const view = segmentViewFromSnapshot(s)
    expect(view.info).toMatchObject({ name: 'liver', color: '#e6194b', visible: true })
    expect(view.prompts.map((p) => p.seq)).toEqual(log.prompts.map((p) => p.seq))
    expect(view.prompts.map((p) => p.pointWorldRas)).toEqual(log.prompts.map((p) => p.pointWorldRas))
    expect(view.volumeMl).toBeCloseTo(settled.volumeMl, 6)
    expect(view.mesh).toBeNull() // decoded by the worker afterwards
    // a reconnect keeps the shown mesh of the same revision and the still-pending prompts
    const shown = {
      ...view,
      mesh: decodeForBudget(asBytes(s.mesh!.mesh), 50_000),
      revision: s.mesh!.revision,
    }
    const again = segmentViewFromSnapshot(s, { ...shown, pendingSeqs: [9999, log.prompts[0].seq] })
    expect(again.mesh).toBe(shown.mesh)
    expect(again.pendingSeqs).toEqual([]) // 9999 is not in the log; the other is reflected already
    // a restarted server replays from revision 1 (or has no mesh yet): the shown mesh stays, revision 0
    const ahead = { ...shown, revision: s.mesh!.revision + 5 }
    expect(serverRestarted(s, ahead)).toBe(true)
    expect(serverRestarted(s, shown)).toBe(false)
    const restored = segmentViewFromSnapshot(s, ahead)
    expect(restored.mesh).toBe(shown.mesh)
    expect(restored.revision).toBe(0)
    expect(segmentViewFromSnapshot({ ...s, mesh: null }, shown).mesh).toBe(shown.mesh)
  })

  it('reset empties the log and the redo stack', async () => {
    await request(alice, 'segment:reset', { segmentId })
    expect(log).toEqual({ prompts: [], redoCount: 0 })
  })
})
