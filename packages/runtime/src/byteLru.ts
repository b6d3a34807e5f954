/**
 * A least-recently-used map bounded by a byte budget rather than an entry count: embeddings are
 * about 0.75 MiB each, and what a server can afford is a memory figure, not a number of crops.
 */
export class ByteLru<V> {
  /** Map iteration order is insertion order: the first key is the least recently used. */
  private readonly entries = new Map<string, { value: V; bytes: number }>()
  private total = 0

  constructor(
    readonly maxBytes: number,
    private readonly sizeOf: (value: V) => number,
  ) {
    if (!(maxBytes >= 0)) throw new RangeError(`maxBytes must be ≥ 0 (got ${maxBytes})`)
  }

  get bytes(): number {
    return this.total
  }

  get size(): number {
    return this.entries.size
  }

  has(key: string): boolean {
    return this.entries.has(key)
  }

  /** Returns the value and marks it most recently used. */
  get(key: string): V | undefined {
    const e = this.entries.get(key)
    if (!e) return undefined
    this.entries.delete(key)
    this.entries.set(key, e)
    return e.value
  }

  /** Inserts (or replaces) and evicts least recently used entries until the budget holds. A value
   *  larger than the whole budget is not kept. */
  set(key: string, value: V): void {
    this.delete(key)
    const bytes = this.sizeOf(value)
    if (bytes > this.maxBytes) return
    this.entries.set(key, { value, bytes })
    this.total += bytes
    for (const [k, e] of this.entries) {
      if (this.total <= this.maxBytes) break
      this.entries.delete(k)
      this.total -= e.bytes
    }
  }

  delete(key: string): boolean {
    const e = this.entries.get(key)
    if (!e) return false
    this.entries.delete(key)
    this.total -= e.bytes
    return true
  }

  clear(): void {
    this.entries.clear()
    this.total = 0
  }
}
