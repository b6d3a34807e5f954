/**
 * Crop extension (issue 6: "a mask that touches the crop border triggers a second crop"), end to end
 * over real Socket.IO connections to a real server with the golden-weight model and crop extension on
 * (the default): a liver click on the demo CT, whose golden-model mask touches five faces of the 128³
 * crop where the CT continues and one where it ends, is extended through neighbouring crops; the
 * received mesh equals the same steps done directly through the runtime; undo/redo replay it byte for
 * byte; a crop covering a whole synthetic volume extends nothing. Plus the helpers on real geometry.
 */
import { decodeMesh, decoderReadyPromise, maskToMesh } from '@fastsam-xr/mesh'
import type { CropFace, MeshUpdate, PromptRecord, Vec3 } from '@fastsam-xr/protocol'
import { Segmenter, type EncodedCrop } from '@fastsam-xr/runtime'
import {
  applyAffine,
  canonicalResampledGrid,
  encodeNifti,
  pasteCropMask,
  readVolume,
  worldToCropIndex,
  type Volume,
} from '@fastsam-xr/volume'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { goldenModelDir } from '../../test/support/goldenModel.ts'
import { repoRoot, sharedData } from '../../test/support/paths.ts'
import {
  connectedToSeeds,
  continuingFaces,
  copyBox,
  cropBoxInVolume,
  EMPTY_MASK_STATE,
  extendAcrossFaces,
  foldPrompts,
  MAX_EXTENSION_CROPS,
  planExtension,
  restoreBox,
  shiftLogits,
  unionCropMask,
} from '@fastsam-xr/session'
import { ConfigError, loadConfig } from '../src/index.ts'
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

const S = 128
let segmenter: Segmenter
let server: TestServer
let ct: Volume
let liver: Vec3
let alice: Client

beforeAll(async () => {
  segmenter = await Segmenter.load(await goldenModelDir('fastsam3d'))
  server = await startTestServer({ segmenter }) // crop extension: the default (on)
  expect(server.server.ctx.config.cropExtension).toBe(true)
  ct = await readVolume(join(repoRoot, 'server', 'demo', 'example_ct.nii.gz'))
  liver = organPoint(await readVolume(sharedData('volumes', 'totalsegmentator', 'example_ct_seg.nii.gz')), 5)
  await decoderReadyPromise
  alice = await connect(server.url)
  expectOk(await call(alice, 'case:open', { caseId: 'demo' }))
})

afterAll(async () => {
  disconnectAll()
  await server?.close()
  await segmenter?.release()
})

/** Inside voxels of a size³ crop mask on each face, by the definition (no shared code). */
function faceCounts(cropMask: Uint8Array): Map<string, number> {
  const counts = new Map<string, number>()
  for (let q = 0; q < cropMask.length; q++) {
    if (!cropMask[q]) continue
    const idx = [Math.floor(q / (S * S)), Math.floor(q / S) % S, q % S]
    idx.forEach((v, axis) => {
      const key = v === 0 ? `${axis}-` : v === S - 1 ? `${axis}+` : null
      if (key) counts.set(key, (counts.get(key) ?? 0) + 1)
    })
  }
  return counts
}

const key = (f: CropFace): string => `${f.axis}${f.side < 0 ? '-' : '+'}`

/**
 * The mask the issue asks for, step by step through the runtime: the clicks decoded in the first
 * click's crop; then for each face the crop mask touches where the CT continues (most touched first,
 * at most MAX_EXTENSION_CROPS): the neighbouring crop (planExtension), one decoder pass with the seed
 * and the clicks inside it and the overlapping logits, its part 6-connected to the overlap's shared
 * inside voxels pasted onto an empty volume and OR-ed in.
 */
async function directExtendedMask(
  points: { p: Vec3; positive: boolean }[],
): Promise<{ mask: Uint8Array; primary: EncodedCrop; faces: CropFace[]; counts: Map<string, number> }> {
  const primary = await segmenter.encode(ct, points[0].p)
  let logits: Float32Array | undefined
  for (const { p, positive } of points)
    logits = (await segmenter.decode(primary, [{ pointWorldRas: p, positive }], logits)).lowResLogits
  const cropMask = segmenter.cropMask(logits!)
  const mask = pasteCropMask(cropMask, primary.crop, ct)
  const counts = faceCounts(cropMask)
  const dims = canonicalResampledGrid(ct, 1.5).canonical.dims
  const start = primary.crop.start
  const faces = [...counts.entries()]
    .filter(([k]) => {
      const axis = Number(k[0])
      return k[1] === '-' ? start[axis] > 0 : start[axis] + S < dims[axis]
    })
    .sort((a, b) => b[1] - a[1])
    .slice(0, MAX_EXTENSION_CROPS)
    .map(([k]) => ({ axis: Number(k[0]) as 0 | 1 | 2, side: k[1] === '-' ? (-1 as const) : (1 as const) }))
  for (const face of faces) {
    const plan = planExtension(cropMask, S, face)!
    const ext = await segmenter.encode(
      ct,
      applyAffine(primary.crop.cropAffine, plan.offset.map((o) => o + S / 2) as Vec3),
    )
    expect(ext.crop.start).toEqual(start.map((s, a) => s + plan.offset[a]))
    const inside = points.filter(({ p }) =>
      worldToCropIndex(ext.crop, p).every((v) => v >= -0.5 && v < S - 0.5),
    )
    const decoded = await segmenter.decode(
      ext,
      [
        { pointWorldRas: applyAffine(primary.crop.cropAffine, plan.seed), positive: true },
        ...inside.map(({ p, positive }) => ({ pointWorldRas: p, positive })),
      ],
      shiftLogits(logits!, 32, plan.offset, 4),
    )
    const seeds = new Uint8Array(S ** 3)
    for (let q = 0; q < seeds.length; q++) {
      const idx = [
        Math.floor(q / (S * S)) + plan.offset[0],
        (Math.floor(q / S) % S) + plan.offset[1],
        (q % S) + plan.offset[2],
      ]
      if (idx.every((v) => v >= 0 && v < S)) seeds[q] = cropMask[S * S * idx[0] + S * idx[1] + idx[2]]
    }
    const kept = pasteCropMask(
      connectedToSeeds(segmenter.cropMask(decoded.lowResLogits), seeds, S),
      ext.crop,
      ct,
    )
    for (let q = 0; q < mask.length; q++) mask[q] |= kept[q]
  }
  return { mask, primary, faces, counts }
}

/** The received mesh equals marching cubes over `mask` on the CT grid, vertex for vertex. */
function expectMeshOf(update: MeshUpdate, mask: Uint8Array, volume: Volume): void {
  const received = decodeMesh(bytes(update.mesh), { normals: false })
  const expected = maskToMesh(mask, volume.dims, volume.affine, { normals: false })
  expect(received.indices.length).toBe(expected.indices.length)
  expect(sameBytes(received.positions, expected.positions)).toBe(true)
  expect(sameBytes(received.indices, expected.indices)).toBe(true)
  let voxels = 0
  for (const v of mask) voxels += v
  expect(update.voxels).toBe(voxels)
}

describe('extending a mask across the crop faces it touches', () => {
  let segmentId: string
  let first: MeshUpdate
  let second: MeshUpdate
  const clicks = (): { p: Vec3; positive: boolean }[] => [
    { p: liver, positive: true },
    { p: [liver[0] - 30, liver[1], liver[2]], positive: false },
  ]
  const serverMask = (): Uint8Array => {
    const room = server.server.ctx.rooms.all().find((r) => r.segments.has(segmentId))!
    return room.segment(segmentId).state.mask!
  }

  it('a liver click: the update reports the extended faces, the mask reaches beyond the crop and equals the direct steps', async () => {
    segmentId = expectOk(await call(alice, 'segment:create', { name: 'liver' })).segment.segmentId
    const mesh = next(alice, 'segment:mesh', (u) => u.segmentId === segmentId)
    expectOk(await call(alice, 'segment:prompt', { segmentId, pointWorldRas: liver, positive: true }))
    first = await mesh
    const direct = await directExtendedMask(clicks().slice(0, 1))
    expect(first.touchesCropBorder).toBe(true)
    expect(first.extendedFaces).toEqual(direct.faces)
    expect(first.extendedFaces).toHaveLength(MAX_EXTENSION_CROPS)
    expect(first.timings.extendMs).toBeGreaterThan(0)
    expect(first.timings.totalMs).toBeGreaterThanOrEqual(first.timings.extendMs)
    // The crop reaches past the CT's superior end (canonical a2 high): that face is touched by more
    // voxels than the second face extended, yet it is not extended (nothing lies beyond it).
    const dims = canonicalResampledGrid(ct, 1.5).canonical.dims
    expect(direct.primary.crop.start[2] + S).toBeGreaterThanOrEqual(dims[2])
    const secondExtended = direct.counts.get(key(first.extendedFaces[1]))!
    expect(direct.counts.get('2+')).toBeGreaterThan(secondExtended)
    expect(first.extendedFaces.map(key)).not.toContain('2+')

    expect(sameBytes(serverMask(), direct.mask)).toBe(true)
    expectMeshOf(first, direct.mask, ct)
    // Voxels outside the first crop's box: the extension added them.
    const box = cropBoxInVolume(direct.primary.crop, ct)!
    let beyond = 0
    for (let k = 0, q = 0; k < ct.dims[2]; k++)
      for (let j = 0; j < ct.dims[1]; j++)
        for (let i = 0; i < ct.dims[0]; i++, q++) {
          const inBox = [i, j, k].every((v, a) => v >= box.origin[a] && v < box.origin[a] + box.size[a])
          if (!inBox && direct.mask[q]) beyond++
        }
    expect(beyond).toBeGreaterThan(1000)
  })

  it('a refining click re-extends from the refined result; undo and redo replay it byte for byte', async () => {
    let mesh = next(alice, 'segment:mesh', (u) => u.segmentId === segmentId)
    const [, neg] = clicks()
    expectOk(await call(alice, 'segment:prompt', { segmentId, pointWorldRas: neg.p, positive: false }))
    second = await mesh
    const direct = await directExtendedMask(clicks())
    expect(second.extendedFaces).toEqual(direct.faces)
    expect(sameBytes(serverMask(), direct.mask)).toBe(true)
    expectMeshOf(second, direct.mask, ct)

    mesh = next(alice, 'segment:mesh', (u) => u.segmentId === segmentId)
    expectOk(await call(alice, 'segment:undo', { segmentId }))
    const undone = await mesh
    expect(sameBytes(bytes(undone.mesh), bytes(first.mesh))).toBe(true)
    expect(undone.extendedFaces).toEqual(first.extendedFaces)

    mesh = next(alice, 'segment:mesh', (u) => u.segmentId === segmentId)
    expectOk(await call(alice, 'segment:redo', { segmentId }))
    const redone = await mesh
    expect(sameBytes(bytes(redone.mesh), bytes(second.mesh))).toBe(true)
    expect(sameBytes(serverMask(), direct.mask)).toBe(true)
  })

  it('the fold continued prompt by prompt equals the fold from scratch, across a crop switch', async () => {
    const log: PromptRecord[] = [
      ...clicks().map((c, n) => ({ seq: n + 1, pointWorldRas: c.p, positive: c.positive, clientId: 'a' })),
      { seq: 3, pointWorldRas: [liver[0], liver[1], liver[2] - 105], positive: true, clientId: 'a' },
    ]
    const opts = { extendCrops: true }
    let state = EMPTY_MASK_STATE
    for (let n = 1; n <= log.length; n++)
      state = (await foldPrompts(segmenter, ct, state, log.slice(0, n), opts)).state
    const scratch = (await foldPrompts(segmenter, ct, EMPTY_MASK_STATE, log, opts)).state
    expect(state.extendedFaces).toEqual(scratch.extendedFaces)
    expect(sameBytes(state.mask!, scratch.mask!)).toBe(true)
  })

  it('a crop that covers the whole volume extends nothing, though its mask touches its faces', async () => {
    // 64³ voxels at 3 mm = 128³ at the model's 1.5 mm: a click at the centre gets a crop starting at
    // canonical voxel 0 on every axis, so each face of the crop is a face of the volume.
    const n = 64
    const data = new Int16Array(n ** 3)
    for (let k = 0; k < n; k++)
      for (let j = 0; j < n; j++)
        for (let i = 0; i < n; i++) data[i + n * (j + n * k)] = 100 + ((i * 7 + j * 3 + k * 5) % 50)
    const affine = Float64Array.from([3, 0, 0, 0, 0, 3, 0, 0, 0, 0, 3, 0, 0, 0, 0, 1])
    mkdirSync(join(server.dataDir, 'cases'), { recursive: true })
    writeFileSync(
      join(server.dataDir, 'cases', 'whole.nii'),
      encodeNifti({ data, dims: [n, n, n], affine, dtype: 'int16', meta: { modality: 'CT' } }),
    )
    const volume: Volume = { data, dims: [n, n, n], affine, dtype: 'int16', meta: {} } as unknown as Volume
    const c = await connect(server.url)
    expectOk(await call(c, 'case:open', { caseId: 'data-whole' }))
    const { segmentId: id } = expectOk(await call(c, 'segment:create', {})).segment
    const centre: Vec3 = [94.5, 94.5, 94.5]
    const mesh = next(c, 'segment:mesh', (u) => u.segmentId === id)
    expectOk(await call(c, 'segment:prompt', { segmentId: id, pointWorldRas: centre, positive: true }))
    const update = await mesh
    const encoded = await segmenter.encode(volume, centre)
    expect(encoded.crop.start).toEqual([0, 0, 0])
    const logits = (await segmenter.decode(encoded, [{ pointWorldRas: centre, positive: true }])).lowResLogits
    const cropMask = segmenter.cropMask(logits)
    expect(faceCounts(cropMask).size).toBeGreaterThan(0)
    expect(update.touchesCropBorder).toBe(true)
    expect(update.extendedFaces).toEqual([])
    expectMeshOf(update, pasteCropMask(cropMask, encoded.crop, volume), volume)
    c.disconnect()
  })
})

describe('extension helpers on real geometry', () => {
  it('neighbouring crops sit where planned, in world RAS: across the anterior face is 96 mm anterior', async () => {
    const encoded = await segmenter.encode(ct, liver)
    const cropMask = segmenter.cropMask(
      (await segmenter.decode(encoded, [{ pointWorldRas: liver, positive: true }])).lowResLogits,
    )
    const faces = continuingFaces(cropMask, encoded.crop, ct).map((f) => key(f.face))
    expect(faces).not.toContain('2+') // the crop passes the CT's superior end
    expect(faces).toContain('1+')
    const plan = planExtension(cropMask, S, { axis: 1, side: 1 })!
    expect(plan.offset[1]).toBe(64)
    expect(plan.offset.every((o) => o % 16 === 0)).toBe(true)
    expect(plan.seed[1]).toBe(S - 1)
    expect(cropMask[S * S * plan.seed[0] + S * plan.seed[1] + plan.seed[2]]).toBe(1)
    const ext = await segmenter.encode(
      ct,
      applyAffine(encoded.crop.cropAffine, plan.offset.map((o) => o + 64) as Vec3),
    )
    // Crop index (64,64,64) of each: the canonical axes are R, A, S at 1.5 mm, so the centres differ
    // by 1.5 mm × offset, anterior (+y) along axis 1. An axis flip anywhere would change the sign.
    const a = applyAffine(encoded.crop.cropAffine, [64, 64, 64])
    const b = applyAffine(ext.crop.cropAffine, [64, 64, 64])
    expect(b[1] - a[1]).toBeCloseTo(96, 6)
    expect(b[0] - a[0]).toBeCloseTo(1.5 * plan.offset[0], 6)
    expect(b[2] - a[2]).toBeCloseTo(1.5 * plan.offset[2], 6)
    // The seed is inside both crops, on the neighbour's overlap slab.
    const seedWorld = applyAffine(encoded.crop.cropAffine, plan.seed)
    const inExt = worldToCropIndex(ext.crop, seedWorld)
    expect(inExt[1]).toBeCloseTo(S - 1 - 64, 6)
  })

  it('a neighbouring crop with no tissue to normalise is skipped, not an error', async () => {
    // 128×32×32 voxels at 3 mm: tissue in i < 32 (x < 96 mm), air beyond. The crop centred at x = 96
    // starts at canonical voxel 1, so both a0 faces continue; the neighbour across the high one
    // (x ≥ 97.5 mm) holds only air (DEGENERATE_CROP), the one across the low face holds tissue.
    const [nx, ny, nz] = [128, 32, 32]
    const data = new Int16Array(nx * ny * nz).fill(-1000)
    for (let k = 0; k < nz; k++)
      for (let j = 0; j < ny; j++)
        for (let i = 0; i < 32; i++) data[i + nx * (j + ny * k)] = 100 + ((i * 7 + j * 3 + k * 5) % 50)
    const affine = Float64Array.from([3, 0, 0, 0, 0, 3, 0, 0, 0, 0, 3, 0, 0, 0, 0, 1])
    const volume = { data, dims: [nx, ny, nz], affine, dtype: 'int16', meta: {} } as unknown as Volume
    const p: Vec3 = [96, 46.5, 46.5]
    const encoded = await segmenter.encode(volume, p)
    expect(encoded.crop.start[0]).toBe(1)
    const logits = (await segmenter.decode(encoded, [{ pointWorldRas: p, positive: true }])).lowResLogits
    const cropMask = segmenter.cropMask(logits)
    expect(continuingFaces(cropMask, encoded.crop, volume).map((f) => key(f.face))).toEqual(['0-', '0+'])
    const extensions = await extendAcrossFaces(segmenter, volume, encoded, logits, cropMask, [])
    expect(extensions.map((e) => key(e.face))).toEqual(['0-'])
  })

  it('the union paste adds exactly the crop mask pasted on an empty volume; a box copy restores', async () => {
    const encoded = await segmenter.encode(ct, liver)
    const cropMask = new Uint8Array(S ** 3)
    for (let q = 0; q < cropMask.length; q++) cropMask[q] = (q * 2654435761) % 7 === 0 ? 1 : 0
    const base = new Uint8Array(ct.data.length)
    for (let q = 0; q < base.length; q++) base[q] = q % 5 === 0 ? 1 : 0
    const into = base.slice()
    unionCropMask(cropMask, encoded.crop, ct, into)
    const pasted = pasteCropMask(cropMask, encoded.crop, ct)
    let differs = 0
    for (let q = 0; q < into.length; q++) if (into[q] !== (base[q] | pasted[q])) differs++
    expect(differs).toBe(0)
    const box = cropBoxInVolume(encoded.crop, ct)!
    const saved = copyBox(base, ct.dims, box)
    restoreBox(into, ct.dims, box, saved)
    expect(sameBytes(into, base)).toBe(true) // the union changed nothing outside the crop's box
  })

  it('only the part 6-connected to the seeds is kept', () => {
    const n = 8
    const at = (a: number, b: number, c: number): number => n * n * a + n * b + c
    const mask = new Uint8Array(n ** 3)
    const seed = new Uint8Array(n ** 3)
    for (let c = 0; c < 4; c++) mask[at(1, 1, c)] = 1 // a rod from the seed
    mask[at(2, 2, 4)] = 1 // touches the rod's end diagonally only: not 6-connected
    mask[at(6, 6, 6)] = mask[at(6, 6, 7)] = 1 // a blob elsewhere
    seed[at(1, 1, 0)] = 1
    seed[at(5, 5, 5)] = 1 // a seed outside the mask seeds nothing
    const kept = connectedToSeeds(mask, seed, n)
    expect([...kept.keys()].filter((q) => kept[q])).toEqual([0, 1, 2, 3].map((c) => at(1, 1, c)))
  })

  it('shifted logits: the overlap carries the first crop’s cells, the rest is 0', () => {
    const L = 4
    const logits = Float32Array.from({ length: L ** 3 }, (_, q) => q + 1)
    const shifted = shiftLogits(logits, L, [8, 0, -4], 4) // 2 cells along a0, −1 along a2
    expect(shifted[L * L * 0 + L * 1 + 1]).toBe(logits[L * L * 2 + L * 1 + 0])
    expect(shifted[L * L * 2 + 0 + 1]).toBe(0) // a0 + 2 = 4: past the first crop
    expect(shifted[0]).toBe(0) // a2 − 1 < 0
    expect(() => shiftLogits(logits, L, [2, 0, 0], 4)).toThrow(RangeError)
  })
})

describe('configuration', () => {
  it('on by default; FASTSAM_CROP_EXTENSION or --crop-extension (the flag wins) turn it off; bad values are refused', () => {
    expect(loadConfig([], {}).cropExtension).toBe(true)
    expect(loadConfig([], { FASTSAM_CROP_EXTENSION: 'off' }).cropExtension).toBe(false)
    expect(loadConfig(['--crop-extension', 'on'], { FASTSAM_CROP_EXTENSION: 'off' }).cropExtension).toBe(true)
    expect(loadConfig(['--crop-extension=off'], {}).cropExtension).toBe(false)
    expect(() => loadConfig([], { FASTSAM_CROP_EXTENSION: 'yes' })).toThrow(ConfigError)
    expect(() => loadConfig(['--crop-extension', 'maybe'], {})).toThrow(/--crop-extension expects on or off/)
  })
})
