/**
 * One inference queue per execution device: jobs run one at a time (one encoder run already uses
 * every CPU core). Jobs are keyed `room/segment` and coalesced: while a segment's job waits, scheduling
 * it again adds nothing — the job reads the segment's history when it starts, so it folds every prompt
 * that arrived meanwhile (the latest state wins, no prompt is lost). A segment whose job is already
 * running is queued again behind the others.
 *
 * Fair across rooms: the next job is the oldest one of the room served least recently, so a room with
 * many busy segments (or many clients clicking scattered points, an encode each) cannot make another
 * room's next mesh wait behind all of its jobs: each room waits for at most one job of every other room.
 */
export type Job = (queuedMs: number) => Promise<void>

export class InferenceQueue {
  private readonly waiting = new Map<string, { job: Job; since: number }>()
  private running: string | null = null
  /** per room: the turn it was last served at (rooms never served count as -1). */
  private readonly served = new Map<string, number>()
  private turn = 0
  private idleWaiters: (() => void)[] = []

  constructor(
    readonly device: string,
    private readonly onError: (key: string, err: unknown) => void,
  ) {}

  /** Jobs waiting (not counting the one running). */
  get depth(): number {
    return this.waiting.size
  }

  get busy(): boolean {
    return this.running !== null
  }

  schedule(key: string, job: Job): void {
    const queued = this.waiting.get(key)
    // Keep the first arrival time (queue time counts from the oldest coalesced prompt).
    this.waiting.set(key, { job, since: queued?.since ?? performance.now() })
    if (this.running === null) void this.pump()
  }

  /** Drops a waiting job (its segment or room is gone). */
  cancel(key: string): void {
    this.waiting.delete(key)
  }

  /** Drops every waiting job of a room (it emptied: nobody would see the meshes). */
  cancelRoom(roomId: string): void {
    for (const key of [...this.waiting.keys()]) if (roomOf(key) === roomId) this.waiting.delete(key)
    this.served.delete(roomId)
  }

  /** The oldest waiting job of the room served least recently. */
  private next(): string {
    let best: string | null = null
    let bestTurn = Infinity
    for (const key of this.waiting.keys()) {
      const t = this.served.get(roomOf(key)) ?? -1
      if (t < bestTurn) [best, bestTurn] = [key, t]
    }
    return best!
  }

  /** Resolves when nothing is running or waiting. */
  idle(): Promise<void> {
    if (this.running === null && this.waiting.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  private async pump(): Promise<void> {
    while (this.waiting.size > 0) {
      const key = this.next()
      const { job, since } = this.waiting.get(key)!
      this.waiting.delete(key)
      this.served.set(roomOf(key), this.turn++)
      this.running = key
      try {
        await job(performance.now() - since)
      } catch (err) {
        this.onError(key, err)
      }
    }
    this.running = null
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const w of waiters) w()
  }
}

/** The room part of a `room/segment` key (the whole key when it has no room part). */
function roomOf(key: string): string {
  const slash = key.indexOf('/')
  return slash < 0 ? key : key.slice(0, slash)
}
