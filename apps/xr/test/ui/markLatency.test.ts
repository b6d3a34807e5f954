import { beforeEach, describe, expect, it } from 'vitest'
import { initialState, markLatency, useAppStore } from '../../src/state/store.ts'
import { latencyHistory } from '../../src/ui/latency.ts'

describe('markLatency (what the latency readout reads)', () => {
  beforeEach(() => useAppStore.setState(initialState()))

  it('keeps the first frame that showed a prompt when a later revision lists it again', () => {
    useAppStore.setState({
      latencies: [
        { segmentId: 's1', seq: 1, sentAt: 0 },
        { segmentId: 's1', seq: 2, sentAt: 5000 },
      ],
    })
    markLatency('s1', [1], { shownAt: 1200 })
    // revision 2 reflects prompts 1 and 2 (MeshUpdate.promptSeqs lists all of them)
    markLatency('s1', [1, 2], { shownAt: 6100 })
    expect(latencyHistory(useAppStore.getState().latencies).map((e) => [e.seq, e.ms])).toEqual([
      [2, 1100],
      [1, 1200],
    ])
  })

  it('leaves other segments alone', () => {
    useAppStore.setState({ latencies: [{ segmentId: 's2', seq: 1, sentAt: 0 }] })
    markLatency('s1', [1], { shownAt: 100 })
    expect(useAppStore.getState().latencies[0].shownAt).toBeUndefined()
  })
})
