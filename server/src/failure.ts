/**
 * A failure meant for the client: handlers throw it, the dispatcher turns it into
 * `{ ok: false, error: { code, message } }`. Library errors (volume, runtime, mesh) are mapped here too.
 */
import { fail, type ErrorCode, type Failure } from '@fastsam-xr/protocol'
import { RuntimeError } from '@fastsam-xr/runtime'
import { VolumeError } from '@fastsam-xr/volume'

export class ProtocolFailure extends Error {
  override readonly name = 'ProtocolFailure'
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message)
  }
}

/** The reply for any thrown value; `internal` for the ones nobody threw on purpose. */
export function failureOf(err: unknown): Failure & { internal: boolean } {
  if (err instanceof ProtocolFailure) return { ...fail(err.code, err.message), internal: false }
  if (err instanceof VolumeError) {
    const code: ErrorCode =
      err.code === 'VOXEL_BUDGET'
        ? 'too-large'
        : err.code === 'DEGENERATE_CROP' || err.code === 'BAD_ARGUMENT'
          ? 'inference-failed'
          : 'unsupported-format'
    return { ...fail(code, err.message), internal: false }
  }
  if (err instanceof RuntimeError) {
    const code: ErrorCode =
      err.code === 'bad-input' || err.code === 'prompt-outside-crop' ? 'inference-failed' : 'internal'
    return { ...fail(code, err.message), internal: code === 'internal' }
  }
  return { ...fail('internal', 'internal server error'), internal: true }
}
