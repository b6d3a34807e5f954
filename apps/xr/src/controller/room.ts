/**
 * Entering a room: the snapshot (case, slice volume, preview, segments, members) → the store, the
 * preview and segment meshes decoded in the worker, the room written into the page URL so the link
 * can be shared. Used for case:open, room:join and the re-join after a reconnect.
 */
import type { RoomSnapshot } from '@fastsam-xr/protocol'
import { decodeInWorker } from '../mesh/meshClient.ts'
import { PREVIEW_TRIANGLE_BUDGET } from '../mesh/budget.ts'
import { pushMessage, useAppStore, type SegmentView } from '../state/store.ts'
import { forgetSegmentMesh, forgetSegmentMeshes, refitToBudget, showSnapshotMesh } from './meshUpdates.ts'
import { asBytes, segmentViewFromSnapshot, serverRestarted, sliceGridFromVolume } from './snapshot.ts'

/** Room id and token from the page URL (`?room=<id>&token=<t>`), if both are there. */
export function roomFromUrl(href: string = location.href): { roomId: string; token: string } | null {
  const params = new URL(href).searchParams
  const roomId = params.get('room')
  const token = params.get('token')
  return roomId && token ? { roomId, token } : null
}

/** The page URL with this room in it (other query parameters kept). */
export function urlWithRoom(href: string, roomId: string, token: string): string {
  const url = new URL(href)
  url.searchParams.set('room', roomId)
  url.searchParams.set('token', token)
  return url.toString()
}

let previewRequest = 0

export function applySnapshot(roomId: string, token: string, snapshot: RoomSnapshot): void {
  const before = useAppStore.getState()
  const sameRoom = before.room?.roomId === roomId
  if (!sameRoom) {
    forgetSegmentMeshes()
  }
  const segments: Record<string, SegmentView> = {}
  for (const s of snapshot.segments) {
    const previous = sameRoom ? before.segments[s.segment.segmentId] : undefined
    if (previous && serverRestarted(s, previous)) forgetSegmentMesh(s.segment.segmentId)
    segments[s.segment.segmentId] = segmentViewFromSnapshot(s, previous)
  }
  const segmentOrder = snapshot.segments.map((s) => s.segment.segmentId)
  const active = before.activeSegmentId && segments[before.activeSegmentId] ? before.activeSegmentId : null
  // A reconnect into the same room keeps the case, slices and decoded preview as they are (a room's
  // case cannot change), so the scene does not rebuild its textures and meshes.
  const kept = sameRoom ? before.room : null
  useAppStore.setState({
    room: {
      roomId,
      token,
      caseInfo: kept?.caseInfo ?? snapshot.case,
      slices: kept?.slices ?? sliceGridFromVolume(snapshot.slices),
      preview: kept?.preview ?? null,
      model: snapshot.model,
    },
    segments,
    segmentOrder,
    activeSegmentId: active ?? segmentOrder[0] ?? null,
    members: snapshot.members,
    presence: sameRoom ? before.presence : {},
    latencies: sameRoom ? before.latencies : [],
  })
  history.replaceState(history.state, '', urlWithRoom(location.href, roomId, token))
  if (snapshot.model === null && !sameRoom)
    pushMessage('info', 'this server runs without a model: prompts cannot be answered')
  const previewDone = kept?.preview ? Promise.resolve() : decodePreview(roomId, snapshot)
  // segment budgets depend on the preview's size: decode segments once it is known.
  void previewDone.then(() => {
    for (const s of snapshot.segments) if (s.mesh) showSnapshotMesh(s.mesh)
  })
}

async function decodePreview(roomId: string, snapshot: RoomSnapshot): Promise<void> {
  const preview = snapshot.preview
  if (!preview) return
  const request = ++previewRequest
  useAppStore.setState({ loading: { label: 'decoding preview', progress: null } })
  try {
    const mesh = await decodeInWorker(asBytes(preview.mesh), PREVIEW_TRIANGLE_BUDGET)
    if (request !== previewRequest || useAppStore.getState().room?.roomId !== roomId) return
    useAppStore.setState((s) => ({
      room: s.room ? { ...s.room, preview: { threshold: preview.threshold, mesh } } : s.room,
    }))
    refitToBudget()
  } catch (err) {
    pushMessage('error', `the case preview could not be decoded: ${(err as Error).message}`)
  } finally {
    if (request === previewRequest && useAppStore.getState().loading?.label === 'decoding preview')
      useAppStore.setState({ loading: null })
  }
}
