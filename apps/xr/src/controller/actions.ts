/**
 * Everything the scene and the panels can ask of the server. Components call these, never the socket;
 * results land in the store (state/store.ts). None of them throws or rejects: a failure becomes a
 * message in `store.messages` (the server's own one-line message where there is one).
 *
 * Points are world RAS millimetres (scene/caseFrame.ts converts from the scene).
 */
import type { CaseSummary, PresenceUpdate, SegmentInfo, Vec3 } from '@fastsam-xr/protocol'
import { pushMessage, useAppStore, type PromptLatency } from '../state/store.ts'
import { displayName } from './displayName.ts'
import { nextSegmentColor, nextSegmentName } from './palette.ts'
import { createRepeatFilter, createThrottle, PRESENCE_INTERVAL_MS } from './presence.ts'
import { errorText, request, RequestError } from './request.ts'
import { applySnapshot } from './room.ts'
import { forgetSegmentMesh, refitToBudget } from './meshUpdates.ts'
import { emptySegmentView } from './snapshot.ts'
import { getSocket } from './socket.ts'
import { uploadBlob, uploadFormatOf } from './upload.ts'

/** Prompt round trips kept for the latency readout. */
export const LATENCY_HISTORY = 20

export type ExportFormat = 'labels.nii.gz' | 'segments.stl' | 'segments.glb'

const state = () => useAppStore.getState()

/** Adds (or updates) a segment in the store from its info (ours or announced by another member). */
export function upsertSegment(info: SegmentInfo): void {
  useAppStore.setState((s) => {
    const current = s.segments[info.segmentId]
    return {
      segments: {
        ...s.segments,
        [info.segmentId]: current ? { ...current, info: { ...info } } : emptySegmentView({ ...info }),
      },
      segmentOrder: s.segmentOrder.includes(info.segmentId)
        ? s.segmentOrder
        : [...s.segmentOrder, info.segmentId],
      // with nothing selected, a segment someone creates becomes ours to prompt into as well
      activeSegmentId: s.activeSegmentId ?? info.segmentId,
    }
  })
  refitToBudget()
}

/** Removes a segment from the store (deleted here or by another member). */
export function removeSegment(segmentId: string): void {
  forgetSegmentMesh(segmentId)
  useAppStore.setState((s) => {
    if (!s.segments[segmentId]) return s
    const segments = { ...s.segments }
    delete segments[segmentId]
    const segmentOrder = s.segmentOrder.filter((id) => id !== segmentId)
    const activeSegmentId =
      s.activeSegmentId === segmentId ? (segmentOrder[segmentOrder.length - 1] ?? null) : s.activeSegmentId
    return { segments, segmentOrder, activeSegmentId }
  })
}

// Two quick clicks before the first segment exists must land in one segment, not create two.
let creatingForPrompt: Promise<string | null> | null = null

/** The active segment, creating 'Segment n' first when there is none. */
async function segmentForPrompt(): Promise<string | null> {
  const s = state()
  if (s.activeSegmentId && s.segments[s.activeSegmentId]) return s.activeSegmentId
  creatingForPrompt ??= createSegment().finally(() => {
    creatingForPrompt = null
  })
  return creatingForPrompt
}

/** Places a prompt into the active segment (creating one first if there is none). */
export function placePrompt(pointRas: Vec3, positive: boolean): void {
  void placePromptNow(pointRas, positive)
}

async function placePromptNow(pointRas: Vec3, positive: boolean): Promise<void> {
  if (!state().room) {
    pushMessage('error', 'no case is open yet')
    return
  }
  const segmentId = await segmentForPrompt()
  if (!segmentId) return
  const pointWorldRas: Vec3 = [pointRas[0], pointRas[1], pointRas[2]]
  const sentAt = performance.now()
  try {
    const reply = await request(getSocket(), 'segment:prompt', { segmentId, pointWorldRas, positive })
    const latency: PromptLatency = { segmentId, seq: reply.seq, sentAt }
    useAppStore.setState((s) => {
      const seg = s.segments[segmentId]
      // the mesh may already reflect it (a coalesced update raced the ack): then it is not pending.
      const done = seg?.meshPromptSeqs.includes(reply.seq) ?? false
      return {
        latencies: [...s.latencies, latency].slice(-LATENCY_HISTORY),
        segments:
          seg && !done
            ? { ...s.segments, [segmentId]: { ...seg, pendingSeqs: [...seg.pendingSeqs, reply.seq] } }
            : s.segments,
      }
    })
  } catch (err) {
    pushMessage('error', `prompt not placed: ${errorText(err)}`)
  }
}

/** Creates a segment (default name 'Segment n' and the next free palette colour) and makes it active. */
export async function createSegment(name?: string, color?: string): Promise<string | null> {
  const s = state()
  const existing = s.segmentOrder.map((id) => s.segments[id]?.info).filter((i) => i !== undefined)
  try {
    const reply = await request(getSocket(), 'segment:create', {
      name: name ?? nextSegmentName(existing.map((i) => i.name)),
      color: color ?? nextSegmentColor(existing.map((i) => i.color)),
    })
    upsertSegment(reply.segment)
    useAppStore.setState({ activeSegmentId: reply.segment.segmentId })
    return reply.segment.segmentId
  } catch (err) {
    pushMessage('error', `segment not created: ${errorText(err)}`)
    return null
  }
}

export function updateSegment(
  segmentId: string,
  patch: { name?: string; color?: string; visible?: boolean },
): void {
  void request(getSocket(), 'segment:update', { segmentId, ...patch })
    .then((reply) => upsertSegment(reply.segment))
    .catch((err: unknown) => pushMessage('error', `segment not changed: ${errorText(err)}`))
}

export function deleteSegment(segmentId: string): void {
  void request(getSocket(), 'segment:delete', { segmentId })
    .then(() => removeSegment(segmentId))
    .catch((err: unknown) => pushMessage('error', `segment not deleted: ${errorText(err)}`))
}

export function selectSegment(segmentId: string): void {
  if (state().segments[segmentId]) useAppStore.setState({ activeSegmentId: segmentId })
}

function historyEdit(event: 'segment:undo' | 'segment:redo' | 'segment:reset', segmentId?: string): void {
  const id = segmentId ?? state().activeSegmentId
  if (!id) return
  void request(getSocket(), event, { segmentId: id })
    // the markers follow from the segment:history event the server sends everyone (us included).
    .then(() => undefined)
    .catch((err: unknown) => {
      const nothing = err instanceof RequestError && err.code === 'nothing-to-undo'
      pushMessage(nothing ? 'info' : 'error', errorText(err))
    })
}

export function undo(segmentId?: string): void {
  historyEdit('segment:undo', segmentId)
}

export function redo(segmentId?: string): void {
  historyEdit('segment:redo', segmentId)
}

/** Removes every prompt of the segment (default: the active one). */
export function resetSegment(segmentId?: string): void {
  historyEdit('segment:reset', segmentId)
}

export async function listCases(): Promise<CaseSummary[]> {
  try {
    return (await request(getSocket(), 'cases:list', {})).cases
  } catch (err) {
    pushMessage('error', `cases could not be listed: ${errorText(err)}`)
    return []
  }
}

/** Ends a loading stage unless a later stage has replaced it. */
export function clearLoading(label: string): void {
  if (useAppStore.getState().loading?.label === label) useAppStore.setState({ loading: null })
}

/** Opens a case in a new room (this client joins it; the URL becomes the room's share link). */
export async function openCase(caseId: string): Promise<void> {
  useAppStore.setState({ loading: { label: 'opening case', progress: null } })
  try {
    const reply = await request(getSocket(), 'case:open', { caseId, displayName: displayName() }, 120_000)
    // the snapshot may start the next stage ('decoding preview'): no idle gap between the two
    applySnapshot(reply.roomId, reply.token, reply.snapshot)
    clearLoading('opening case')
  } catch (err) {
    useAppStore.setState({ loading: null })
    pushMessage('error', `the case failed to open: ${errorText(err)}`)
  }
}

/** Uploads a NIfTI (.nii, .nii.gz) or zipped DICOM series (.zip) and opens it. */
export async function uploadVolume(file: File): Promise<void> {
  const format = uploadFormatOf(file.name)
  if (!format) {
    pushMessage(
      'error',
      'upload refused: choose a NIfTI file (.nii, .nii.gz) or a zipped DICOM series (.zip)',
    )
    return
  }
  useAppStore.setState({ loading: { label: 'uploading 0 %', progress: 0 } })
  let summary: CaseSummary
  try {
    summary = await uploadBlob(getSocket(), file, format, {
      onProgress: (received, size) =>
        useAppStore.setState({
          // once every byte is there the server reads the volume (seconds for a large one)
          loading:
            received < size
              ? { label: `uploading ${Math.floor((100 * received) / size)} %`, progress: received / size }
              : { label: 'reading the volume', progress: null },
        }),
    })
  } catch (err) {
    useAppStore.setState({ loading: null })
    pushMessage('error', `upload refused: ${errorText(err)}`)
    return
  }
  await openCase(summary.caseId)
}

const changedOrDue = createRepeatFilter<PresenceUpdate>()

const sendPresenceThrottled = createThrottle<PresenceUpdate>((update) => {
  const socket = getSocket()
  // volatile: a pose that cannot go now is worthless later (no buffering while disconnected).
  if (socket.connected && state().room && changedOrDue(update))
    socket.volatile.emit('presence:update', update)
}, PRESENCE_INTERVAL_MS)

/** Our head/hands/pointer for the others (≤ 20 Hz, an unchanged pose once a second; dropped while not in a room). */
export function sendPresence(update: PresenceUpdate): void {
  if (!state().room) return
  sendPresenceThrottled(update)
}

/** Where the export of this room downloads from (same origin, token in the query), or null outside a room. */
export function exportUrl(format: ExportFormat): string | null {
  const room = state().room
  if (!room) return null
  const url = new URL(`rooms/${encodeURIComponent(room.roomId)}/export/${format}`, location.origin + '/')
  url.searchParams.set('token', room.token)
  return url.toString()
}

/** The link another participant opens to join this room. */
export function shareUrl(): string | null {
  const room = state().room
  if (!room) return null
  const url = new URL(location.href)
  url.search = ''
  url.hash = ''
  url.searchParams.set('room', room.roomId)
  url.searchParams.set('token', room.token)
  return url.toString()
}
