/**
 * Chunked uploads of a NIfTI file or a zipped DICOM series, with progress and resumption.
 *
 * Chunks land in a temporary file under `<data>/uploads/` at their offset (the file is opened and
 * closed per chunk, so nothing stays open between chunks). The upload id is 16 random bytes: it is
 * the capability to resume after a reconnect. When the uploading connection goes away the upload
 * stays resumable for `resumeS` seconds, then its file is deleted; a finished or aborted upload
 * deletes its file at once. Limits: total size (`maxBytes`), voxels (`maxVoxels`, checked by the
 * volume reader before allocating), uncompressed zip size, two uploads per connection, and server-wide
 * `MAX_UPLOADS_HELD` uploads whose declared sizes add up to at most `diskBytes`. An upload's slot is
 * taken synchronously in `begin`, before any await, so pipelined `upload:begin`s cannot overrun a limit.
 * The upload id is never logged (it is the resume capability): logs carry a short hash of it.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { unzipSync } from 'fflate'
import { LIMITS, type CaseSummary, type UploadStatus } from '@fastsam-xr/protocol'
import { readDicomSeries, readNifti, type Volume } from '@fastsam-xr/volume'
import type { CaseStore } from './caseStore.ts'
import { ProtocolFailure } from '../failure.ts'
import type { Logger } from '../log.ts'

export const UPLOADS_PER_CONNECTION = 2
/** uploads in progress or resumable at once, server-wide (each holds a temporary file). */
export const MAX_UPLOADS_HELD = 16

/** How logs name an upload: not its id, which lets whoever reads it resume the upload. */
function logRef(uploadId: string): string {
  return createHash('sha256').update(uploadId).digest('hex').slice(0, 12)
}

interface Upload {
  id: string
  owner: string | null
  format: 'nifti' | 'dicom-zip'
  size: number
  received: number
  path: string
  /** deletion timer while no connection owns it. */
  expiry: NodeJS.Timeout | null
  /** a chunk write or the final read is in progress. */
  busy: boolean
}

export class UploadStore {
  private readonly uploads = new Map<string, Upload>()
  /** slots taken by `begin` calls still awaiting their file: per owner, and their declared bytes. */
  private readonly starting = new Map<string, number>()
  private startingCount = 0
  private startingBytes = 0

  constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
    private readonly maxVoxels: number,
    private readonly resumeS: number,
    private readonly cases: CaseStore,
    private readonly log: Logger,
    /** server-wide cap on the declared sizes of the uploads held. */
    private readonly diskBytes: number = 4 * 2 ** 30,
  ) {}

  /** Uploads currently held (for tests and health). */
  get size(): number {
    return this.uploads.size
  }

  private status(u: Upload): UploadStatus {
    return { uploadId: u.id, received: u.received, size: u.size, chunkBytes: LIMITS.uploadChunkBytes }
  }

  private get(uploadId: string, owner: string): Upload {
    const u = this.uploads.get(uploadId)
    if (!u || u.owner !== owner)
      throw new ProtocolFailure('not-found', 'no such upload on this connection (resume it first)')
    return u
  }

  async begin(owner: string, format: Upload['format'], size: number): Promise<UploadStatus> {
    if (size > this.maxBytes)
      throw new ProtocolFailure('too-large', `uploads are limited to ${this.maxBytes} bytes`)
    // Every check and the reservation happen before the first await (see the module doc).
    const held = [...this.uploads.values()]
    const mine = held.filter((u) => u.owner === owner).length + (this.starting.get(owner) ?? 0)
    if (mine >= UPLOADS_PER_CONNECTION)
      throw new ProtocolFailure(
        'too-large',
        `at most ${UPLOADS_PER_CONNECTION} uploads at a time per connection`,
      )
    if (held.length + this.startingCount >= MAX_UPLOADS_HELD)
      throw new ProtocolFailure('too-large', 'the server holds too many uploads; try again in a minute')
    const bytes = held.reduce((sum, u) => sum + u.size, 0) + this.startingBytes
    if (bytes + size > this.diskBytes)
      throw new ProtocolFailure('too-large', 'the server has no room for this upload now; try again later')
    this.starting.set(owner, (this.starting.get(owner) ?? 0) + 1)
    this.startingCount++
    this.startingBytes += size
    try {
      await mkdir(this.dir, { recursive: true })
      const id = randomBytes(16).toString('base64url')
      const path = join(this.dir, `${id}.part`)
      await writeFile(path, new Uint8Array(0))
      const u: Upload = { id, owner, format, size, received: 0, path, expiry: null, busy: false }
      this.uploads.set(id, u)
      this.log.info({ upload: logRef(id), format, size }, 'upload started')
      return this.status(u)
    } finally {
      const left = (this.starting.get(owner) ?? 1) - 1
      if (left > 0) this.starting.set(owner, left)
      else this.starting.delete(owner)
      this.startingCount--
      this.startingBytes -= size
    }
  }

  /** Takes over an upload (e.g. after a reconnect) and says where to continue. */
  resume(owner: string, uploadId: string): UploadStatus {
    const u = this.uploads.get(uploadId)
    if (!u) throw new ProtocolFailure('not-found', 'no such upload (it may have expired)')
    if (u.owner !== null && u.owner !== owner)
      throw new ProtocolFailure('forbidden', 'the upload is in use by another connection')
    if (u.expiry) clearTimeout(u.expiry)
    u.expiry = null
    u.owner = owner
    return this.status(u)
  }

  async chunk(owner: string, uploadId: string, offset: number, data: Uint8Array): Promise<UploadStatus> {
    const u = this.get(uploadId, owner)
    if (data.length === 0 || data.length > LIMITS.uploadChunkBytes)
      throw new ProtocolFailure('bad-request', `a chunk holds 1..${LIMITS.uploadChunkBytes} bytes`)
    if (u.busy) throw new ProtocolFailure('bad-request', 'wait for the previous chunk to be acknowledged')
    if (offset !== u.received)
      throw new ProtocolFailure(
        'bad-request',
        `chunk at offset ${offset}, expected ${u.received} (resume from there)`,
      )
    if (offset + data.length > u.size)
      throw new ProtocolFailure('too-large', 'chunk goes past the announced size')
    u.busy = true
    try {
      const fh = await open(u.path, 'r+')
      try {
        await fh.write(data, 0, data.length, offset)
      } finally {
        await fh.close()
      }
      u.received += data.length
    } finally {
      u.busy = false
    }
    return this.status(u)
  }

  async finish(owner: string, uploadId: string): Promise<CaseSummary> {
    const u = this.get(uploadId, owner)
    if (u.busy) throw new ProtocolFailure('bad-request', 'a chunk is still being written')
    if (u.received !== u.size)
      throw new ProtocolFailure('bad-request', `received ${u.received} of ${u.size} bytes`)
    u.busy = true
    try {
      const bytes = new Uint8Array(await readFile(u.path))
      const volume =
        u.format === 'nifti' ? readNifti(bytes, this.readOptions(), 'upload') : await this.readZip(bytes)
      const summary = this.cases.registerUpload(volume, owner)
      this.log.info({ upload: logRef(u.id), dims: volume.dims }, 'upload finished')
      return summary
    } finally {
      await this.remove(u)
    }
  }

  async abort(owner: string, uploadId: string): Promise<void> {
    await this.remove(this.get(uploadId, owner))
  }

  /** The connection went away: its uploads stay resumable for a while, then disappear. */
  detach(owner: string): void {
    for (const u of this.uploads.values())
      if (u.owner === owner) {
        u.owner = null
        u.expiry = setTimeout(() => void this.remove(u), this.resumeS * 1000)
        u.expiry.unref()
      }
  }

  async close(): Promise<void> {
    await Promise.all([...this.uploads.values()].map((u) => this.remove(u)))
  }

  private readOptions() {
    return { maxVoxels: this.maxVoxels, nonFinite: 'zero' as const }
  }

  private async readZip(bytes: Uint8Array): Promise<Volume> {
    // Zip bombs: refuse before inflating when the declared sizes exceed the budget.
    let declared = 0
    let files: Record<string, Uint8Array>
    try {
      files = unzipSync(bytes, {
        filter: (f) => {
          declared += f.originalSize
          if (declared > this.maxBytes * 4)
            throw new ProtocolFailure('too-large', 'the zip expands beyond the upload budget')
          return !f.name.endsWith('/')
        },
      })
    } catch (err) {
      if (err instanceof ProtocolFailure) throw err
      throw new ProtocolFailure('unsupported-format', 'not a readable zip file')
    }
    const parts = Object.values(files).filter((f) => f.length > 0)
    if (parts.length === 0) throw new ProtocolFailure('unsupported-format', 'the zip holds no files')
    return readDicomSeries(parts, this.readOptions())
  }

  private async remove(u: Upload): Promise<void> {
    if (u.expiry) clearTimeout(u.expiry)
    this.uploads.delete(u.id)
    await rm(u.path, { force: true })
  }
}
