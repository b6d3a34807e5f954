/**
 * A room as data: what survives a restart (and what another node needs to serve the room). The
 * prompt log is the source of truth — masks are replayed from it (the fold is deterministic), so
 * neither masks nor meshes are stored. The token is kept only as its SHA-256.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { PromptRecord, SegmentInfo } from '@fastsam-xr/protocol'

export const ROOM_RECORD_VERSION = 1

export interface SegmentRecord {
  info: SegmentInfo
  prompts: PromptRecord[]
  redo: PromptRecord[]
}

export interface RoomRecord {
  version: typeof ROOM_RECORD_VERSION
  roomId: string
  /** hex SHA-256 of the room token. */
  tokenSha256: string
  caseId: string
  createdAt: string
  nextSeq: number
  segmentCounter: number
  segments: SegmentRecord[]
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/** Constant-time check of a presented token against a stored hash. */
export function tokenMatchesHash(token: string, sha256Hex: string): boolean {
  const a = Buffer.from(hashToken(token), 'hex')
  const b = Buffer.from(sha256Hex, 'hex')
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Structural check of a record read back from storage (a corrupt file must not crash the server). */
export function isRoomRecord(v: unknown): v is RoomRecord {
  const r = v as RoomRecord
  return (
    typeof r === 'object' &&
    r !== null &&
    r.version === ROOM_RECORD_VERSION &&
    typeof r.roomId === 'string' &&
    /^[0-9a-f]{64}$/.test(r.tokenSha256) &&
    typeof r.caseId === 'string' &&
    Number.isInteger(r.nextSeq) &&
    Number.isInteger(r.segmentCounter) &&
    Array.isArray(r.segments) &&
    r.segments.every(
      (s) => typeof s?.info?.segmentId === 'string' && Array.isArray(s.prompts) && Array.isArray(s.redo),
    )
  )
}
