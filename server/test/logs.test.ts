/**
 * Structured logs carry ids, sizes and timings, never patient data: a data-folder case whose file
 * name is a patient's name, an upload, a room token — none of them may appear in the log stream.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import { sharedData } from '../../test/support/paths.ts'
import { call, connect, disconnectAll, expectOk, startTestServer, type TestServer } from './support.ts'

let server: TestServer | undefined
const dataDir = mkdtempSync(join(tmpdir(), 'fastsam-logs-'))

afterAll(async () => {
  disconnectAll()
  await server?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('logs', () => {
  it('hold no patient names, file names or room tokens', async () => {
    const lines: string[] = []
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk))
        done()
      },
    })
    const logger = pino({ level: 'debug' }, sink)
    mkdirSync(join(dataDir, 'cases'))
    const src = sharedData('volumes', 'totalsegmentator', 'example_ct_sm_img.nii.gz')
    copyFileSync(src, join(dataDir, 'cases', 'Doe_Johnathan_1961.nii.gz'))
    server = await startTestServer({ segmenter: null, logger, dataDir })

    const c = await connect(server.url)
    const listed = expectOk(await call(c, 'cases:list', {})).cases
    const patientCase = listed.find((x) => x.label.startsWith('Doe_Johnathan'))!
    const { token, roomId } = expectOk(await call(c, 'case:open', { caseId: patientCase.caseId }))
    const file = new Uint8Array(readFileSync(src))
    const { uploadId } = expectOk(await call(c, 'upload:begin', { format: 'nifti', size: file.length }))
    expectOk(await call(c, 'upload:chunk', { uploadId, offset: 0, data: file.subarray(0, 400_000) }))
    expectOk(await call(c, 'upload:chunk', { uploadId, offset: 400_000, data: file.subarray(400_000) }))
    const { case: uploaded } = expectOk(await call(c, 'upload:finish', { uploadId }))
    const res = await fetch(`${server.url}/rooms/${roomId}/export/labels.nii.gz?token=${token}`)
    expect(res.status).toBe(200)
    await call(c, 'room:join', { roomId, token: 'x'.repeat(43) })
    c.disconnect()
    await new Promise((r) => setTimeout(r, 100))

    const text = lines.join('')
    expect(lines.length).toBeGreaterThan(3) // the server did log (room created, upload, export, …)
    expect(text).toContain(roomId)
    // the upload id is the capability to resume the upload; the uploaded case's id opens it
    for (const secret of ['Doe', 'Johnathan', '1961', token, 'example_ct_sm', uploadId, uploaded.caseId])
      expect(text.includes(secret), `log mentions ${secret}`).toBe(false)
  })
})
