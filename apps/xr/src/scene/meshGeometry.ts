/**
 * DecodedMesh (RAS mm, from the mesh worker) → BufferGeometry, and its bounding-volume hierarchy built
 * in a Web Worker (bvh.worker.ts) so rays hit large meshes fast without a main-thread stall: building
 * the tree of the 110k-triangle demo preview takes ~0.5 s of CPU here. Until the tree arrives,
 * three-mesh-bvh's accelerated raycast falls back to the brute-force one. Should the worker fail
 * (it could not start, it crashed), that tree is built on the main thread and the next one tries a
 * fresh worker.
 */
import { useEffect, useMemo } from 'react'
import { BufferAttribute, BufferGeometry } from 'three'
import { MeshBVH } from 'three-mesh-bvh'
import type { DecodedMesh } from '../state/store.ts'
import type { BvhReply, BvhRequest } from './bvh.worker.ts'

/** Shares the worker's typed arrays (no copy). */
export function geometryFromMesh(mesh: DecodedMesh): BufferGeometry {
  const g = new BufferGeometry()
  g.setAttribute('position', new BufferAttribute(mesh.positions, 3))
  g.setAttribute('normal', new BufferAttribute(mesh.normals, 3))
  g.setIndex(new BufferAttribute(mesh.indices, 1))
  g.computeBoundingSphere()
  g.computeBoundingBox()
  return g
}

type Serialized = Extract<BvhReply, { serialized: unknown }>['serialized']
interface Pending {
  resolve(serialized: Serialized): void
  reject(error: Error): void
}

let worker: Worker | null = null
let nextId = 1
const pending = new Map<number, Pending>()

function failAll(error: Error): void {
  for (const job of pending.values()) job.reject(error)
  pending.clear()
}

function bvhWorker(): Worker {
  if (worker) return worker
  const w = new Worker(new URL('./bvh.worker.ts', import.meta.url), { type: 'module' })
  w.onmessage = ({ data }: MessageEvent<BvhReply>) => {
    const job = pending.get(data.id)
    pending.delete(data.id)
    if (data.error !== undefined) job?.reject(new Error(data.error))
    else job?.resolve(data.serialized)
  }
  w.onerror = (e) => {
    // handled here (main-thread fallback), not an uncaught page error
    e.preventDefault()
    w.terminate()
    if (worker === w) worker = null
    failAll(new Error(`BVH worker failed: ${e.message ?? 'could not start'}`))
  }
  worker = w
  return w
}

/** The serialized tree of `geometry`, built in the worker from copies of its position and index arrays. */
function buildInWorker(geometry: BufferGeometry): Promise<Serialized> {
  return new Promise((resolve, reject) => {
    const id = nextId++
    const request: BvhRequest = {
      id,
      position: (geometry.attributes.position.array as Float32Array).slice(),
      index: (geometry.index!.array as Uint32Array).slice(),
    }
    try {
      const w = bvhWorker()
      pending.set(id, { resolve, reject })
      w.postMessage(request, [request.position.buffer, request.index.buffer])
    } catch (e) {
      pending.delete(id)
      reject(e instanceof Error ? e : new Error(String(e)))
    }
  })
}

/** Gives `geometry` its boundsTree soon (worker, else main thread). Returns a cancel function. */
export function scheduleBoundsTree(geometry: BufferGeometry): () => void {
  let cancelled = false
  if (!geometry.index || geometry.index.count === 0) return () => undefined
  const t0 = performance.now()
  const adopt = (bvh: () => MeshBVH) => {
    if (cancelled || geometry.boundsTree) return
    geometry.boundsTree = bvh()
    // wall time from request to tree, for the client benchmark (performance.getEntriesByName)
    performance.measure('fsx:bvh', { start: t0, end: performance.now() })
  }
  buildInWorker(geometry).then(
    // the tree indexes the original arrays: same triangles, index order untouched (indirect)
    (serialized) => adopt(() => MeshBVH.deserialize(serialized, geometry, { setIndex: false })),
    () => setTimeout(() => adopt(() => new MeshBVH(geometry, { indirect: true })), 0),
  )
  return () => {
    cancelled = true
  }
}

/**
 * A decoded mesh as a BufferGeometry (null while empty) whose BVH is built in the worker; disposed
 * when the mesh is replaced or the component goes away.
 */
export function usePickableGeometry(decoded: DecodedMesh | null): BufferGeometry | null {
  const geometry = useMemo(
    () => (decoded && decoded.triangles > 0 ? geometryFromMesh(decoded) : null),
    [decoded],
  )
  useEffect(() => {
    if (!geometry) return
    const cancel = scheduleBoundsTree(geometry)
    return () => {
      cancel()
      geometry.dispose()
    }
  }, [geometry])
  return geometry
}
