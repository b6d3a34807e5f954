/**
 * Rooms: one open case shared by everyone who joined with its token. The token (32 random bytes,
 * base64url) is created with the room and needed to join and to download exports; it is compared in
 * constant time and never logged. Presence is relayed, never stored here.
 */
import { randomBytes } from 'node:crypto'
import {
  LIMITS,
  PROTOCOL_VERSION,
  type MemberInfo,
  type RoomSnapshot,
  type SegmentInfo,
} from '@fastsam-xr/protocol'
import type { CaseStore, LoadedCase } from './caseStore.ts'
import { ProtocolFailure } from './failure.ts'
import { hashToken, ROOM_RECORD_VERSION, tokenMatchesHash, type RoomRecord } from './roomRecord.ts'
import type { RoomStore } from './roomStore.ts'
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
    /** SHA-256 of the token: the token itself is never kept. */
    private readonly tokenSha256: string,
    readonly loaded: LoadedCase,
    readonly model: string | null,
  ) {}

  /** The Socket.IO room name. */
  get channel(): string {
    return `room:${this.id}`
  }

  readonly createdAt = new Date().toISOString()

  tokenMatches(given: string): boolean {
    return tokenMatchesHash(given, this.tokenSha256)
  }

  /** The room as data (persistence, other nodes). */
  record(): RoomRecord {
    return {
      version: ROOM_RECORD_VERSION,
      roomId: this.id,
      tokenSha256: this.tokenSha256,
      caseId: this.loaded.info.caseId,
      createdAt: this.createdAt,
      nextSeq: this.nextSeq,
      segmentCounter: this.segmentCounter,
      segments: [...this.segments.values()].map((s) => ({
        info: { ...s.info },
        prompts: s.prompts.map((p) => ({ ...p })),
        redo: s.redoStack.map((p) => ({ ...p })),
      })),
    }
  }

  /** A room rebuilt from its record; its masks are replayed from the prompt logs. */
  static fromRecord(record: RoomRecord, loaded: LoadedCase, model: string | null): Room {
    const room = new Room(record.roomId, record.tokenSha256, loaded, model)
    room.nextSeq = record.nextSeq
    room.segmentCounter = record.segmentCounter
    for (const s of record.segments) {
      const segment = new Segment({ ...s.info })
      segment.prompts = s.prompts.map((p) => ({ ...p }))
      segment.redoStack = s.redo.map((p) => ({ ...p }))
      room.segments.set(segment.id, segment)
    }
    return room
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
  private readonly restoring = new Map<string, Promise<Room | null>>()

  constructor(
    private readonly cases: CaseStore,
    private readonly model: string | null,
    private readonly store: RoomStore | null,
    /** called with a room rebuilt from its record (to replay its masks). */
    private readonly onRestored: (room: Room) => void,
  ) {}

  get size(): number {
    return this.rooms.size
  }

  create(loaded: LoadedCase): { room: Room; token: string } {
    const id = randomBytes(9).toString('base64url')
    const token = randomBytes(32).toString('base64url')
    const room = new Room(id, hashToken(token), loaded, this.model)
    this.rooms.set(id, room)
    this.persist(room)
    return { room, token }
  }

  /** Stores the room's record (fire and forget; `flush` waits). Rooms of uploads are not kept. */
  persist(room: Room): void {
    if (!this.store || room.loaded.info.kind === 'upload') return
    void this.store.save(room.record())
  }

  async flush(): Promise<void> {
    await this.store?.flush()
  }

  private restore(roomId: string): Promise<Room | null> {
    let p = this.restoring.get(roomId)
    if (!p) {
      p = (async () => {
        const record = await this.store?.load(roomId)
        if (!record) return null
        const loaded = await this.cases.open(record.caseId).catch(() => null)
        if (!loaded) return null
        const room = Room.fromRecord(record, loaded, this.model)
        this.rooms.set(room.id, room)
        this.onRestored(room)
        return room
      })().finally(() => this.restoring.delete(roomId))
      this.restoring.set(roomId, p)
    }
    return p
  }

  /**
   * The room, if `token` opens it: from memory, or rebuilt from its stored record (after a restart).
   * The same error for an unknown room and a wrong token.
   */
  async authorize(roomId: string, token: string): Promise<Room> {
    const room = this.rooms.get(roomId) ?? (await this.restore(roomId))
    if (!room || !room.tokenMatches(token))
      throw new ProtocolFailure('forbidden', 'no room with that id and token')
    return room
  }

  all(): Room[] {
    return [...this.rooms.values()]
  }
}
