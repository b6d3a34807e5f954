/**
 * Server→client payload shapes. Binary fields are Uint8Array on the sending side; a browser receives
 * them as ArrayBuffer (Socket.IO's binary attachments), Node as Buffer. Never JSON arrays of numbers.
 */
import type { ErrorCode, ProtocolError } from './reply.ts'
import type { Pose } from './schemas.ts'

export type { Vec3 } from '@fastsam-xr/geometry'
import type { Vec3 } from '@fastsam-xr/geometry'

/** Binary on the wire: a Uint8Array when sent, ArrayBuffer (browser) or Buffer (Node) when received. */
export type Binary = Uint8Array | ArrayBuffer

export interface WindowPreset {
  name: string
  /** window centre and width, in the volume's value units (HU for CT). */
  center: number
  width: number
}

/** A case the server can open (built-in demo, a file in its data folder, or an upload). */
export interface CaseSummary {
  caseId: string
  /** display label; never patient identifiers. */
  label: string
  kind: 'demo' | 'data' | 'upload'
}

export interface CaseInfo extends CaseSummary {
  /** voxels along i, j, k (i fastest). */
  dims: Vec3
  /** voxel (i, j, k, 1) → world RAS mm, row-major 4×4 (16 numbers). */
  affine: number[]
  /** voxel size along i, j, k in mm. */
  spacingMm: Vec3
  modality: string
  /** smallest and largest voxel value. */
  valueRange: [number, number]
  windowPresets: WindowPreset[]
}

/** Isosurface preview of the whole volume (mesh package wire format, triangle kind). */
export interface PreviewMesh {
  /** the iso value (HU for CT: bone). */
  threshold: number
  triangles: number
  mesh: Binary
}

/**
 * A downsampled copy of the volume for the client's slice planes: `data` holds dims[0]·dims[1]·dims[2]
 * little-endian int16 values (i fastest); the voxel value is `stored · scale + offset`.
 */
export interface SliceVolume {
  dims: Vec3
  /** voxel → world RAS mm of the downsampled grid, row-major 4×4. */
  affine: number[]
  /** downsampling factor per axis relative to the volume. */
  factor: number
  valueType: 'int16'
  scale: number
  offset: number
  data: Binary
}

export interface PromptRecord {
  seq: number
  pointWorldRas: Vec3
  positive: boolean
  /** the member who placed it. */
  clientId: string
}

export interface SegmentInfo {
  segmentId: string
  name: string
  color: string
  visible: boolean
  /** label value in the exported label map (1..255). */
  label: number
}

/** Milliseconds per stage of one inference job. */
export interface StageTimings {
  queueMs: number
  encodeMs: number
  decodeMs: number
  postprocessMs: number
  meshMs: number
  /**
   * extending the mask across crop faces (`MeshUpdate.extendedFaces`): the neighbouring crops'
   * encodes (≈ 0.3–0.8 s each on CPU unless cached) and decodes, and keeping their continuing part.
   * Included in totalMs, not in encodeMs/decodeMs.
   */
  extendMs: number
  totalMs: number
}

/** A face of the model's 128³ crop: `axis` 0/1/2 = canonical R/A/S crop axis, `side` −1 = low, 1 = high. */
export interface CropFace {
  axis: 0 | 1 | 2
  side: -1 | 1
}

/**
 * One mesh update of a segment: its whole current surface (mask kind of the mesh package's wire
 * format: the receiver re-meshes the mask exactly; an empty segment is a 1-voxel empty box).
 */
export interface MeshUpdate {
  segmentId: string
  /** increases by one with every update of this segment. */
  revision: number
  /** the prompts (by seq) the mesh reflects; coalesced prompts share one update. */
  promptSeqs: number[]
  mesh: Binary
  volumeMl: number
  /** voxels inside. */
  voxels: number
  /** the decoder's predicted IoU of the last pass (null for an empty/reset segment). */
  iou: number | null
  /**
   * The current crop's mask reaches a face of the model's 128³ crop: the object may continue beyond
   * it. A click there re-centres the crop and extends the mask.
   */
  touchesCropBorder: boolean
  /**
   * The faces of the current crop the server extended the mask across (a neighbouring crop overlapping
   * by half a crop, decoded from this one's result; its part continuing this mask was added): faces
   * where the volume continues, most touched first, at most two. Empty when none or when the server
   * runs with crop extension off.
   */
  extendedFaces: CropFace[]
  timings: StageTimings
}

export interface SegmentSnapshot {
  segment: SegmentInfo
  prompts: PromptRecord[]
  /** prompts undone and not yet redone (newest last). */
  redoCount: number
  /** the latest mesh, or null when no inference ran yet. */
  mesh: MeshUpdate | null
}

export interface MemberInfo {
  clientId: string
  displayName: string
}

/** Everything a client needs to show a room: sent to whoever opens or joins it (late joiners too). */
export interface RoomSnapshot {
  roomId: string
  protocolVersion: number
  case: CaseInfo
  preview: PreviewMesh | null
  slices: SliceVolume
  segments: SegmentSnapshot[]
  members: MemberInfo[]
  /** the model's name, or null when the server runs without one. */
  model: string | null
}

export interface PresenceRelay {
  clientId: string
  head: Pose
  hands?: Pose[]
  pointer?: Vec3
  /** server time (ms since epoch) when relayed. */
  t: number
}

export interface ServerHello {
  protocolVersion: number
  clientId: string
  model: string | null
}

export interface SegmentFailure {
  segmentId: string
  /** the prompts that were withdrawn because inference failed on them. */
  withdrawnSeqs: number[]
  error: ProtocolError & { code: ErrorCode }
}

export interface UploadStatus {
  uploadId: string
  /** bytes received so far (resume from here). */
  received: number
  size: number
  /** largest chunk the server accepts. */
  chunkBytes: number
}

export interface HistoryStatus {
  promptCount: number
  redoCount: number
}

/**
 * A segment's history changed (prompt queued, undo, redo, reset, a prompt withdrawn): its whole
 * current prompt log, so every member draws everyone's prompt markers at once (≤ 256 records).
 */
export interface HistoryUpdate extends HistoryStatus {
  segmentId: string
  /** the prompts in force, oldest first (undone ones excluded). */
  prompts: PromptRecord[]
}
