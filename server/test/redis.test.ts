/**
 * Two server nodes behind one real Redis (Debian's redis-server, started here on a free loopback
 * port): a room opened on node 1 is joined on node 2 (its record comes from Redis), segments and
 * history changes made on either node reach clients on both (Socket.IO Redis adapter), each node
 * folds the shared prompt log into identical meshes for its own clients, a late joiner on node 2 gets
 * everything, presence crosses nodes, and concurrent prompts on both nodes are all kept.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import type { Vec3 } from '@fastsam-xr/protocol'
import { Segmenter } from '@fastsam-xr/runtime'
import { readVolume } from '@fastsam-xr/volume'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { goldenModelDir } from '../../test/support/goldenModel.ts'
import { sharedData } from '../../test/support/paths.ts'
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
  type TestServer,
} from './support.ts'

let redis: ChildProcess
let redisUrl: string
let segmenter: Segmenter
let node1: TestServer
let node2: TestServer
let liver: Vec3

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

async function startRedis(): Promise<void> {
  const port = await freePort()
  redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  await new Promise<void>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${out}`)), 20_000)
    redis.stdout!.on('data', (d) => {
      out += d
      if (/Ready to accept connections/.test(out)) {
        clearTimeout(timer)
        resolve()
      }
    })
    redis.on('error', reject)
  })
  redisUrl = `redis://127.0.0.1:${port}`
}

beforeAll(async () => {
  await startRedis()
  segmenter = await Segmenter.load(await goldenModelDir('fastsam3d'))
  liver = organPoint(await readVolume(sharedData('volumes', 'totalsegmentator', 'example_ct_seg.nii.gz')), 5)
  node1 = await startTestServer({ segmenter, env: { FASTSAM_REDIS: redisUrl } })
  node2 = await startTestServer({ segmenter, env: { FASTSAM_REDIS: redisUrl } })
})

afterAll(async () => {
  disconnectAll()
  await node1?.close()
  await node2?.close()
  await segmenter?.release()
  redis?.kill('SIGTERM')
})

describe('two nodes behind Redis', () => {
  it('share a room: segments, history and identical meshes on both, late joiner, presence, concurrent prompts', async () => {
    const alice = await connect(node1.url)
    const { roomId, token } = expectOk(await call(alice, 'case:open', { caseId: 'demo' }))
    const bob = await connect(node2.url)
    const joined = expectOk(await call(bob, 'room:join', { roomId, token, displayName: 'Bob' }))
    expect(joined.snapshot.case.caseId).toBe('demo')
    const wrong = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')
    expect(await call(await connect(node2.url), 'room:join', { roomId, token: wrong })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    })

    // A segment created on node 1 reaches Bob on node 2.
    const seen = next(bob, 'segment:changed', (s) => s.name === 'liver')
    const { segmentId } = expectOk(await call(alice, 'segment:create', { name: 'liver' })).segment
    await seen

    // A prompt on node 1: both nodes fold the shared log; the meshes are identical.
    let atAlice = next(alice, 'segment:mesh', (u) => u.segmentId === segmentId && u.promptSeqs.length === 1)
    let atBob = next(bob, 'segment:mesh', (u) => u.segmentId === segmentId && u.promptSeqs.length === 1)
    expectOk(await call(alice, 'segment:prompt', { segmentId, pointWorldRas: liver, positive: true }))
    let [a, b] = await Promise.all([atAlice, atBob])
    expect(a.voxels).toBeGreaterThan(0)
    expect(sameBytes(bytes(a.mesh), bytes(b.mesh))).toBe(true)

    // A refinement on node 2 and an undo on node 1 (history crosses nodes both ways).
    atAlice = next(alice, 'segment:mesh', (u) => u.segmentId === segmentId && u.promptSeqs.length === 2)
    atBob = next(bob, 'segment:mesh', (u) => u.segmentId === segmentId && u.promptSeqs.length === 2)
    const history = next(alice, 'segment:history', (h) => h.promptCount === 2)
    expectOk(
      await call(bob, 'segment:prompt', {
        segmentId,
        pointWorldRas: [liver[0] - 30, liver[1], liver[2]],
        positive: false,
      }),
    )
    // Alice learns Bob's prompt point (for its marker) from the history event, across nodes.
    expect((await history).prompts.map((p) => [p.positive, p.pointWorldRas])).toEqual([
      [true, liver],
      [false, [liver[0] - 30, liver[1], liver[2]]],
    ])
    ;[a, b] = await Promise.all([atAlice, atBob])
    expect(sameBytes(bytes(a.mesh), bytes(b.mesh))).toBe(true)
    const undone = next(bob, 'segment:mesh', (u) => u.segmentId === segmentId && u.promptSeqs.length === 1)
    expect(expectOk(await call(alice, 'segment:undo', { segmentId }))).toMatchObject({
      promptCount: 1,
      redoCount: 1,
    })
    const afterUndo = await undone

    // Concurrent prompts on both nodes: none is lost, both nodes end on the same log and mesh.
    const finalAtAlice = next(
      alice,
      'segment:mesh',
      (u) => u.segmentId === segmentId && u.promptSeqs.length === 3,
    )
    const finalAtBob = next(
      bob,
      'segment:mesh',
      (u) => u.segmentId === segmentId && u.promptSeqs.length === 3,
    )
    const [pa, pb] = await Promise.all([
      call(alice, 'segment:prompt', {
        segmentId,
        pointWorldRas: [liver[0] + 6, liver[1], liver[2]],
        positive: true,
      }),
      call(bob, 'segment:prompt', {
        segmentId,
        pointWorldRas: [liver[0], liver[1] + 6, liver[2]],
        positive: true,
      }),
    ])
    expect(expectOk(pa).seq).not.toBe(expectOk(pb).seq)
    const [fa, fb] = await Promise.all([finalAtAlice, finalAtBob])
    expect(fa.promptSeqs).toEqual(fb.promptSeqs)
    expect(sameBytes(bytes(fa.mesh), bytes(fb.mesh))).toBe(true)
    expect(sameBytes(bytes(fa.mesh), bytes(afterUndo.mesh))).toBe(false)

    // A late joiner on node 2 gets every segment, the prompt log and the latest mesh.
    await node2.server.ctx.queue.idle()
    const carol = await connect(node2.url)
    const late = expectOk(await call(carol, 'room:join', { roomId, token })).snapshot
    expect(late.segments).toHaveLength(1)
    expect(late.segments[0].prompts.map((p) => p.seq)).toEqual(fa.promptSeqs)
    expect(sameBytes(bytes(late.segments[0].mesh!.mesh), bytes(fa.mesh))).toBe(true)

    // Presence crosses nodes.
    const pose = {
      position: [1, 2, 3] as Vec3,
      orientation: [0, 0, 0, 1] as [number, number, number, number],
    }
    const relayed = next(alice, 'presence')
    carol.emit('presence:update', { head: pose })
    expect(await relayed).toMatchObject({ head: pose })
  })
})
