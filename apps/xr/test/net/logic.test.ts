/** Pure client logic: the triangle budget split, the presence throttle and staleness, segment names and colours, device names, history edge cases. */
import type { PresenceRelay, PromptRecord } from '@fastsam-xr/protocol'
import { describe, expect, it } from 'vitest'
import {
  MIN_SEGMENT_SHARES,
  PREVIEW_TRIANGLE_BUDGET,
  segmentTriangleBudget,
  TRIANGLE_BUDGET,
} from '../../src/mesh/budget.ts'
import { deviceKind } from '../../src/net/displayName.ts'
import { addOwnPrompt, applyMeshLog, forgetPromptLogs, rememberPrompts } from '../../src/net/promptLogs.ts'
import { supersedes } from '../../src/net/segmentMeshes.ts'
import { emptySegmentView } from '../../src/net/snapshot.ts'
import { initialState, useAppStore } from '../../src/state/store.ts'
import { appendPrompt, reconcileHistory, syncWithMesh } from '../../src/net/history.ts'
import { nextSegmentColor, nextSegmentName, SEGMENT_PALETTE } from '../../src/net/palette.ts'
import {
  createRepeatFilter,
  createThrottle,
  freshPresence,
  PRESENCE_KEEPALIVE_MS,
  PRESENCE_STALE_MS,
} from '../../src/net/presence.ts'

describe('triangle budget', () => {
  it('is 300k in all, the preview at most 120k, segments share the rest by at least three', () => {
    expect(TRIANGLE_BUDGET).toBe(300_000)
    expect(PREVIEW_TRIANGLE_BUDGET).toBe(120_000)
    expect(MIN_SEGMENT_SHARES).toBe(3)
    expect(segmentTriangleBudget(0)).toBe(60_000)
    expect(segmentTriangleBudget(1)).toBe(60_000)
    expect(segmentTriangleBudget(3)).toBe(60_000)
    expect(segmentTriangleBudget(4)).toBe(45_000)
    expect(segmentTriangleBudget(3, 30_000)).toBe(90_000)
    // a preview over its budget is simplified to it, so it never takes more than 120k
    expect(segmentTriangleBudget(3, 500_000)).toBe(60_000)
    for (const visible of [1, 2, 3, 5, 8, 64])
      for (const preview of [0, 45_000, 120_000])
        expect(preview + Math.max(visible, 3) * segmentTriangleBudget(visible, preview)).toBeLessThanOrEqual(
          TRIANGLE_BUDGET,
        )
  })
})

describe('presence', () => {
  it('sends at most once per interval and the newest held pose at the end', async () => {
    const sent: number[] = []
    const send = createThrottle<number>((v) => sent.push(v), 40)
    for (let i = 0; i < 10; i++) send(i) // a burst within one interval
    expect(sent).toEqual([0])
    await new Promise((resolve) => setTimeout(resolve, 80))
    expect(sent).toEqual([0, 9])
    await new Promise((resolve) => setTimeout(resolve, 60))
    send(10) // after a quiet interval: at once
    expect(sent).toEqual([0, 9, 10])
  })

  it('repeats an unchanged pose only once a second, a changed one at once', () => {
    let t = 0
    const pass = createRepeatFilter<{ p: number[] }>(1000, () => t)
    expect(pass({ p: [1, 2, 3] })).toBe(true)
    t = 100
    expect(pass({ p: [1, 2, 3] })).toBe(false)
    expect(pass({ p: [1, 2, 4] })).toBe(true)
    t = 1099
    expect(pass({ p: [1, 2, 4] })).toBe(false)
    t = 1100
    expect(pass({ p: [1, 2, 4] })).toBe(true)
    expect(PRESENCE_KEEPALIVE_MS).toBeLessThan(PRESENCE_STALE_MS / 2)
  })

  it('drops members not heard from for five seconds', () => {
    const relay = (clientId: string): PresenceRelay => ({
      clientId,
      head: { position: [0, 0, 0], orientation: [0, 0, 0, 1] },
      t: 0,
    })
    const heard = new Map([
      ['a', 10_000],
      ['b', 4_000],
    ])
    const fresh = freshPresence({ a: relay('a'), b: relay('b'), c: relay('c') }, heard, 10_000 + 1000)
    expect(Object.keys(fresh)).toEqual(['a'])
    expect(PRESENCE_STALE_MS).toBe(5000)
  })
})

describe('segment names and colours', () => {
  it('hands out distinct palette colours, then cycles', () => {
    expect(new Set(SEGMENT_PALETTE.map((c) => c.toLowerCase())).size).toBe(SEGMENT_PALETTE.length)
    expect(nextSegmentColor([])).toBe(SEGMENT_PALETTE[0])
    expect(nextSegmentColor([SEGMENT_PALETTE[0].toUpperCase()])).toBe(SEGMENT_PALETTE[1])
    expect(nextSegmentColor([SEGMENT_PALETTE[1]])).toBe(SEGMENT_PALETTE[0])
    expect(SEGMENT_PALETTE).toContain(nextSegmentColor([...SEGMENT_PALETTE]))
  })

  it("names 'Segment n' without repeating a name", () => {
    expect(nextSegmentName([])).toBe('Segment 1')
    expect(nextSegmentName(['liver'])).toBe('Segment 2')
    expect(nextSegmentName(['Segment 2', 'x'])).toBe('Segment 3')
    expect(nextSegmentName(['Segment 1', 'Segment 2'])).toBe('Segment 3')
  })
})

describe('device names', () => {
  it('tells headsets from desktops by their browsers', () => {
    const quest3 =
      'Mozilla/5.0 (X11; Linux x86_64; Quest 3) AppleWebKit/537.36 (KHTML, like Gecko) OculusBrowser/35.0 Chrome/126 VR Safari/537.36'
    expect(deviceKind(quest3)).toBe('Quest 3')
    expect(deviceKind('Mozilla/5.0 (X11; Linux x86_64) OculusBrowser/20.0 Chrome/110 VR')).toBe('Quest')
    expect(deviceKind('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Safari/605.1.15', 5)).toBe(
      'Vision Pro',
    )
    expect(deviceKind('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Safari/605.1.15', 0)).toBe('Desktop')
    expect(deviceKind('Mozilla/5.0 (Windows NT 10.0; HoloLens) Edg/120')).toBe('HoloLens 2')
    expect(deviceKind('Mozilla/5.0 (X11; Linux x86_64) Chrome/130 Safari/537.36')).toBe('Desktop')
  })
})

describe('prompt log from history counts and meshes', () => {
  const p = (seq: number): PromptRecord => ({
    seq,
    pointWorldRas: [0, 0, seq],
    positive: true,
    clientId: 'x',
  })

  it('undo and redo move prompts; "one more, redo empty" waits until it is known to be a redo', () => {
    const log = { prompts: [p(1), p(2)], redo: [p(3)] }
    expect(reconcileHistory(log, 2, 1)).toEqual(log)
    expect(reconcileHistory(log, 1, 2)).toEqual({ prompts: [p(1)], redo: [p(3), p(2)] })
    expect(reconcileHistory({ prompts: [p(1)], redo: [p(3), p(2)] }, 2, 1)).toEqual({
      prompts: [p(1), p(2)],
      redo: [p(3)],
    })
    // a redo of the last undone prompt or a new prompt: undecided without the hint…
    expect(reconcileHistory(log, 3, 0)).toEqual(log)
    // …our own redo's ack says which
    expect(reconcileHistory(log, 3, 0, 'redo')).toEqual({ prompts: [p(1), p(2), p(3)], redo: [] })
    // our own new prompt's ack clears the redo stack
    expect(appendPrompt(reconcileHistory(log, 3, 0), p(4))).toEqual({ prompts: [p(1), p(2), p(4)], redo: [] })
    expect(reconcileHistory(log, 0, 0)).toEqual({ prompts: [], redo: [] })
  })

  it('a mesh fixes the log: folded prompts (not undone since) plus those queued after its fold', () => {
    const known = new Map([1, 2, 3].map((s) => [s, p(s)] as const))
    // 3 was undone after the fold started; 4 is ours, still queued
    expect(syncWithMesh({ prompts: [p(1), p(2), p(4)], redo: [p(3)] }, known, [1, 2, 3])).toEqual({
      prompts: [p(1), p(2), p(4)],
      redo: [p(3)],
    })
    // 3 came back (redone by someone else), 2 is gone (undone or withdrawn before the fold)
    expect(syncWithMesh({ prompts: [p(1), p(2), p(4)], redo: [] }, known, [1, 3])).toEqual({
      prompts: [p(1), p(3), p(4)],
      redo: [],
    })
    expect(syncWithMesh({ prompts: [p(1)], redo: [p(2)] }, known, [])).toEqual({
      prompts: [p(1)],
      redo: [p(2)],
    })
  })
})

describe('mesh revisions', () => {
  it('a decode replaces the shown mesh only when newer, or the same revision refitted', () => {
    expect(supersedes(1, undefined, false)).toBe(true)
    expect(supersedes(3, 2, false)).toBe(true)
    expect(supersedes(2, 3, false)).toBe(false) // an older decode finishing late
    expect(supersedes(3, 3, false)).toBe(false)
    expect(supersedes(3, 3, true)).toBe(true)
    expect(supersedes(2, 3, true)).toBe(false)
  })
})

describe('prompt records in the store', () => {
  it("a mesh with another member's prompt is reported as unknown until a snapshot brings its record", () => {
    forgetPromptLogs()
    const info = { segmentId: 's1', name: 'liver', color: '#e6194b', visible: true, label: 1 }
    useAppStore.setState({
      ...initialState(),
      segments: { s1: emptySegmentView(info) },
      segmentOrder: ['s1'],
    })
    const mine: PromptRecord = { seq: 1, pointWorldRas: [1, 2, 3], positive: true, clientId: 'me' }
    addOwnPrompt('s1', mine, 0)
    expect(applyMeshLog('s1', [1])).toBe(false)
    expect(applyMeshLog('s1', [1, 2])).toBe(true) // seq 2 came from someone else
    expect(useAppStore.getState().segments.s1.prompts.map((p) => p.seq)).toEqual([1])
    const theirs: PromptRecord = { seq: 2, pointWorldRas: [4, 5, 6], positive: false, clientId: 'other' }
    rememberPrompts('s1', [mine, theirs], 0)
    expect(applyMeshLog('s1', [1, 2])).toBe(false)
    expect(useAppStore.getState().segments.s1.prompts).toEqual([mine, theirs])
  })
})
