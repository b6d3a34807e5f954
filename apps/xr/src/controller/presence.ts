/**
 * Presence both ways. Outgoing: head/hands/pointer poses, throttled to ≤ 20 Hz with the newest pose
 * sent at the end of a burst (the server relays ≤ 30 Hz and drops the rest). Incoming: the latest
 * pose per other member; a member not heard from for PRESENCE_STALE_MS disappears (e.g. took the
 * headset off, lost the connection without a member:left yet).
 */
import type { PresenceRelay, PresenceUpdate } from '@fastsam-xr/protocol'

export const PRESENCE_INTERVAL_MS = 50
export const PRESENCE_STALE_MS = 5_000

/**
 * A throttle that sends at most once per `intervalMs`; an update arriving sooner is held and the
 * newest held one is sent when the interval is over.
 */
export function createThrottle<T>(
  send: (value: T) => void,
  intervalMs: number,
  now: () => number = () => performance.now(),
): (value: T) => void {
  let lastSent = -Infinity
  let held: T | null = null
  let timer: ReturnType<typeof setTimeout> | null = null
  const flush = (): void => {
    timer = null
    if (held === null) return
    const value = held
    held = null
    lastSent = now()
    send(value)
  }
  return (value: T) => {
    const wait = lastSent + intervalMs - now()
    if (wait <= 0 && timer === null) {
      lastSent = now()
      send(value)
      return
    }
    held = value
    timer ??= setTimeout(flush, Math.max(0, wait))
  }
}

/** Keeps only other members' presence heard from within `staleMs` (by local receipt time). */
export function freshPresence(
  presence: Record<string, PresenceRelay>,
  heardAt: ReadonlyMap<string, number>,
  now: number,
  staleMs: number = PRESENCE_STALE_MS,
): Record<string, PresenceRelay> {
  const out: Record<string, PresenceRelay> = {}
  for (const [clientId, relay] of Object.entries(presence))
    if (now - (heardAt.get(clientId) ?? -Infinity) <= staleMs) out[clientId] = relay
  return out
}

export type { PresenceUpdate }

/** An unchanged pose is repeated only this often (ms), well inside the others' PRESENCE_STALE_MS. */
export const PRESENCE_KEEPALIVE_MS = 1_000

/**
 * Drops a pose identical to the last one passed on, unless `keepaliveMs` went by (a desk-bound viewer
 * whose camera rests would otherwise send the same pose 20 times a second to every member).
 */
export function createRepeatFilter<T>(
  keepaliveMs: number = PRESENCE_KEEPALIVE_MS,
  now: () => number = () => performance.now(),
): (value: T) => boolean {
  let last: string | null = null
  let lastAt = -Infinity
  return (value: T) => {
    const key = JSON.stringify(value)
    const t = now()
    if (key === last && t - lastAt < keepaliveMs) return false
    last = key
    lastAt = t
    return true
  }
}
