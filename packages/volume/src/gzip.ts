/**
 * gunzip with bounded output. The NIfTI reader needs (1) the first few hundred bytes of a .nii.gz
 * WITHOUT inflating the rest (to check the header against the voxel budget before allocating), and
 * (2) the voxel bytes, bounded by what the header declares (a small header cannot make us inflate a
 * gzip bomb). (1) uses fflate's streaming inflater and stops early; (2) uses Node's native zlib, which
 * is ~2× faster, and falls back to streaming when the file holds more than we need (4D, trailing data).
 */
import { Gunzip } from 'fflate'
import { constants, gunzipSync } from 'node:zlib'
import { VolumeError } from './errors.ts'

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b
}

function gzipError(err: unknown): VolumeError {
  const message = err instanceof Error ? err.message : String(err)
  const code = (err as { code?: unknown } | null)?.code
  // Node: Z_BUF_ERROR 'unexpected end of file'; fflate: code 0 'unexpected EOF'.
  if (code === 'Z_BUF_ERROR' || code === 0 || /unexpected end|unexpected EOF/i.test(message))
    return new VolumeError('TRUNCATED', `gzip stream is truncated (${message})`)
  return new VolumeError('BAD_GZIP', `corrupt gzip data (${message})`)
}

/**
 * The first `n` decompressed bytes (fewer if the stream ends or is cut short first). Inflates only as
 * much input as it takes: 16 KiB steps, so a header costs microseconds even for a 1 GB file.
 */
export function gunzipPrefix(bytes: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n)
  let filled = 0
  let done = false
  const gz = new Gunzip((chunk, final) => {
    const take = Math.min(chunk.length, n - filled)
    out.set(take === chunk.length ? chunk : chunk.subarray(0, take), filled)
    filled += take
    if (final) done = true
  })
  try {
    let step = 16 * 1024
    for (
      let pos = 0;
      pos < bytes.length && filled < n && !done;
      pos += step, step = Math.min(step * 2, 4 << 20)
    ) {
      const end = Math.min(bytes.length, pos + step)
      gz.push(bytes.subarray(pos, end), end === bytes.length)
    }
  } catch (err) {
    // A stream cut short inside a block is truncation; anything else is corruption.
    if (filled >= n) return out
    throw gzipError(err)
  }
  return filled === n ? out : out.subarray(0, filled)
}

/**
 * At least the first `needed` decompressed bytes (exactly `needed` or the whole stream if longer but
 * still within `needed` + 64 MiB). Throws TRUNCATED if the stream ends early, BAD_GZIP if corrupt.
 */
export function gunzipAtLeast(bytes: Uint8Array, needed: number): Uint8Array {
  const slack = 64 << 20
  let out: Uint8Array
  try {
    out = gunzipSync(bytes, { maxOutputLength: Math.min(needed + slack, 2 ** 31 - 1), chunkSize: 1 << 20 })
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      out = gunzipPrefix(bytes, needed)
    } else if ((err as { code?: string }).code === 'Z_BUF_ERROR') {
      // Cut short: tell the user how much was there, if we can.
      let got = 0
      try {
        got = gunzipSync(bytes, {
          finishFlush: constants.Z_SYNC_FLUSH,
          maxOutputLength: Math.min(needed + slack, 2 ** 31 - 1),
        }).length
      } catch {
        /* corrupt as well as short: report truncation anyway */
      }
      throw new VolumeError('TRUNCATED', `gzip stream is truncated: ${got} of ${needed} bytes present`)
    } else throw gzipError(err)
  }
  if (out.length < needed)
    throw new VolumeError(
      'TRUNCATED',
      `file is truncated: ${out.length} of ${needed} bytes present after gunzip`,
    )
  return out
}
