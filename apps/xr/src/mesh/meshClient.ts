/**
 * Promise-based client of the mesh worker: one worker for the page, requests matched to responses by
 * id. The bytes are copied before they are transferred, so the caller keeps its own (the net layer
 * keeps a segment's last wire bytes to re-fit them when the budget shrinks).
 */
import type { DecodedMesh } from '../state/store.ts'
import type { DecodeRequest, DecodeResponse } from './messages.ts'

let worker: Worker | null = null
let nextId = 1
const waiting = new Map<number, { resolve(mesh: DecodedMesh): void; reject(err: Error): void }>()

function meshWorker(): Worker {
  if (worker) return worker
  worker = new Worker(new URL('./meshWorker.ts', import.meta.url), { type: 'module', name: 'mesh' })
  worker.addEventListener('message', (event: MessageEvent<DecodeResponse>) => {
    const r = event.data
    const w = waiting.get(r.id)
    if (!w) return
    waiting.delete(r.id)
    if (r.ok) w.resolve(r.mesh)
    else w.reject(new Error(`mesh decode failed: ${r.message}`))
  })
  worker.addEventListener('error', (event) => {
    // A worker that failed to load answers nothing: fail everything waiting rather than hang.
    for (const w of waiting.values()) w.reject(new Error(`mesh worker failed: ${event.message}`))
    waiting.clear()
  })
  return worker
}

/** A worker that never answers (it failed to start, or died) must not leave a mesh pending forever. */
export const DECODE_TIMEOUT_MS = 60_000

/** Decodes wire bytes in the worker into a mesh of at most `targetTriangles` triangles. */
export function decodeInWorker(bytes: Uint8Array, targetTriangles: number): Promise<DecodedMesh> {
  const copy = bytes.slice().buffer
  const id = nextId++
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiting.delete(id)
      reject(new Error(`the mesh worker did not answer within ${DECODE_TIMEOUT_MS / 1000} s`))
    }, DECODE_TIMEOUT_MS)
    waiting.set(id, {
      resolve: (mesh) => {
        clearTimeout(timer)
        resolve(mesh)
      },
      reject: (err) => {
        clearTimeout(timer)
        reject(err)
      },
    })
    const request: DecodeRequest = { id, bytes: copy, targetTriangles }
    meshWorker().postMessage(request, [copy])
  })
}
