/**
 * Rooms: one open case shared by everyone who joined with its token. The token (32 random bytes,
 * base64url) is created with the room and needed to join and to download exports; it is compared in
 * constant time and never logged. Presence is relayed, never stored here.
 */
import { randomBytes } from 'node:crypto'
import {
  LIMITS,
  PROTOCOL_VERSION,
  SEGMENT_PALETTE,
  type MemberInfo,
  type PromptRecord,
  type RoomSnapshot,
  type SegmentInfo,
} from '@fastsam-xr/protocol'
import type { CaseStore, LoadedCase } from '../cases/caseStore.ts'
import { ProtocolFailure } from '../failure.ts'
import { hashToken, ROOM_RECORD_VERSION, tokenMatchesHash, type RoomRecord } from './roomRecord.ts'
import type { RoomStore, SharedRoomStore } from './roomStore.ts'
import { Segment } from './segment.ts'

export class Room {
  readonly segments = new Map<string, Segment>()
  /** by clientId. */
  readonly members = new Map<string, MemberInfo>()
  private nextSeq = 1
  private segmentCounter = 0
  lastActive = Date.now()
  /** version of the shared record this state corresponds to (multi-node mode; 0 = never stored). */
  version = 0

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
    room.applyRecord(record)
    return room
  }

  /**
   * Brings this room up to `record` (a newer state written by another node, or a rollback), keeping
   * the mask state of segments whose logs did not change. Returns the segments whose prompt history
   * changed (to fold again).
   */
  applyRecord(record: RoomRecord): Segment[] {
    this.nextSeq = record.nextSeq
    this.segmentCounter = record.segmentCounter
    const changed: Segment[] = []
    const keep = new Set(record.segments.map((s) => s.info.segmentId))
    for (const id of [...this.segments.keys()]) if (!keep.has(id)) this.segments.delete(id)
    const sameLog = (a: PromptRecord[], b: PromptRecord[]): boolean =>
      a.length === b.length && a.every((p, n) => p.seq === b[n].seq)
    for (const s of record.segments) {
      let segment = this.segments.get(s.info.segmentId)
      if (!segment) {
        segment = new Segment({ ...s.info })
        this.segments.set(segment.id, segment)
      }
      segment.info = { ...s.info }
      if (!sameLog(segment.prompts, s.prompts) || (segment.mesh === null && s.prompts.length > 0))
        changed.push(segment)
      segment.prompts = s.prompts.map((p) => ({ ...p }))
      segment.redoStack = s.redo.map((p) => ({ ...p }))
    }
    // Keep the record's segment order.
    const ordered = record.segments.map((s) => this.segments.get(s.info.segmentId)!)
    this.segments.clear()
    for (const seg of ordered) this.segments.set(seg.id, seg)
    return changed
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
      color: color ?? SEGMENT_PALETTE[(n - 1) % SEGMENT_PALETTE.length],
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
  /** per room: the tail of its mutation chain (mutations of one room never interleave). */
  private readonly locks = new Map<string, Promise<unknown>>()

  constructor(
    private readonly cases: CaseStore,
    private readonly model: string | null,
    private readonly store: RoomStore | null,
    /** called with segments whose logs changed outside this node's handlers (restore, other nodes). */
    private readonly onChanged: (room: Room, segments: Segment[]) => void,
  ) {}

  get size(): number {
    return this.rooms.size
  }

  private get shared(): SharedRoomStore | null {
    return this.store && 'compareAndSet' in this.store ? (this.store as SharedRoomStore) : null
  }

  async create(loaded: LoadedCase): Promise<{ room: Room; token: string }> {
    const id = randomBytes(9).toString('base64url')
    const token = randomBytes(32).toString('base64url')
    const room = new Room(id, hashToken(token), loaded, this.model)
    this.rooms.set(id, room)
    try {
      await this.store_(room)
    } catch (err) {
      this.rooms.delete(id)
      throw err
    }
    return { room, token }
  }

  /**
   * Writes the room's record: compare-and-set on a shared store, a durable write on a file store.
   * Resolves once the record is stored, so what a caller acknowledges survives a crash; a failed write
   * throws a ProtocolFailure (the change is rolled back by `mutate`).
   */
  private async store_(room: Room): Promise<boolean> {
    if (!this.store || room.loaded.info.kind === 'upload') return true
    const shared = this.shared
    if (!shared) {
      try {
        await this.store.save(room.record())
      } catch {
        throw new ProtocolFailure(
          'internal',
          'the server could not store the change (disk full?); it was not applied',
        )
      }
      return true
    }
    const version = await shared.compareAndSet(room.record(), room.version)
    if (version === null) return false
    room.version = version
    shared.announce(room.id)
    return true
  }

  /**
   * Runs `change` on the room and stores the result. With a shared store (several nodes) the room
   * is first brought up to the stored version, and a write that lost a race is rolled back and
   * retried on the newer state. `change` may throw (a ProtocolFailure): nothing is stored then.
   */
  mutate<T>(room: Room, change: () => T): Promise<T> {
    room.lastActive = Date.now()
    return this.locked(room, async () => {
      for (let attempt = 0; attempt < 8; attempt++) {
        await this.sync(room)
        const before = room.record()
        const result = change()
        let stored: boolean
        try {
          stored = await this.store_(room)
        } catch (err) {
          // not durable: not applied, not acknowledged; the seq counter never goes back (a failed write
          // may still have reached the disk)
          room.applyRecord({ ...before, nextSeq: room.record().nextSeq })
          throw err
        }
        if (stored) return result
        room.applyRecord(before)
      }
      throw new ProtocolFailure('internal', 'the room is changing too fast; try again')
    })
  }

  /**
   * Resolves once every change of the room begun so far is stored (and so acknowledged): inference
   * reads the prompt log after this, so a mesh never covers a prompt that could still be rolled back
   * or whose acknowledgement has not been sent yet.
   */
  async settled(room: Room): Promise<void> {
    await this.locked(room, async () => {})
    await new Promise((resolve) => setImmediate(resolve)) // the handlers' acks run first
  }

  /** Runs `task` after every earlier locked task of the room. */
  private locked<T>(room: Room, task: () => Promise<T>): Promise<T> {
    const tail = this.locks.get(room.id) ?? Promise.resolve()
    const next = tail.then(task, task)
    this.locks.set(room.id, next)
    void next
      .finally(() => {
        if (this.locks.get(room.id) === next) this.locks.delete(room.id)
      })
      .catch(() => {})
    return next
  }

  /** Multi-node: pulls a newer stored state of the room (written by another node). */
  async sync(room: Room): Promise<void> {
    const shared = this.shared
    if (!shared) return
    const stored = await shared.loadVersioned(room.id)
    if (!stored || stored.version <= room.version) return
    const changed = room.applyRecord(stored.record)
    room.version = stored.version
    if (changed.length) this.onChanged(room, changed)
  }

  /** Another node announced a change of `roomId`: catch up if this node holds the room. */
  async remoteChanged(roomId: string): Promise<void> {
    const room = this.rooms.get(roomId)
    if (room) await this.locked(room, () => this.sync(room)).catch(() => {})
  }

  async flush(): Promise<void> {
    await this.store?.flush()
  }

  private restore(roomId: string): Promise<Room | null> {
    let p = this.restoring.get(roomId)
    if (!p) {
      p = (async () => {
        const shared = this.shared
        const stored = shared
          ? await shared.loadVersioned(roomId)
          : await this.store?.load(roomId).then((record) => (record ? { record, version: 0 } : null))
        if (!stored) return null
        const loaded = await this.cases.open(stored.record.caseId).catch(() => null)
        if (!loaded) return null
        const room = Room.fromRecord(stored.record, loaded, this.model)
        room.version = stored.version
        this.rooms.set(room.id, room)
        this.onChanged(room, [...room.segments.values()])
        return room
      })().finally(() => this.restoring.delete(roomId))
      this.restoring.set(roomId, p)
    }
    return p
  }

  /**
   * The room, if `token` opens it: from memory, or rebuilt from its stored record (after a restart,
   * or a room another node created). The same error for an unknown room and a wrong token.
   */
  async authorize(roomId: string, token: string): Promise<Room> {
    const room = this.rooms.get(roomId) ?? (await this.restore(roomId))
    if (!room || !room.tokenMatches(token))
      throw new ProtocolFailure('forbidden', 'no room with that id and token')
    await this.sync(room)
    return room
  }

  all(): Room[] {
    return [...this.rooms.values()]
  }

  /**
   * Frees rooms nobody has been in for `idleMs` (their records stay stored: a later join restores
   * them). Rooms of uploads are freed the same way and cannot come back: an upload lives in memory
   * only (patient data is not written to the data folder), so its room's link works while someone is
   * in the room and for the idle time after. Returns the case ids still in use by a room in memory.
   */
  evictIdle(idleMs: number, now = Date.now()): { evicted: number; casesInUse: Set<string> } {
    let evicted = 0
    for (const room of [...this.rooms.values()])
      if (
        room.members.size === 0 &&
        now - room.lastActive >= idleMs &&
        (this.store || room.loaded.info.kind === 'upload') &&
        !this.locks.has(room.id)
      ) {
        this.rooms.delete(room.id)
        evicted++
      }
    return { evicted, casesInUse: new Set([...this.rooms.values()].map((r) => r.loaded.info.caseId)) }
  }
}
