/**
 * Where room records live between restarts: one JSON file per room under `<data>/rooms/`, written
 * atomically (temporary file + rename) so a crash never leaves a half-written record. Saves of one
 * room are serialised and coalesced (only the latest state is written).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { isRoomRecord, type RoomRecord } from './roomRecord.ts'

export interface RoomStore {
  load(roomId: string): Promise<RoomRecord | null>
  /** Queues `record` to be written; resolves once it (or a newer record of the room) is stored. */
  save(record: RoomRecord): Promise<void>
  /** Waits for every pending write. */
  flush(): Promise<void>
}

/** A store several server nodes share (Redis): versioned records, compare-and-set, change notices. */
export interface SharedRoomStore extends RoomStore {
  loadVersioned(roomId: string): Promise<{ record: RoomRecord; version: number } | null>
  /** Writes `record` if the stored version is still `expected`; the new version, or null on a lost race. */
  compareAndSet(record: RoomRecord, expected: number): Promise<number | null>
  /** Tells the other nodes that the room changed. */
  announce(roomId: string): void
}

export class FileRoomStore implements RoomStore {
  /** per room: the last write in the chain. */
  private readonly writing = new Map<string, Promise<void>>()
  /** per room: the newest record not yet written. */
  private readonly latest = new Map<string, RoomRecord>()

  constructor(
    private readonly dir: string,
    /** a failed write (disk full…): reported, never thrown — the room keeps working in memory. */
    private readonly onError: (roomId: string, err: unknown) => void,
  ) {}

  private path(roomId: string): string {
    // Room ids are base64url made by the server; anything else never reaches the file system.
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(roomId)) throw new Error('bad room id')
    return join(this.dir, `${roomId}.json`)
  }

  async load(roomId: string): Promise<RoomRecord | null> {
    let text: string
    try {
      text = await readFile(this.path(roomId), 'utf8')
    } catch {
      return null
    }
    try {
      const value: unknown = JSON.parse(text)
      return isRoomRecord(value) && value.roomId === roomId ? value : null
    } catch {
      return null
    }
  }

  save(record: RoomRecord): Promise<void> {
    const id = record.roomId
    const queued = this.latest.has(id)
    this.latest.set(id, record)
    // A write that has not started yet will pick up this newer record.
    if (queued) return this.writing.get(id)!
    const previous = this.writing.get(id) ?? Promise.resolve()
    const write = previous
      .then(async () => {
        const current = this.latest.get(id)!
        this.latest.delete(id)
        await mkdir(this.dir, { recursive: true })
        const path = this.path(id)
        const tmp = `${path}.${process.pid}.tmp`
        await writeFile(tmp, JSON.stringify(current))
        await rename(tmp, path)
      })
      .catch((err: unknown) => this.onError(id, err))
    this.writing.set(id, write)
    void write.finally(() => {
      if (this.writing.get(id) === write) this.writing.delete(id)
    })
    return write
  }

  async flush(): Promise<void> {
    while (this.writing.size > 0) await Promise.all([...this.writing.values()])
  }
}
