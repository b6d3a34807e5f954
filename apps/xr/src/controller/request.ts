/**
 * Acked requests over the typed socket: one promise per event, resolving with the server's success
 * result or rejecting with a RequestError that carries the protocol's error code (plus 'timeout' and
 * 'disconnected', which happen on the client side) and the server's one-line message.
 */
import type {
  AckedEvent,
  ClientToServerEvents,
  ErrorCode,
  PayloadOf,
  Reply,
  ResultOf,
  ServerToClientEvents,
} from '@fastsam-xr/protocol'
import type { Socket } from 'socket.io-client'

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>

// the contract's types live in the protocol (its inbound table): re-exported for the client's modules
export type { AckedEvent, PayloadOf, ReplyOf, ResultOf } from '@fastsam-xr/protocol'

export type ClientErrorCode = ErrorCode | 'timeout' | 'disconnected'

export class RequestError extends Error {
  override name = 'RequestError'
  constructor(
    readonly code: ClientErrorCode,
    message: string,
  ) {
    super(message)
  }
}

/** Default wait for an ack; opening a case or finishing an upload may read a large volume. */
export const ACK_TIMEOUT_MS = 30_000

/** Turns a reply into its success result, or throws its error as a RequestError. */
export function unwrap<T extends object>(reply: Reply<T>): { ok: true } & T {
  if (reply.ok) return reply
  throw new RequestError(reply.error.code, reply.error.message)
}

/**
 * Emits `event` and resolves with the success result. Refuses at once while disconnected: socket.io
 * would buffer the event and send it after a reconnect, before this client has re-joined its room.
 */
export async function request<E extends AckedEvent>(
  socket: ClientSocket,
  event: E,
  payload: PayloadOf<E>,
  timeoutMs = ACK_TIMEOUT_MS,
): Promise<ResultOf<E>> {
  if (!socket.connected) throw new RequestError('disconnected', 'not connected to the server')
  // socket.io's typed emitWithAck cannot follow a generic event name; the map above keeps it typed.
  const emitter = socket.timeout(timeoutMs) as unknown as {
    emitWithAck(event: string, payload: unknown): Promise<Reply>
  }
  let reply: Reply
  try {
    reply = await emitter.emitWithAck(event, payload)
  } catch {
    throw socket.connected
      ? new RequestError('timeout', `the server did not answer '${event}' within ${timeoutMs / 1000} s`)
      : new RequestError('disconnected', 'the connection to the server was lost')
  }
  return unwrap(reply) as ResultOf<E>
}

/** A person-readable line for any error a request can end in. */
export function errorText(err: unknown): string {
  if (err instanceof RequestError) return err.message
  if (err instanceof Error) return err.message
  return String(err)
}
