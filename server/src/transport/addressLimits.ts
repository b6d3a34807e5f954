/**
 * Limits per client address (a LAN host, a headset), across its connections: how many connections it
 * holds at once, and how fast it creates rooms (each `case:open` makes a room, a stored record and holds a
 * case in memory). Per-connection buckets alone let 10 anonymous sockets make 300 rooms in 2.3 s.
 */
export interface AddressLimitSpec {
  /** connections one address may hold at once. */
  connections: number
  /** rooms one address may create per minute, as a bucket of that size refilled evenly. */
  roomsPerMinute: number
}

export const DEFAULT_ADDRESS_LIMITS: AddressLimitSpec = { connections: 64, roomsPerMinute: 60 }

export class AddressLimits {
  private readonly open = new Map<string, number>()
  private readonly rooms = new Map<string, { level: number; at: number }>()

  constructor(readonly spec: AddressLimitSpec = DEFAULT_ADDRESS_LIMITS) {}

  /** Counts a new connection of `address`; false (not counted) when it already holds the maximum. */
  connect(address: string): boolean {
    const n = this.open.get(address) ?? 0
    if (n >= this.spec.connections) return false
    this.open.set(address, n + 1)
    return true
  }

  disconnect(address: string): void {
    const n = (this.open.get(address) ?? 1) - 1
    if (n <= 0) this.open.delete(address)
    else this.open.set(address, n)
  }

  /** Takes one room creation of `address`; false when its bucket is empty. */
  takeRoom(address: string, now = performance.now()): boolean {
    const size = this.spec.roomsPerMinute
    const b = this.rooms.get(address) ?? { level: size, at: now }
    b.level = Math.min(size, b.level + ((now - b.at) / 60_000) * size)
    b.at = now
    this.rooms.set(address, b)
    if (b.level < 1) return false
    b.level -= 1
    return true
  }
}
