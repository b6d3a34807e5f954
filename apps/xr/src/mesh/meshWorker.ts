/**
 * The mesh worker: decodes wire bytes (marching cubes of a mask, or a triangle mesh), fits them into
 * their triangle budget and transfers the arrays back, so the main thread never spends a frame on a
 * mesh update. Requests are answered in arrival order.
 */
import { decodeForBudget, meshWorkReady } from './decodeForBudget.ts'
import type { DecodeRequest, DecodeResponse } from './messages.ts'

const post = (response: DecodeResponse, transfer: Transferable[] = []): void =>
  (self as unknown as { postMessage(m: unknown, t: Transferable[]): void }).postMessage(response, transfer)

self.addEventListener('message', (event: MessageEvent<DecodeRequest>) => {
  const { id, bytes, targetTriangles } = event.data
  void meshWorkReady.then(() => {
    try {
      const started = performance.now()
      const mesh = decodeForBudget(new Uint8Array(bytes), targetTriangles)
      const workerMs = performance.now() - started
      post({ id, ok: true, mesh, workerMs }, [
        mesh.positions.buffer,
        mesh.normals.buffer,
        mesh.indices.buffer,
      ])
    } catch (err) {
      post({ id, ok: false, message: err instanceof Error ? err.message : String(err) })
    }
  })
})
