/**
 * Chunked upload of a NIfTI file or a zipped DICOM series: upload:begin, then upload:chunk from the
 * offset the server says it has, then upload:finish. When the connection drops (or an ack is lost)
 * mid-way it waits for socket.io to reconnect, takes the upload over with upload:resume and goes on
 * from the server's byte count, so nothing is sent twice and nothing is skipped.
 */
import type { CaseSummary, UploadBeginRequest } from '@fastsam-xr/protocol'
import { LIMITS } from '@fastsam-xr/protocol/limits'
import { request, RequestError, type ClientSocket } from './request.ts'

export type UploadFormat = UploadBeginRequest['format']

/** The upload format a file name implies, or null for anything the server cannot read. */
export function uploadFormatOf(fileName: string): UploadFormat | null {
  const name = fileName.toLowerCase()
  if (name.endsWith('.nii') || name.endsWith('.nii.gz')) return 'nifti'
  if (name.endsWith('.zip')) return 'dicom-zip'
  return null
}

export interface UploadOptions {
  /** called after every acknowledged chunk. */
  onProgress?(received: number, size: number): void
  /** called after a reconnect took the upload over, with the byte count the server holds. */
  onResume?(received: number): void
  /** largest chunk to send (bytes); the server's limit wins when smaller. */
  chunkBytes?: number
  /** how long to wait for a reconnect before giving up (ms). */
  reconnectTimeoutMs?: number
  /** interruptions in a row without progress before giving up. */
  maxRetries?: number
  /** ack wait for a chunk and for finishing (reading the volume) (ms). */
  chunkTimeoutMs?: number
  finishTimeoutMs?: number
}

const RETRYABLE = new Set(['disconnected', 'timeout'])

/** Resolves once `socket` is connected (at once if it is), rejects after `timeoutMs`. */
export function whenConnected(socket: ClientSocket, timeoutMs: number): Promise<void> {
  if (socket.connected) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off('connect', onConnect)
      reject(new RequestError('disconnected', `the server was unreachable for ${timeoutMs / 1000} s`))
    }, timeoutMs)
    const onConnect = (): void => {
      clearTimeout(timer)
      resolve()
    }
    socket.once('connect', onConnect)
  })
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Takes the upload over on this (new) connection. The server may not have noticed the old
 * connection's end yet and still see the upload as someone else's ('forbidden'): retry briefly.
 */
async function resume(socket: ClientSocket, uploadId: string): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    try {
      return (await request(socket, 'upload:resume', { uploadId })).received
    } catch (err) {
      if (!(err instanceof RequestError) || err.code !== 'forbidden' || attempt === 20) throw err
      await pause(100)
    }
  }
}

/** Uploads `blob` and resolves with the case the server made of it (open it with case:open). */
export async function uploadBlob(
  socket: ClientSocket,
  blob: Blob,
  format: UploadFormat,
  opts: UploadOptions = {},
): Promise<CaseSummary> {
  const reconnectTimeoutMs = opts.reconnectTimeoutMs ?? 30_000
  const maxRetries = opts.maxRetries ?? 5
  const size = blob.size
  const begun = await request(socket, 'upload:begin', { format, size })
  const uploadId = begun.uploadId
  const chunkBytes = Math.min(begun.chunkBytes, LIMITS.uploadChunkBytes, opts.chunkBytes ?? Infinity)
  let received = begun.received
  let retries = 0
  opts.onProgress?.(received, size)
  while (received < size) {
    const data = new Uint8Array(
      await blob.slice(received, Math.min(size, received + chunkBytes)).arrayBuffer(),
    )
    try {
      const status = await request(
        socket,
        'upload:chunk',
        { uploadId, offset: received, data },
        opts.chunkTimeoutMs,
      )
      received = status.received
      retries = 0
      opts.onProgress?.(received, size)
    } catch (err) {
      if (!(err instanceof RequestError)) throw err
      if (err.code === 'rate-limited') {
        await pause(250)
        continue
      }
      if (!RETRYABLE.has(err.code) || ++retries > maxRetries) {
        await request(socket, 'upload:abort', { uploadId }).catch(() => {})
        throw err
      }
      await whenConnected(socket, reconnectTimeoutMs)
      received = await resume(socket, uploadId)
      opts.onResume?.(received)
    }
  }
  const finished = await request(socket, 'upload:finish', { uploadId }, opts.finishTimeoutMs ?? 120_000)
  return finished.case
}
