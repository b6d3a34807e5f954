/**
 * Where room records live between restarts: one JSON file per room under `<data>/rooms/`, written
 * durably — temporary file, fsync, rename, fsync of the folder — so a crash (even `kill -9` or a power
 * cut) leaves either the previous record or the new one, and a save that resolved is on disk. Saves of
 * one room are serialised and coalesced (only the latest state is written).
 */
import { mkdir, open, readFile, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { isRoomRecord, type RoomRecord } from './roomRecord.ts'

export interface RoomStore {
  load(roomId: string): Promise<RoomRecord | null>
  /**
   * Queues `record` to be written; resolves once it (or a newer record of the room) is durably stored,
   * rejects if the write failed (the caller must not acknowledge the change then).
   */
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
  /** per room: the write the newest queued record rides on (what a coalesced save resolves with). */
  private readonly pending = new Map<string, Promise<void>>()
  /** per room: the newest record not yet written. */
  private readonly latest = new Map<string, RoomRecord>()

  constructor(
    private readonly dir: string,
    /** a failed write (disk full…) is reported here, then rejects the save. */
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
    if (queued) return this.pending.get(id)!
    const previous = this.writing.get(id) ?? Promise.resolve()
    const write = previous
      .then(async () => {
        const current = this.latest.get(id)!
        this.latest.delete(id)
        await mkdir(this.dir, { recursive: true })
        const path = this.path(id)
        const tmp = `${path}.${process.pid}.tmp`
        await writeDurably(tmp, JSON.stringify(current))
        await rename(tmp, path)
        await syncFolder(this.dir) // the rename itself survives a crash only once its folder is synced
      })
      .catch((err: unknown) => {
        this.onError(id, err)
        throw err
      })
    // the chain goes on after a failed write (the next save tries again); the failure reaches the caller
    const settled = write.catch(() => {})
    this.writing.set(id, settled)
    this.pending.set(id, write)
    void settled.finally(() => {
      if (this.writing.get(id) === settled) this.writing.delete(id)
      if (this.pending.get(id) === write) this.pending.delete(id)
    })
    return write
  }

  async flush(): Promise<void> {
    while (this.writing.size > 0) await Promise.all([...this.writing.values()])
  }
}

/** Writes `text` to `path` and fsyncs it before resolving. */
async function writeDurably(path: string, text: string): Promise<void> {
  const file = await open(path, 'w')
  try {
    await file.writeFile(text)
    await file.sync()
  } finally {
    await file.close()
  }
}

/** fsyncs a folder so the renames inside it are durable (Linux and macOS; refused on Windows: skipped). */
async function syncFolder(dir: string): Promise<void> {
  let folder
  try {
    folder = await open(dir, 'r')
  } catch {
    return
  }
  try {
    await folder.sync()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM' && (err as NodeJS.ErrnoException).code !== 'EISDIR')
      throw err
  } finally {
    await folder.close()
  }
}
