/**
 * Restart: rooms persist as prompt logs (`<data>/rooms/<id>.json`, token kept only as its SHA-256);
 * a new server process on the same data folder lets the same token back in and replays the log into
 * the very same masks (mesh bytes identical), including the undo/redo state.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { MeshUpdate, Vec3 } from '@fastsam-xr/protocol'
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
} from './support.ts'

let segmenter: Segmenter
let liver: Vec3
const dataDir = mkdtempSync(join(tmpdir(), 'fastsam-restart-'))

beforeAll(async () => {
  segmenter = await Segmenter.load(await goldenModelDir('fastsam3d'))
  liver = organPoint(await readVolume(sharedData('volumes', 'totalsegmentator', 'example_ct_seg.nii.gz')), 5)
})

afterAll(async () => {
  disconnectAll()
  await segmenter?.release()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('restart', () => {
  it('replays the prompt log into identical meshes and keeps the token and the undo state', async () => {
    const first = await startTestServer({ segmenter, dataDir })
    const c = await connect(first.url)
    const { roomId, token } = expectOk(await call(c, 'case:open', { caseId: 'demo' }))
    const { segmentId } = expectOk(
      await call(c, 'segment:create', { name: 'liver', color: '#aa0000' }),
    ).segment
    const points: [Vec3, boolean][] = [
      [liver, true],
      [[liver[0] - 30, liver[1], liver[2]], false],
      [[liver[0] + 9, liver[1], liver[2]], true],
    ]
    let last: MeshUpdate | undefined
    for (const [p, positive] of points) {
      const mesh = next(c, 'segment:mesh', (u) => u.segmentId === segmentId)
      expectOk(await call(c, 'segment:prompt', { segmentId, pointWorldRas: p, positive }))
      last = await mesh
    }
    const undone = next(c, 'segment:mesh', (u) => u.segmentId === segmentId)
    expectOk(await call(c, 'segment:undo', { segmentId }))
    const before = await undone
    expect(sameBytes(bytes(before.mesh), bytes(last!.mesh))).toBe(false)
    c.disconnect()
    await first.close()

    // The record holds the log, not the token.
    const files = readdirSync(join(dataDir, 'rooms'))
    expect(files).toEqual([`${roomId}.json`])
    const stored = readFileSync(join(dataDir, 'rooms', files[0]), 'utf8')
    expect(stored).not.toContain(token)
    expect(JSON.parse(stored).tokenSha256).toBe(createHash('sha256').update(token).digest('hex'))

    const second = await startTestServer({ segmenter, dataDir })
    try {
      const d = await connect(second.url)
      const wrong = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')
      expect(await call(d, 'room:join', { roomId, token: wrong })).toMatchObject({
        ok: false,
        error: { code: 'forbidden' },
      })
      const replayed = next(d, 'segment:mesh', (u) => u.segmentId === segmentId, 120_000)
      const { snapshot } = expectOk(await call(d, 'room:join', { roomId, token }))
      expect(snapshot.segments).toHaveLength(1)
      expect(snapshot.segments[0].segment).toMatchObject({ name: 'liver', color: '#aa0000' })
      expect(snapshot.segments[0].prompts).toHaveLength(2)
      expect(snapshot.segments[0].redoCount).toBe(1)
      const after = await replayed
      expect(sameBytes(bytes(after.mesh), bytes(before.mesh))).toBe(true)
      expect(after.voxels).toBe(before.voxels)
      // The redo stack survived too: redo brings back the third prompt's mask.
      const redone = next(d, 'segment:mesh', (u) => u.segmentId === segmentId && u.promptSeqs.length === 3)
      expectOk(await call(d, 'segment:redo', { segmentId }))
      expect(sameBytes(bytes((await redone).mesh), bytes(last!.mesh))).toBe(true)
    } finally {
      await second.close()
    }
  })
})
