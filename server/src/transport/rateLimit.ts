/**
 * Per-connection token buckets, one per kind of event: a client may burst up to `burst` events and
 * sustain `perSecond`. Cheap enough to check on every event.
 */
import type { RateBucket } from '@fastsam-xr/protocol'

export interface BucketSpec {
  perSecond: number
  burst: number
}

export const RATE_LIMITS = {
  /** prompts, undo/redo/reset: a fast clicker does ~5/s. */
  prompt: { perSecond: 10, burst: 20 },
  /** presence: 30 Hz head + hands; beyond it updates are dropped. */
  presence: { perSecond: 30, burst: 30 },
  /** upload chunks (1 MiB each). */
  upload: { perSecond: 200, burst: 200 },
  /** everything else. */
  other: { perSecond: 20, burst: 40 },
} as const satisfies Record<RateBucket, BucketSpec>

/** The buckets are named by the protocol's inbound table (which event draws from which). */
export type BucketKind = RateBucket

export class RateLimiter {
  private readonly tokens = new Map<BucketKind, { level: number; at: number }>()

  constructor(private readonly specs: Record<BucketKind, BucketSpec> = RATE_LIMITS) {}

  /** Takes one token; false when the bucket is empty. */
  take(kind: BucketKind, now = performance.now()): boolean {
    const spec = this.specs[kind]
    const b = this.tokens.get(kind) ?? { level: spec.burst, at: now }
    b.level = Math.min(spec.burst, b.level + ((now - b.at) / 1000) * spec.perSecond)
    b.at = now
    this.tokens.set(kind, b)
    if (b.level < 1) return false
    b.level -= 1
    return true
  }
}
