/**
 * Builds a mesh's bounding-volume hierarchy (three-mesh-bvh, indirect: the index order is kept) off the
 * main thread. In: { id, position: Float32Array (xyz), index: Uint32Array } (transferred copies).
 * Out: { id, serialized } (MeshBVH.serialize, its buffers transferred) or { id, error }.
 */
import { BufferAttribute, BufferGeometry } from 'three'
import { MeshBVH } from 'three-mesh-bvh'

export interface BvhRequest {
  id: number
  position: Float32Array
  index: Uint32Array
}

export type BvhReply =
  | { id: number; serialized: ReturnType<typeof MeshBVH.serialize>; error?: undefined }
  | { id: number; error: string }

self.onmessage = ({ data }: MessageEvent<BvhRequest>) => {
  const { id, position, index } = data
  try {
    const geometry = new BufferGeometry()
    geometry.setAttribute('position', new BufferAttribute(position, 3))
    geometry.setIndex(new BufferAttribute(index, 1))
    const bvh = new MeshBVH(geometry, { indirect: true })
    const serialized = MeshBVH.serialize(bvh, { cloneBuffers: false })
    const buffers = new Set<ArrayBufferLike>(serialized.roots)
    if (serialized.indirectBuffer) buffers.add(serialized.indirectBuffer.buffer)
    if (serialized.index) buffers.add(serialized.index.buffer)
    const reply: BvhReply = { id, serialized }
    ;(self as unknown as Worker).postMessage(reply, [...buffers] as Transferable[])
  } catch (e) {
    const reply: BvhReply = { id, error: e instanceof Error ? e.message : String(e) }
    ;(self as unknown as Worker).postMessage(reply)
  }
}
