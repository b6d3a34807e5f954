/**
 * The wire contract between the edge server and its clients (WebXR headsets, desktops): one event
 * interface per direction, the zod schemas the server validates every inbound payload with, the typed
 * ack replies, and the payload shapes. Browser-safe: no Node APIs.
 */
export { PROTOCOL_VERSION } from './version.ts'
export {
  ERROR_CODES,
  fail,
  ok,
  type Ack,
  type ErrorCode,
  type Failure,
  type ProtocolError,
  type Reply,
} from './reply.ts'
export * from './schemas.ts'
export type * from './payloads.ts'
export type { ClientToServerEvents, ServerToClientEvents } from './events.ts'
export { LIMITS } from './limits.ts'
export { SEGMENT_PALETTE } from './palette.ts'
export {
  INBOUND,
  type Access,
  type AckedEvent,
  type HandlerResult,
  type InboundEvent,
  type InboundPayload,
  type InboundTable,
  type MismatchedEvents,
  type TableChecked,
  type PayloadOf,
  type RateBucket,
  type ReplyOf,
  type ResultOf,
} from './inbound.ts'
