/**
 * One segmentation core: the same clicks in the same order give the same mask, byte for byte, through the
 * three callers of `@fastsam-xr/session` — a real server over Socket.IO (what the headset gets), the
 * `fastsam-xr segment` bin as a child process, and the evaluation's session predictor — for the golden
 * FastSAM3D export (newest click per pass) and the shipped default model (every click per pass). The clicks
 * on the demo CT exercise the fold's three paths: a liver click opens a crop (whose golden-model mask is
 * extended across crop faces), a negative refines it, and a liver click outside that crop re-centres.
 */
import { decodeMesh, decoderReadyPromise, maskToMesh } from '@fastsam-xr/mesh'
import { sessionPredictor } from '@fastsam-xr/eval'
import type { MeshUpdate, Vec3 } from '@fastsam-xr/protocol'
import { Segmenter, type EncodedCrop } from '@fastsam-xr/runtime'
import { SHIPPED_MODEL_DIR } from '@fastsam-xr/runtime/node'
import { applyAffine, readVolume, worldToCropIndex, type Volume } from '@fastsam-xr/volume'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  bytes,
  call,
  connect,
  disconnectAll,
  expectOk,
  next,
  sameBytes,
  startTestServer,
  type TestServer,
} from '../server/test/support.ts'
import { goldenModelDir } from './support/goldenModel.ts'
import { labelPoint } from './support/labelPoint.ts'
import { repoRoot, sharedData } from './support/paths.ts'

const LIVER = 5
const bin = join(repoRoot, 'apps', 'cli', 'bin', 'fastsam-xr.js')
let work: string
let ct: Volume
let seg: Volume

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'fastsam-same-mask-'))
  ct = await readVolume(join(repoRoot, 'server', 'demo', 'example_ct.nii.gz'))
  seg = await readVolume(sharedData('volumes', 'totalsegmentator', 'example_ct_seg.nii.gz'))
  await decoderReadyPromise
})

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true })
})

/**
 * Three clicks as crop indices of the first crop (the evaluation's currency), and the same clicks in world
 * RAS (the server's and the CLI's): the liver voxel nearest its centroid (crop centre), a negative 20 voxels
 * (30 mm) beside it, and the liver voxel nearest the crop that lies ≥ 8 voxels outside it.
 */
function clicksIn(first: EncodedCrop): { point: Vec3; positive: boolean; world: Vec3 }[] {
  let outside: Vec3 | null = null
  let best = Infinity
  const [nx, ny, nz] = seg.dims
  for (let k = 0, q = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, q++) {
        if (seg.data[q] !== LIVER) continue
        const c = worldToCropIndex(first.crop, applyAffine(seg.affine, [i, j, k])).map(Math.round) as Vec3
        const d = Math.max(...c.map((v) => Math.abs(v - 64)))
        if (d >= 72 && d < best) [best, outside] = [d, c]
      }
  expect(outside).not.toBeNull()
  const points: { point: Vec3; positive: boolean }[] = [
    { point: [64, 64, 64], positive: true },
    { point: [64, 64, 84], positive: false },
    { point: outside!, positive: true },
  ]
  return points.map((p) => ({ ...p, world: applyAffine(first.crop.cropAffine, p.point) }))
}

describe.each([
  ['the golden FastSAM3D export', () => goldenModelDir('fastsam3d')],
  ['the shipped default model', async () => SHIPPED_MODEL_DIR],
])('%s: server, CLI and evaluation fold the same clicks into the same mask', (_name, modelDir) => {
  let model: string
  let segmenter: Segmenter
  let server: TestServer
  let clicks: { point: Vec3; positive: boolean; world: Vec3 }[]
  let evalMask: Uint8Array
  let evalCrops: number

  beforeAll(async () => {
    model = await modelDir()
    segmenter = await Segmenter.load(model)
    const first = await segmenter.encode(ct, labelPoint(seg, LIVER))
    clicks = clicksIn(first)
    // 1. the evaluation's predictor (clicks in crop indices, crop extension on as the server's default)
    const { predict, session } = sessionPredictor(segmenter, ct, first.crop, { extendCrops: true })
    const encodings = new Set<EncodedCrop>()
    for (const [k, c] of clicks.entries()) {
      await predict({ point: c.point, positive: c.positive, method: 'random' }, k)
      encodings.add(session.state.encoded!)
    }
    evalMask = session.mask!.slice()
    evalCrops = encodings.size
    server = await startTestServer({ segmenter })
  })

  afterAll(async () => {
    disconnectAll()
    await server?.close()
    await segmenter?.release()
  })

  it('the clicks re-centre the crop once (the third lies outside the first crop)', () => {
    expect(evalCrops).toBe(2)
    let voxels = 0
    for (const v of evalMask) voxels += v
    expect(voxels).toBeGreaterThan(100)
  })

  it('the server (Socket.IO, crop extension on by default) holds and sends that mask', async () => {
    expect(server.server.ctx.config.cropExtension).toBe(true)
    const alice = await connect(server.url)
    expectOk(await call(alice, 'case:open', { caseId: 'demo' }))
    const segmentId = expectOk(await call(alice, 'segment:create', { name: 'liver' })).segment.segmentId
    let mesh: Promise<MeshUpdate> | null = null
    for (const c of clicks) {
      mesh = next(
        alice,
        'segment:mesh',
        (u) => u.segmentId === segmentId && u.promptSeqs.length === clicks.length,
      )
      expectOk(
        await call(alice, 'segment:prompt', { segmentId, pointWorldRas: c.world, positive: c.positive }),
      )
    }
    const update = await mesh!
    const room = server.server.ctx.rooms.all().find((r) => r.segments.has(segmentId))!
    expect(sameBytes(room.segment(segmentId).state.mask!, evalMask)).toBe(true)
    // and what travels is that mask: the received mesh is marching cubes over it, vertex for vertex
    const received = decodeMesh(bytes(update.mesh), { normals: false })
    const expected = maskToMesh(evalMask, ct.dims, ct.affine, { normals: false })
    expect(sameBytes(received.positions, expected.positions)).toBe(true)
    expect(sameBytes(received.indices, expected.indices)).toBe(true)
  })

  it('`fastsam-xr segment` with the clicks as --point/--negative in order writes that mask', async () => {
    const out = join(work, `${segmenter.manifest.name}.nii.gz`)
    const flags = clicks.flatMap((c) => [c.positive ? '--point' : '--negative', c.world.join(',')])
    const r = spawnSync(
      process.execPath,
      [
        bin,
        'segment',
        join(repoRoot, 'server', 'demo', 'example_ct.nii.gz'),
        '--model',
        model,
        ...flags,
        '--out',
        out,
        '--json',
      ],
      { cwd: repoRoot, encoding: 'utf8' },
    )
    expect(r.status, r.stderr).toBe(0)
    const report = JSON.parse(r.stdout)
    expect(report.crops).toBe(2)
    expect(report.cropExtension).toBe(true)
    const written = await readVolume(out)
    expect(sameBytes(written.data as Uint8Array, evalMask)).toBe(true)
  })
})
