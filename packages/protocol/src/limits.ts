/** Bounds every inbound payload is validated against (shared so a client can check before sending). */
export const LIMITS = {
  /** longest id (room, segment, case, upload) in characters. */
  idLength: 64,
  /** longest display name (segments, members). */
  nameLength: 64,
  /** segments per room. */
  segmentsPerRoom: 64,
  /** prompts kept per segment (history + redo). */
  promptsPerSegment: 256,
  /** hands/controllers per presence update. */
  handsPerPresence: 4,
  /** one upload chunk at most (bytes). */
  uploadChunkBytes: 1 << 20,
  /** absolute coordinate bound in mm (anything beyond is not a patient). */
  coordinateMm: 1e5,
} as const
