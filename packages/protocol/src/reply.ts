/**
 * Ack replies: every client→server event with a reply gets `{ ok: true, ...result }` or
 * `{ ok: false, error: { code, message } }`. `code` is stable (clients branch on it), `message` is one
 * line for a person.
 */
export const ERROR_CODES = [
  /** the payload failed validation (shape, type, range). */
  'bad-request',
  /** no such case, room, segment or upload. */
  'not-found',
  /** a wrong room token. */
  'forbidden',
  /** the event needs a room and this connection has not joined one. */
  'not-in-room',
  /** too many events of this kind from this connection; retry later. */
  'rate-limited',
  /** the server runs without a model: prompts cannot be answered. */
  'no-model',
  /** a prompt point lies outside the volume. */
  'out-of-volume',
  /** an upload or volume over the size / voxel budget, or too many segments/prompts. */
  'too-large',
  /** a file that is neither NIfTI nor (zipped) DICOM, or that the reader refused. */
  'unsupported-format',
  /** nothing to undo / redo. */
  'nothing-to-undo',
  /** inference failed for this input (e.g. a crop with no tissue). */
  'inference-failed',
  /** a server bug; logged. */
  'internal',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

export interface ProtocolError {
  code: ErrorCode
  message: string
}

export interface Failure {
  ok: false
  error: ProtocolError
}

export type Reply<T extends object = object> = ({ ok: true } & T) | Failure

/** The ack callback of an event whose success result is `T`. */
export type Ack<T extends object = object> = (reply: Reply<T>) => void

export const ok = <T extends object>(result: T): { ok: true } & T => ({ ok: true, ...result })

export const fail = (code: ErrorCode, message: string): Failure => ({ ok: false, error: { code, message } })
