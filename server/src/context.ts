/** What every handler can reach: the server's parts, and the state of one connection. */
import type { Server, Socket } from 'socket.io'
import type { ClientToServerEvents, ServerToClientEvents } from '@fastsam-xr/protocol'
import type { Segmenter } from '@fastsam-xr/runtime'
import type { CaseStore } from './cases/caseStore.ts'
import type { ServerConfig } from './config.ts'
import type { InferenceQueue } from './jobs/inferenceQueue.ts'
import type { Logger } from './log.ts'
import type { RateLimiter } from './transport/rateLimit.ts'
import type { Room, RoomRegistry } from './rooms/rooms.ts'
import type { UploadStore } from './cases/uploads.ts'
import type { AddressLimits } from './transport/addressLimits.ts'

/** Between server nodes (through the Redis adapter). */
export interface InterServerEvents {
  /** a room's stored record changed: nodes holding it catch up. */
  'room:changed': (roomId: string) => void
}

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents>
export type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents>

export interface ServerContext {
  config: ServerConfig
  log: Logger
  io: IoServer
  cases: CaseStore
  rooms: RoomRegistry
  queue: InferenceQueue
  segmenter: Segmenter | null
  modelName: string | null
  uploads: UploadStore
  /** connections and room creations per client address. */
  addresses: AddressLimits
  /** the site key in force. */
  siteKey: string
}

export interface Connection {
  clientId: string
  displayName: string
  room: Room | null
  limits: RateLimiter
  socket: IoSocket
  /** the client's network address (its per-address limits). */
  address: string
  /** it gave the site key at the handshake: it may list, open and upload cases (INBOUND's access). */
  site: boolean
}
