/**
 * Chunked uploads over real Socket.IO: progress, resumption after a reconnect, the uploaded case
 * opened like any other (and listed only to its uploader), zipped DICOM series, size / voxel
 * limits (per connection even when begins are pipelined, and server-wide declared bytes), corrupt
 * files, and an abandoned upload leaving nothing behind.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { zipSync } from 'fflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sharedData } from '../../test/support/paths.ts'
import {
  call,
  connect,
  disconnectAll,
  expectOk,
  startTestServer,
  type Client,
  type TestServer,
} from './support.ts'

let server: TestServer
let limited: TestServer

beforeAll(async () => {
  server = await startTestServer({ segmenter: null, env: { FASTSAM_UPLOAD_RESUME_S: '1' } })
  limited = await startTestServer({
    segmenter: null,
    env: {
      FASTSAM_MAX_VOXELS: '300000',
      FASTSAM_MAX_UPLOAD_BYTES: '600000',
      FASTSAM_UPLOAD_DISK_BYTES: '1000000',
      FASTSAM_UPLOAD_RESUME_S: '1',
    },
  })
})

afterAll(async () => {
  disconnectAll()
  await server?.close()
  await limited?.close()
})

const CHUNK = 128 * 1024

async function sendChunks(
  c: Client,
  uploadId: string,
  file: Uint8Array,
  from: number,
  until = file.length,
): Promise<number[]> {
  const progress: number[] = []
  for (let offset = from; offset < until; offset += CHUNK) {
    const data = file.subarray(offset, Math.min(offset + CHUNK, until))
    progress.push(expectOk(await call(c, 'upload:chunk', { uploadId, offset, data })).received)
  }
  return progress
}

const partFiles = (s: TestServer): string[] =>
  existsSync(join(s.dataDir, 'uploads')) ? readdirSync(join(s.dataDir, 'uploads')) : []

describe('uploads', () => {
  it('a NIfTI upload resumes after a reconnect and opens as a case only its uploader lists', async () => {
    const file = new Uint8Array(
      readFileSync(sharedData('volumes', 'totalsegmentator', 'example_ct_sm_img.nii.gz')),
    )
    let c = await connect(server.url)
    const begun = expectOk(await call(c, 'upload:begin', { format: 'nifti', size: file.length }))
    expect(begun.received).toBe(0)
    const half = Math.floor(file.length / 2 / CHUNK) * CHUNK
    const progress = await sendChunks(c, begun.uploadId, file, 0, half)
    expect(progress).toEqual(progress.map((_, n) => (n + 1) * CHUNK))
    // A chunk at the wrong offset is refused and changes nothing.
    const gap = await call(c, 'upload:chunk', {
      uploadId: begun.uploadId,
      offset: half + 5,
      data: file.subarray(0, 10),
    })
    expect(gap).toMatchObject({ ok: false, error: { code: 'bad-request' } })

    c.disconnect()
    c = await connect(server.url)
    const resumed = expectOk(await call(c, 'upload:resume', { uploadId: begun.uploadId }))
    expect(resumed.received).toBe(half)
    await sendChunks(c, begun.uploadId, file, half)
    const finished = expectOk(await call(c, 'upload:finish', { uploadId: begun.uploadId }))
    expect(finished.case.kind).toBe('upload')
    expect(partFiles(server)).toEqual([]) // the temporary file is gone

    expect(expectOk(await call(c, 'cases:list', {})).cases.map((x) => x.caseId)).toContain(
      finished.case.caseId,
    )
    const other = await connect(server.url)
    expect(expectOk(await call(other, 'cases:list', {})).cases.map((x) => x.caseId)).not.toContain(
      finished.case.caseId,
    )
    const opened = expectOk(await call(c, 'case:open', { caseId: finished.case.caseId }))
    expect(opened.snapshot.case.dims).toEqual([122, 101, 30])
    expect(opened.snapshot.case.modality).toBe('CT')
  })

  it('a zipped DICOM series uploads and opens with its geometry', async () => {
    const dir = sharedData('dicom', 'totalsegmentator_example_ct_series')
    const zip = zipSync(
      Object.fromEntries(
        readdirSync(dir).map((f) => [`series/${f}`, new Uint8Array(readFileSync(join(dir, f)))]),
      ),
    )
    const c = await connect(server.url)
    const { uploadId } = expectOk(await call(c, 'upload:begin', { format: 'dicom-zip', size: zip.length }))
    await sendChunks(c, uploadId, zip, 0)
    const { case: summary } = expectOk(await call(c, 'upload:finish', { uploadId }))
    const opened = expectOk(await call(c, 'case:open', { caseId: summary.caseId }))
    expect(opened.snapshot.case.dims).toEqual([512, 512, 20])
    expect(opened.snapshot.slices.factor).toBe(2) // 512² × 20 is over the slice budget per axis
  })

  it('a corrupt file is refused with a typed error and leaves nothing', async () => {
    const c = await connect(server.url)
    const junk = new Uint8Array(5000).fill(7)
    for (const format of ['nifti', 'dicom-zip'] as const) {
      const { uploadId } = expectOk(await call(c, 'upload:begin', { format, size: junk.length }))
      await sendChunks(c, uploadId, junk, 0)
      expect(await call(c, 'upload:finish', { uploadId })).toMatchObject({
        ok: false,
        error: { code: 'unsupported-format' },
      })
      expect(await call(c, 'upload:resume', { uploadId })).toMatchObject({
        ok: false,
        error: { code: 'not-found' },
      })
    }
    expect(partFiles(server)).toEqual([])
  })

  it('an upload abandoned mid-way is deleted once its resume window passes', async () => {
    const c = await connect(server.url)
    const { uploadId } = expectOk(await call(c, 'upload:begin', { format: 'nifti', size: 1_000_000 }))
    await sendChunks(c, uploadId, new Uint8Array(2 * CHUNK), 0)
    expect(partFiles(server)).toHaveLength(1)
    c.disconnect()
    await new Promise((r) => setTimeout(r, 1500))
    expect(partFiles(server)).toEqual([])
    expect(server.server.ctx.uploads.size).toBe(0)
    const again = await connect(server.url)
    expect(await call(again, 'upload:resume', { uploadId })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    })
  })

  it('pipelined upload:begin cannot overrun the per-connection or the server-wide limits', async () => {
    const c = await connect(limited.url)
    // 30 begins sent at once: the slot is taken before the first await, so exactly 2 pass
    const replies = await Promise.all(
      Array.from({ length: 30 }, () => call(c, 'upload:begin', { format: 'nifti', size: 1000 })),
    )
    const accepted = replies.filter((r) => r.ok)
    expect(accepted).toHaveLength(2)
    expect(replies.filter((r) => !r.ok && r.error.code === 'too-large')).toHaveLength(28)
    expect(partFiles(limited)).toHaveLength(2)
    for (const r of accepted) if (r.ok) expectOk(await call(c, 'upload:abort', { uploadId: r.uploadId }))
    // the declared sizes of the uploads held, server-wide: 600 000 + 600 000 > 1 000 000
    const d = await connect(limited.url)
    const big = expectOk(await call(c, 'upload:begin', { format: 'nifti', size: 600_000 }))
    expect(await call(d, 'upload:begin', { format: 'nifti', size: 600_000 })).toMatchObject({
      ok: false,
      error: { code: 'too-large', message: expect.stringMatching(/no room/) },
    })
    expectOk(await call(c, 'upload:abort', { uploadId: big.uploadId }))
    const again = expectOk(await call(d, 'upload:begin', { format: 'nifti', size: 600_000 })) // room again
    expectOk(await call(d, 'upload:abort', { uploadId: again.uploadId }))
    expect(partFiles(limited)).toEqual([])
    d.disconnect()
    c.disconnect()
  })

  it('size and voxel budgets are enforced', async () => {
    const c = await connect(limited.url)
    expect(await call(c, 'upload:begin', { format: 'nifti', size: 600_001 })).toMatchObject({
      ok: false,
      error: { code: 'too-large' },
    })
    // 122 × 101 × 30 = 369 660 voxels > 300 000: refused by the reader before allocating.
    const file = new Uint8Array(
      readFileSync(sharedData('volumes', 'totalsegmentator', 'example_ct_sm_img.nii.gz')),
    )
    const { uploadId } = expectOk(await call(c, 'upload:begin', { format: 'nifti', size: file.length }))
    await sendChunks(c, uploadId, file, 0)
    expect(await call(c, 'upload:finish', { uploadId })).toMatchObject({
      ok: false,
      error: { code: 'too-large' },
    })
    // A chunk past the announced size is refused.
    const small = expectOk(await call(c, 'upload:begin', { format: 'nifti', size: 10 }))
    expect(
      await call(c, 'upload:chunk', { uploadId: small.uploadId, offset: 0, data: new Uint8Array(11) }),
    ).toMatchObject({
      ok: false,
      error: { code: 'too-large' },
    })
    expect(partFiles(limited)).toHaveLength(1)
    expectOk(await call(c, 'upload:abort', { uploadId: small.uploadId }))
    expect(partFiles(limited)).toEqual([])
  })
})
