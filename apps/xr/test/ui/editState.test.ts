import { describe, expect, it } from 'vitest'
import type { RoomState, SegmentView } from '../../src/state/store.ts'
import { initialState } from '../../src/state/store.ts'
import { editState } from '../../src/ui/editState.ts'

const segment = (prompts: number, redoCount: number): SegmentView => ({
  info: { segmentId: 's1', name: 'Liver', color: '#e6194b', visible: true, label: 1 },
  prompts: Array.from({ length: prompts }, (_, n) => ({
    seq: n + 1,
    pointWorldRas: [0, 0, 0],
    positive: true,
    clientId: 'c1',
  })),
  redoCount,
  mesh: null,
  revision: 0,
  meshPromptSeqs: [],
  volumeMl: 0,
  voxels: 0,
  iou: null,
  touchesCropBorder: false,
  pendingSeqs: [],
})

// editState reads only whether a room is open, not what is in it
const room = {} as RoomState
const connected = { status: 'connected' as const, clientId: 'c1', error: null }

describe('editState', () => {
  it('allows nothing before a room is open', () => {
    expect(editState(initialState())).toEqual({ canEdit: false, canUndo: false, canRedo: false })
  })
  it('allows a new segment but no undo/redo without an active segment', () => {
    const s = { ...initialState(), room, connection: connected }
    expect(editState(s)).toEqual({ canEdit: true, canUndo: false, canRedo: false })
  })
  it('follows the active segment: prompts → undo, undone prompts → redo', () => {
    const base = { ...initialState(), room, connection: connected, activeSegmentId: 's1' }
    expect(editState({ ...base, segments: { s1: segment(2, 0) } })).toEqual({
      canEdit: true,
      canUndo: true,
      canRedo: false,
    })
    expect(editState({ ...base, segments: { s1: segment(0, 1) } })).toEqual({
      canEdit: true,
      canUndo: false,
      canRedo: true,
    })
  })
  it('allows no edits while the server is unreachable', () => {
    const s = {
      ...initialState(),
      room,
      connection: { status: 'disconnected' as const, clientId: 'c1', error: 'connection lost' },
      activeSegmentId: 's1',
      segments: { s1: segment(2, 1) },
    }
    expect(editState(s)).toEqual({ canEdit: false, canUndo: false, canRedo: false })
  })
})
