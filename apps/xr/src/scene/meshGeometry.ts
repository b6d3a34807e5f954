/**
 * DecodedMesh (RAS mm, from the mesh worker) → BufferGeometry, and its bounding-volume hierarchy built
 * in a Web Worker (three-mesh-bvh's GenerateMeshBVHWorker) so rays hit large meshes fast without a
 * main-thread stall: building the tree of the 110k-triangle demo preview takes ~0.5 s of CPU here.
 * Until the tree arrives, three-mesh-bvh's accelerated raycast falls back to the brute-force one.
 */
import { BufferAttribute, BufferGeometry } from 'three'
import { MeshBVH } from 'three-mesh-bvh'
import { GenerateMeshBVHWorker } from 'three-mesh-bvh/worker'
import type { DecodedMesh } from '../state/store.ts'

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

// One worker, one job at a time (GenerateMeshBVHWorker refuses a second concurrent job).
let worker: GenerateMeshBVHWorker | null | undefined
let queue: Promise<unknown> = Promise.resolve()

function bvhWorker(): GenerateMeshBVHWorker | null {
  if (worker === undefined) {
    try {
      worker = new GenerateMeshBVHWorker()
    } catch {
      worker = null
    }
  }
  return worker
}

/**
 * The tree of `geometry`, built in the worker from copies of its arrays (the worker takes the arrays
 * it is sent; the originals are shared with the store and already on the GPU). `indirect` leaves the
 * index order alone. The tree raycasts against the copies, which hold the same triangles.
 */
function buildInWorker(geometry: BufferGeometry, w: GenerateMeshBVHWorker): Promise<MeshBVH> {
  const copy = new BufferGeometry()
  copy.setAttribute(
    'position',
    new BufferAttribute((geometry.attributes.position.array as Float32Array).slice(), 3),
  )
  copy.setIndex(new BufferAttribute((geometry.index!.array as Uint32Array).slice(), 1))
  const job = queue.then(() => w.generate(copy, { indirect: true }))
  queue = job.catch(() => undefined)
  return job
}

/** Gives `geometry` its boundsTree soon (worker; main thread when no worker can start). Returns a cancel. */
export function scheduleBoundsTree(geometry: BufferGeometry): () => void {
  let cancelled = false
  if (!geometry.index || geometry.index.count === 0) return () => undefined
  const t0 = performance.now()
  const adopt = (bvh: MeshBVH) => {
    if (cancelled || geometry.boundsTree) return
    geometry.boundsTree = bvh
    // wall time from request to tree, for the client benchmark (performance.getEntriesByName)
    performance.measure('fsx:bvh', { start: t0, end: performance.now() })
  }
  const onMainThread = () => {
    if (!cancelled) adopt(new MeshBVH(geometry, { indirect: true }))
  }
  const w = bvhWorker()
  if (w) buildInWorker(geometry, w).then(adopt, onMainThread)
  else setTimeout(onMainThread, 50)
  return () => {
    cancelled = true
  }
}
