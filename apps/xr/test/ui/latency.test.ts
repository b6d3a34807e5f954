import { describe, expect, it } from 'vitest'
import type { StageTimings } from '@fastsam-xr/protocol'
import type { PromptLatency } from '../../src/state/store.ts'
import { formatStages, latencyHistory, promptToMeshMs } from '../../src/ui/latency.ts'

const timings: StageTimings = {
  queueMs: 0.2,
  encodeMs: 310.4,
  decodeMs: 41.6,
  postprocessMs: 3,
  meshMs: 18.2,
  extendMs: 0,
  totalMs: 373,
}

describe('promptToMeshMs', () => {
  it('is null until the mesh is decoded', () => {
    expect(promptToMeshMs({ segmentId: 's', seq: 1, sentAt: 100, receivedAt: 400 })).toBeNull()
  })
  it('uses the decoded time until a frame showed the mesh', () => {
    expect(promptToMeshMs({ segmentId: 's', seq: 1, sentAt: 100, decodedAt: 450 })).toEqual({
      ms: 350,
      shown: false,
    })
  })
  it('uses the first frame that showed it once known', () => {
    const latency = { segmentId: 's', seq: 1, sentAt: 100, decodedAt: 450, shownAt: 470 }
    expect(promptToMeshMs(latency)).toEqual({ ms: 370, shown: true })
  })
})

describe('latencyHistory', () => {
  const latencies: PromptLatency[] = [
    { segmentId: 'a', seq: 1, sentAt: 0, shownAt: 500 },
    { segmentId: 'a', seq: 2, sentAt: 1000, shownAt: 1400, server: timings },
    { segmentId: 'b', seq: 1, sentAt: 2000, decodedAt: 2300 },
    { segmentId: 'b', seq: 2, sentAt: 3000 },
  ]
  it('lists finished round trips newest first, skipping the one still on its way', () => {
    expect(latencyHistory(latencies).map((e) => [e.segmentId, e.seq, e.ms, e.shown])).toEqual([
      ['b', 1, 300, false],
      ['a', 2, 400, true],
      ['a', 1, 500, true],
    ])
  })
  it('keeps at most `count` entries and the server timings', () => {
    const history = latencyHistory(latencies, 2)
    expect(history).toHaveLength(2)
    expect(history[1].server).toBe(timings)
  })
  it('is empty before any prompt', () => {
    expect(latencyHistory([])).toEqual([])
  })
})

describe('formatStages', () => {
  it('names encode, decode and mesh, and extension or queueing only when they cost something', () => {
    expect(formatStages(timings)).toBe('encode 310 ms · decode 42 ms · mesh 18 ms')
    expect(formatStages({ ...timings, extendMs: 620, queueMs: 35 })).toBe(
      'encode 310 ms · decode 42 ms · extend 620 ms · mesh 18 ms · queue 35 ms',
    )
  })
})
