/**
 * One inference queue per execution device: jobs run one at a time (one encoder run already uses
 * every CPU core), in arrival order across segments. Jobs are keyed per segment and coalesced: while
 * a segment's job waits, scheduling it again adds nothing — the job reads the segment's history when
 * it starts, so it folds every prompt that arrived meanwhile (the latest state wins, no prompt is
 * lost). A segment whose job is already running is queued again behind the others.
 */
export type Job = (queuedMs: number) => Promise<void>

export class InferenceQueue {
  private readonly waiting = new Map<string, { job: Job; since: number }>()
  private running: string | null = null
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

  /** Resolves when nothing is running or waiting. */
  idle(): Promise<void> {
    if (this.running === null && this.waiting.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  private async pump(): Promise<void> {
    while (this.waiting.size > 0) {
      const [key, { job, since }] = this.waiting.entries().next().value!
      this.waiting.delete(key)
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
