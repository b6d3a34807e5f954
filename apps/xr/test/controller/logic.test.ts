/** Pure client logic: the triangle budget split, the presence throttle and staleness, segment names and colours, device names and the prompt markers. */
import type { PresenceRelay, PromptRecord } from '@fastsam-xr/protocol'
import { describe, expect, it } from 'vitest'
import {
  MIN_SEGMENT_SHARES,
  PREVIEW_TRIANGLE_BUDGET,
  segmentTriangleBudget,
  TRIANGLE_BUDGET,
} from '../../src/mesh/budget.ts'
import { deviceKind } from '../../src/controller/displayName.ts'
import { setPromptLog, withdrawPrompts } from '../../src/controller/promptLogs.ts'
import { supersedes } from '../../src/controller/meshUpdates.ts'
import { emptySegmentView } from '../../src/controller/snapshot.ts'
import { initialState, useAppStore } from '../../src/state/store.ts'
import { nextSegmentColor, nextSegmentName, SEGMENT_PALETTE } from '../../src/controller/palette.ts'
import {
  createRepeatFilter,
  createThrottle,
  freshPresence,
  PRESENCE_KEEPALIVE_MS,
  PRESENCE_STALE_MS,
} from '../../src/controller/presence.ts'

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

describe('prompt markers in the store', () => {
  it('take the log a history event states, and drop undone or withdrawn prompts from pending', () => {
    const info = { segmentId: 's1', name: 'liver', color: '#e6194b', visible: true, label: 1 }
    useAppStore.setState({
      ...initialState(),
      segments: { s1: { ...emptySegmentView(info), pendingSeqs: [1, 2] } },
      segmentOrder: ['s1'],
    })
    const mine: PromptRecord = { seq: 1, pointWorldRas: [1, 2, 3], positive: true, clientId: 'me' }
    const theirs: PromptRecord = { seq: 2, pointWorldRas: [4, 5, 6], positive: false, clientId: 'other' }
    setPromptLog('s1', [mine, theirs], 0)
    expect(useAppStore.getState().segments.s1.prompts).toEqual([mine, theirs])
    expect(useAppStore.getState().segments.s1.pendingSeqs).toEqual([1, 2])
    setPromptLog('s1', [mine], 1) // the other member undid theirs
    expect(useAppStore.getState().segments.s1).toMatchObject({
      prompts: [mine],
      redoCount: 1,
      pendingSeqs: [1],
    })
    withdrawPrompts('s1', [1])
    expect(useAppStore.getState().segments.s1).toMatchObject({ prompts: [], pendingSeqs: [] })
    setPromptLog('unknown', [mine], 0) // a segment this client does not have: ignored
    expect(useAppStore.getState().segments.unknown).toBeUndefined()
  })
})
