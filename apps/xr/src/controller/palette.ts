import { SEGMENT_PALETTE } from '@fastsam-xr/protocol/palette'

export { SEGMENT_PALETTE }

/** The first palette colour no existing segment uses (cycling once all are taken). */
export function nextSegmentColor(used: readonly string[]): string {
  const taken = new Set(used.map((c) => c.toLowerCase()))
  const free = SEGMENT_PALETTE.find((c) => !taken.has(c))
  return free ?? SEGMENT_PALETTE[used.length % SEGMENT_PALETTE.length]
}

/** 'Segment n' with the smallest n ≥ count + 1 that no existing segment is called. */
export function nextSegmentName(existing: readonly string[]): string {
  const names = new Set(existing)
  let n = existing.length + 1
  while (names.has(`Segment ${n}`)) n++
  return `Segment ${n}`
}
