/**
 * Room records in Redis, shared by several server nodes: `<prefix>room:<id>` holds the JSON record,
 * `<prefix>room:<id>:v` its version. Writes are compare-and-set in one Lua script (atomic on the
 * Redis side), so two nodes changing one room at once never lose an update: the loser re-reads and
 * retries (RoomRegistry.mutate). Change notices travel through the Socket.IO Redis adapter.
 */
import type { RedisClientType } from 'redis'
import { isRoomRecord, type RoomRecord } from './roomRecord.ts'
import type { SharedRoomStore } from './roomStore.ts'

/** KEYS: record, version; ARGV: expected version, record JSON. Returns the new version or -1. */
const COMPARE_AND_SET = `
local current = tonumber(redis.call('GET', KEYS[2]) or '0')
if current ~= tonumber(ARGV[1]) then return -1 end
redis.call('SET', KEYS[1], ARGV[2])
return redis.call('INCR', KEYS[2])
`

export class RedisRoomStore implements SharedRoomStore {
  constructor(
    private readonly client: RedisClientType,
    private readonly announceChange: (roomId: string) => void,
    private readonly prefix = 'fastsam-xr:',
  ) {}

  private keys(roomId: string): [string, string] {
    return [`${this.prefix}room:${roomId}`, `${this.prefix}room:${roomId}:v`]
  }

  async loadVersioned(roomId: string): Promise<{ record: RoomRecord; version: number } | null> {
    const [text, version] = await this.client.mGet(this.keys(roomId))
    if (text === null || version === null) return null
    try {
      const record: unknown = JSON.parse(text)
      return isRoomRecord(record) && record.roomId === roomId ? { record, version: Number(version) } : null
    } catch {
      return null
    }
  }

  async load(roomId: string): Promise<RoomRecord | null> {
    return (await this.loadVersioned(roomId))?.record ?? null
  }

  async compareAndSet(record: RoomRecord, expected: number): Promise<number | null> {
    const result = await this.client.eval(COMPARE_AND_SET, {
      keys: this.keys(record.roomId),
      arguments: [String(expected), JSON.stringify(record)],
    })
    const version = Number(result)
    return version > 0 ? version : null
  }

  async save(record: RoomRecord): Promise<void> {
    // Unconditional write (not used by the registry with a shared store; kept for the interface).
    const current = await this.loadVersioned(record.roomId)
    await this.compareAndSet(record, current?.version ?? 0)
  }

  announce(roomId: string): void {
    this.announceChange(roomId)
  }

  async flush(): Promise<void> {}
}
