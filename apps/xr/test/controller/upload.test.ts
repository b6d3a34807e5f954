/**
 * The client's chunked uploader against a real server over a real socket.io-client connection: a
 * NIfTI arrives whole even when the connection drops mid-way (it resumes from the server's byte
 * count), the uploaded case opens, and refusals carry the server's own message and code.
 */
import { readFileSync } from 'node:fs'
import { io } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sharedData } from '../../../../test/support/paths.ts'
import { startTestServer, type TestServer } from '../../../../server/test/support.ts'
import { request, RequestError, type ClientSocket } from '../../src/controller/request.ts'
import { uploadBlob, uploadFormatOf } from '../../src/controller/upload.ts'

let server: TestServer
let limited: TestServer
const sockets: ClientSocket[] = []

/** A client that reconnects by itself, like the app's (quickly, for the test), with the site key. */
async function client(s: TestServer): Promise<ClientSocket> {
  const socket: ClientSocket = io(s.url, {
    transports: ['websocket'],
    forceNew: true,
    auth: { siteKey: s.siteKey },
    reconnectionDelay: 50,
    reconnectionDelayMax: 200,
  })
  sockets.push(socket)
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('connect_error', reject)
  })
  return socket
}

beforeAll(async () => {
  server = await startTestServer({ segmenter: null })
  limited = await startTestServer({ segmenter: null, env: { FASTSAM_MAX_UPLOAD_BYTES: '100000' } })
})

afterAll(async () => {
  for (const s of sockets) s.disconnect()
  await server?.close()
  await limited?.close()
})

describe('uploadBlob', () => {
  it('resumes after the connection drops mid-upload and the case opens', async () => {
    const file = readFileSync(sharedData('volumes', 'totalsegmentator', 'example_ct_sm_img.nii.gz'))
    const socket = await client(server)
    const progress: number[] = []
    const resumedAt: number[] = []
    let dropped = false
    const summary = await uploadBlob(socket, new Blob([file]), 'nifti', {
      chunkBytes: 64 * 1024,
      onProgress: (received) => {
        progress.push(received)
        // the transport dies after the second chunk, while the third is being sent
        if (!dropped && received === 2 * 64 * 1024) {
          dropped = true
          setTimeout(() => socket.io.engine.close(), 0)
        }
      },
      onResume: (received) => resumedAt.push(received),
    })
    expect(dropped).toBe(true)
    expect(resumedAt.length).toBeGreaterThanOrEqual(1)
    expect(resumedAt[0]).toBeGreaterThanOrEqual(2 * 64 * 1024)
    expect(progress.at(-1)).toBe(file.length)
    // every acknowledged count moves forward: no chunk went twice, none was skipped
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThan(progress[i - 1])
    expect(summary.kind).toBe('upload')
    const opened = await request(socket, 'case:open', { caseId: summary.caseId })
    expect(opened.snapshot.case.dims).toEqual([122, 101, 30])
  })

  it('refuses a file the server cannot read with the server message', async () => {
    const socket = await client(server)
    const junk = new Uint8Array(5000).map((_, i) => (i * 31) & 0xff)
    const err = await uploadBlob(socket, new Blob([junk]), 'nifti').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RequestError)
    expect((err as RequestError).code).toBe('unsupported-format')
    expect((err as RequestError).message.length).toBeGreaterThan(5)
  })

  it('refuses an upload over the server limit before sending it', async () => {
    const socket = await client(limited)
    const file = readFileSync(sharedData('volumes', 'totalsegmentator', 'example_ct_sm_img.nii.gz'))
    const err = await uploadBlob(socket, new Blob([file]), 'nifti').catch((e: unknown) => e)
    expect((err as RequestError).code).toBe('too-large')
    expect((err as RequestError).message).toContain('100000')
  })

  it('names the upload format from the file name', () => {
    expect(uploadFormatOf('CT.NII.GZ')).toBe('nifti')
    expect(uploadFormatOf('a.nii')).toBe('nifti')
    expect(uploadFormatOf('series.zip')).toBe('dicom-zip')
    expect(uploadFormatOf('scan.dcm')).toBeNull()
    expect(uploadFormatOf('notes.txt')).toBeNull()
  })
})
