/** Messages between the main thread (meshClient.ts) and the mesh worker (meshWorker.ts). */
import type { DecodedMesh } from '../state/store.ts'

export interface DecodeRequest {
  id: number
  /** the mesh package's wire bytes (transferred: the sender gives them up). */
  bytes: ArrayBuffer
  /** triangles the result may have at most. */
  targetTriangles: number
}

export type DecodeResponse =
  { id: number; ok: true; mesh: DecodedMesh; workerMs: number } | { id: number; ok: false; message: string }
