/**
 * DecodedMesh (RAS mm, from the mesh worker) → BufferGeometry, and a bounding-volume hierarchy built off
 * the critical path so rays hit large meshes fast (three-mesh-bvh's accelerated raycast falls back to
 * the brute-force one until the tree exists).
 */
import { BufferAttribute, BufferGeometry } from 'three'
import { MeshBVH } from 'three-mesh-bvh'
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

/**
 * Builds the geometry's BVH after the frame that first shows it (so a mesh update is on screen before
 * the tree's cost); `indirect` keeps the index buffer untouched (it is already on the GPU). Returns a
 * cancel function for when the geometry is replaced first.
 */
export function scheduleBoundsTree(geometry: BufferGeometry): () => void {
  let cancelled = false
  const build = () => {
    if (cancelled || geometry.boundsTree || !geometry.index || geometry.index.count === 0) return
    geometry.boundsTree = new MeshBVH(geometry, { indirect: true })
  }
  const idle = (globalThis as { requestIdleCallback?: (cb: () => void, o?: { timeout: number }) => number })
    .requestIdleCallback
  const handle = idle ? idle(build, { timeout: 500 }) : setTimeout(build, 50)
  return () => {
    cancelled = true
    const cancelIdle = (globalThis as { cancelIdleCallback?: (h: number) => void }).cancelIdleCallback
    if (idle && cancelIdle) cancelIdle(handle as number)
    else clearTimeout(handle as ReturnType<typeof setTimeout>)
  }
}
