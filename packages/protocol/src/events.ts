/**
 * The Socket.IO event maps, one interface per direction, for
 * `Server<ClientToServerEvents, ServerToClientEvents>` and `Socket<ServerToClientEvents, ClientToServerEvents>`.
 * Every client→server event except `presence:update` takes an ack; the server validates the payload
 * with the schema its row of the inbound table (inbound.ts) names.
 */
import type { Ack } from './reply.ts'
import type {
  CaseSummary,
  HistoryStatus,
  HistoryUpdate,
  MemberInfo,
  MeshUpdate,
  PresenceRelay,
  RoomSnapshot,
  SegmentFailure,
  SegmentInfo,
  ServerHello,
  UploadStatus,
} from './payloads.ts'
import type {
  CaseOpenRequest,
  PresenceUpdate,
  PromptRequest,
  RoomJoinRequest,
  SegmentCreateRequest,
  SegmentRef,
  SegmentUpdateRequest,
  UploadBeginRequest,
  UploadChunkRequest,
  UploadRef,
} from './schemas.ts'

export interface ClientToServerEvents {
  /** built-in, data-folder and uploaded cases. */
  'cases:list': (payload: Record<string, never>, ack: Ack<{ cases: CaseSummary[] }>) => void
  /** opens a case in a new room (this connection joins it); the token is needed to join and export. */
  'case:open': (
    payload: CaseOpenRequest,
    ack: Ack<{ roomId: string; token: string; snapshot: RoomSnapshot }>,
  ) => void
  'room:join': (payload: RoomJoinRequest, ack: Ack<{ snapshot: RoomSnapshot }>) => void
  'room:leave': (payload: Record<string, never>, ack: Ack) => void
  'segment:create': (payload: SegmentCreateRequest, ack: Ack<{ segment: SegmentInfo }>) => void
  'segment:update': (payload: SegmentUpdateRequest, ack: Ack<{ segment: SegmentInfo }>) => void
  'segment:delete': (payload: SegmentRef, ack: Ack) => void
  /** queues a prompt; the mesh arrives as `segment:mesh` to everyone in the room. */
  'segment:prompt': (payload: PromptRequest, ack: Ack<{ seq: number } & HistoryStatus>) => void
  'segment:undo': (payload: SegmentRef, ack: Ack<HistoryStatus>) => void
  'segment:redo': (payload: SegmentRef, ack: Ack<HistoryStatus>) => void
  'segment:reset': (payload: SegmentRef, ack: Ack<HistoryStatus>) => void
  /** head/hand poses, up to 30 Hz; relayed to the room, never stored. */
  'presence:update': (payload: PresenceUpdate) => void
  /** starts (or, with the same id after a reconnect, resumes) a chunked upload. */
  'upload:begin': (payload: UploadBeginRequest, ack: Ack<UploadStatus>) => void
  'upload:resume': (payload: UploadRef, ack: Ack<UploadStatus>) => void
  'upload:chunk': (payload: UploadChunkRequest, ack: Ack<UploadStatus>) => void
  /** reads the uploaded volume; it becomes a case this connection can open. */
  'upload:finish': (payload: UploadRef, ack: Ack<{ case: CaseSummary }>) => void
  'upload:abort': (payload: UploadRef, ack: Ack) => void
}

export interface ServerToClientEvents {
  'server:hello': (hello: ServerHello) => void
  'segment:changed': (segment: SegmentInfo) => void
  'segment:deleted': (payload: { segmentId: string }) => void
  /** history changed (prompt queued, undo, redo, reset, withdrawn): the mesh follows as `segment:mesh`. */
  'segment:history': (payload: HistoryUpdate) => void
  'segment:mesh': (update: MeshUpdate) => void
  'segment:failed': (failure: SegmentFailure) => void
  'member:joined': (member: MemberInfo) => void
  'member:left': (member: MemberInfo) => void
  presence: (relay: PresenceRelay) => void
}
