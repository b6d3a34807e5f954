/**
 * The client's one store (zustand): everything the scene and the panels draw from. Data flows one way:
 * server events → controller/ (decoding meshes in a worker) → this store → scene/ and ui/. Components never
 * talk to the socket; they call the actions in controller/actions.ts, which send and later land here.
 *
 * Coordinates: every point in this store is world RAS millimetres (the server's frame), never scene
 * metres. scene/caseFrame.ts is the one place that converts.
 */
import { create } from 'zustand'
import type {
  CaseInfo,
  MemberInfo,
  PresenceRelay,
  PromptRecord,
  SegmentInfo,
  StageTimings,
  Vec3,
  WindowPreset,
} from '@fastsam-xr/protocol'

/** A triangle mesh ready for a BufferGeometry: positions and normals in world RAS mm. */
export interface DecodedMesh {
  positions: Float32Array
  normals: Float32Array
  indices: Uint32Array
  triangles: number
}

/** The slice-plane volume (SliceVolume) with its voxels as numbers: value = stored · scale + offset. */
export interface SliceGrid {
  dims: Vec3
  /** voxel (i, j, k, 1) → world RAS mm, row-major 4×4. */
  affine: number[]
  scale: number
  offset: number
  voxels: Int16Array
}

export interface SegmentView {
  info: SegmentInfo
  prompts: PromptRecord[]
  redoCount: number
  /** the latest decoded surface (null before the first inference or while empty). */
  mesh: DecodedMesh | null
  revision: number
  /** the prompts (by seq) the current mesh reflects (for the latency readout). */
  meshPromptSeqs: number[]
  volumeMl: number
  voxels: number
  iou: number | null
  touchesCropBorder: boolean
  /** prompts sent whose mesh has not arrived yet (drives the progress indicator). */
  pendingSeqs: number[]
}

/** One prompt's round trip, for the latency readout (ms since page load, performance.now()). */
export interface PromptLatency {
  segmentId: string
  seq: number
  sentAt: number
  /** the segment:mesh message reached the client. */
  receivedAt?: number
  /** the worker returned the decoded mesh. */
  decodedAt?: number
  /** the first frame that rendered it (set by the scene). */
  shownAt?: number
  server?: StageTimings
}

export type ConnectionStatus = 'connecting' | 'connected' | 'disconnected'

export interface RoomState {
  roomId: string
  token: string
  caseInfo: CaseInfo
  slices: SliceGrid
  /** the server's whole-volume isosurface preview (bone for CT). */
  preview: { threshold: number; mesh: DecodedMesh } | null
  model: string | null
}

export interface ViewSettings {
  previewVisible: boolean
  previewOpacity: number
  slicesVisible: boolean
  /** slice plane positions as fractions 0..1 along the slice grid's i, j, k axes. */
  slicePosition: [number, number, number]
  window: WindowPreset
  /** 1 = real size (1 mm → 1 mm), otherwise the comfortable table-top scale. */
  realSize: boolean
  /** default sign of a primary select in XR (the secondary button / left hand gives the other one). */
  promptPositive: boolean
}

export interface AppMessage {
  id: number
  level: 'info' | 'error'
  text: string
}

export interface AppState {
  connection: { status: ConnectionStatus; clientId: string | null; error: string | null }
  /** what is loading right now ('connecting', 'opening case', 'uploading 40 %'…), null when idle. */
  loading: { label: string; progress: number | null } | null
  room: RoomState | null
  segments: Record<string, SegmentView>
  /** creation order, for the panel. */
  segmentOrder: string[]
  activeSegmentId: string | null
  members: MemberInfo[]
  /** latest presence per other member (never our own). */
  presence: Record<string, PresenceRelay>
  view: ViewSettings
  /** the newest prompt's round trip (and a few before it). */
  latencies: PromptLatency[]
  messages: AppMessage[]
}

export const DEFAULT_VIEW: ViewSettings = {
  previewVisible: true,
  previewOpacity: 0.35,
  slicesVisible: true,
  slicePosition: [0.5, 0.5, 0.5],
  window: { name: 'soft tissue', center: 40, width: 400 },
  realSize: false,
  promptPositive: true,
}

export const initialState = (): AppState => ({
  connection: { status: 'connecting', clientId: null, error: null },
  loading: { label: 'connecting', progress: null },
  room: null,
  segments: {},
  segmentOrder: [],
  activeSegmentId: null,
  members: [],
  presence: {},
  view: { ...DEFAULT_VIEW },
  latencies: [],
  messages: [],
})

export const useAppStore = create<AppState>()(() => initialState())

/** Shallow-merge helpers for the common updates (kept here so every writer updates the same way). */
export function setView(patch: Partial<ViewSettings>): void {
  useAppStore.setState((s) => ({ view: { ...s.view, ...patch } }))
}

let nextMessageId = 1
export function pushMessage(level: AppMessage['level'], text: string): void {
  const id = nextMessageId++
  useAppStore.setState((s) => ({ messages: [...s.messages.slice(-4), { id, level, text }] }))
}

export function dismissMessage(id: number): void {
  useAppStore.setState((s) => ({ messages: s.messages.filter((m) => m.id !== id) }))
}

export function patchSegment(segmentId: string, patch: Partial<SegmentView>): void {
  useAppStore.setState((s) => {
    const current = s.segments[segmentId]
    if (!current) return s
    return { segments: { ...s.segments, [segmentId]: { ...current, ...patch } } }
  })
}

/** `target` with the fields of `patch` it does not have yet (a copy). */
function fillUnset<T extends object>(target: T, patch: Partial<T>): T {
  const out = { ...target }
  for (const key of Object.keys(patch) as (keyof T)[])
    if (out[key] === undefined) out[key] = patch[key] as T[keyof T]
  return out
}

/**
 * Records when a prompt's mesh was first drawn (called by the scene after the frame). First write wins:
 * a mesh update lists every prompt it reflects (MeshUpdate.promptSeqs), so later revisions name the
 * earlier prompts again and must not move their times.
 */
export function markLatency(segmentId: string, seqs: number[], patch: Partial<PromptLatency>): void {
  useAppStore.setState((s) => ({
    latencies: s.latencies.map((l) =>
      l.segmentId === segmentId && seqs.includes(l.seq) ? fillUnset(l, patch) : l,
    ),
  }))
}
