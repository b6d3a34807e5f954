/**
 * Rooms: one open case shared by everyone who joined with its token. The token (32 random bytes,
 * base64url) is created with the room and needed to join and to download exports; it is compared in
 * constant time and never logged. Presence is relayed, never stored here.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import {
  LIMITS,
  PROTOCOL_VERSION,
  type MemberInfo,
  type RoomSnapshot,
  type SegmentInfo,
} from '@fastsam-xr/protocol'
import type { LoadedCase } from './caseStore.ts'
import { ProtocolFailure } from './failure.ts'
import { Segment } from './segment.ts'

/** Distinct default colours for new segments. */
const PALETTE = [
  '#e6194b',
  '#3cb44b',
  '#4363d8',
  '#f58231',
  '#911eb4',
  '#42d4f4',
  '#f032e6',
  '#bfef45',
  '#fabed4',
  '#469990',
]

export class Room {
  readonly segments = new Map<string, Segment>()
  /** by clientId. */
  readonly members = new Map<string, MemberInfo>()
  private nextSeq = 1
  private segmentCounter = 0
  lastActive = Date.now()

  constructor(
    readonly id: string,
    private readonly token: string,
    readonly loaded: LoadedCase,
    readonly model: string | null,
  ) {}

  /** The Socket.IO room name. */
  get channel(): string {
    return `room:${this.id}`
  }

  tokenMatches(given: string): boolean {
    const a = Buffer.from(given)
    const b = Buffer.from(this.token)
    return a.length === b.length && timingSafeEqual(a, b)
  }

  takeSeq(): number {
    return this.nextSeq++
  }

  segment(segmentId: string): Segment {
    const s = this.segments.get(segmentId)
    if (!s) throw new ProtocolFailure('not-found', `no segment '${segmentId}' in this room`)
    return s
  }

  createSegment(name?: string, color?: string): Segment {
    if (this.segments.size >= LIMITS.segmentsPerRoom)
      throw new ProtocolFailure('too-large', `a room holds at most ${LIMITS.segmentsPerRoom} segments`)
    const used = new Set([...this.segments.values()].map((s) => s.info.label))
    let label = 1
    while (used.has(label)) label++
    const n = ++this.segmentCounter
    const info: SegmentInfo = {
      segmentId: `s${n}`,
      name: name ?? `Segment ${n}`,
      color: color ?? PALETTE[(n - 1) % PALETTE.length],
      visible: true,
      label,
    }
    const segment = new Segment(info)
    this.segments.set(info.segmentId, segment)
    return segment
  }

  snapshot(): RoomSnapshot {
    return {
      roomId: this.id,
      protocolVersion: PROTOCOL_VERSION,
      case: this.loaded.info,
      preview: this.loaded.preview,
      slices: this.loaded.slices,
      segments: [...this.segments.values()].map((s) => s.snapshot()),
      members: [...this.members.values()],
      model: this.model,
    }
  }
}

export class RoomRegistry {
  private readonly rooms = new Map<string, Room>()

  get size(): number {
    return this.rooms.size
  }

  create(loaded: LoadedCase, model: string | null): { room: Room; token: string } {
    const id = randomBytes(9).toString('base64url')
    const token = randomBytes(32).toString('base64url')
    const room = new Room(id, token, loaded, model)
    this.rooms.set(id, room)
    return { room, token }
  }

  /** The room, if `token` opens it; the same error for an unknown room and a wrong token. */
  authorize(roomId: string, token: string): Room {
    const room = this.rooms.get(roomId)
    if (!room || !room.tokenMatches(token))
      throw new ProtocolFailure('forbidden', 'no room with that id and token')
    return room
  }

  all(): Room[] {
    return [...this.rooms.values()]
  }
}
