/**
 * Every segment's current surface: one mesh each (one draw call), semi-transparent in the segment's
 * colour, raycast through a BVH. What is in the scene graph is written to sceneRegistry.segments, which
 * the frame probe turns into `shown` / markLatency and the test hooks into sceneStats.
 */
import { useLayoutEffect, useRef } from 'react'
import { FrontSide, type Mesh } from 'three'
import { acceleratedRaycast } from 'three-mesh-bvh'
import { useAppStore } from '../state/store.ts'
import { usePickableGeometry } from './meshGeometry.ts'
import { pickHandlers, shownInScene, throughPreviewTargets } from './picking.ts'
import { sceneRegistry } from './sceneRegistry.ts'

export const SEGMENT_OPACITY = 0.6

export function SegmentMeshes() {
  const order = useAppStore((s) => s.segmentOrder)
  return (
    <group name="segments">
      {order.map((id) => (
        <SegmentMesh key={id} segmentId={id} />
      ))}
    </group>
  )
}

function SegmentMesh({ segmentId }: { segmentId: string }) {
  const ref = useRef<Mesh>(null)
  const segment = useAppStore((s) => s.segments[segmentId])
  const decoded = segment?.mesh ?? null
  const geometry = usePickableGeometry(decoded)

  const revision = segment?.revision ?? 0
  const promptSeqs = segment?.meshPromptSeqs
  const visible = segment?.info.visible ?? false
  // After React put the new geometry into the graph: the next frame draws this revision.
  useLayoutEffect(() => {
    sceneRegistry.segments.set(segmentId, {
      revision,
      promptSeqs: promptSeqs ?? [],
      triangles: geometry ? (geometry.index?.count ?? 0) / 3 : 0,
      visible,
      object: ref.current,
    })
  }, [segmentId, revision, promptSeqs, geometry, visible])
  useLayoutEffect(() => () => void sceneRegistry.segments.delete(segmentId), [segmentId])

  useLayoutEffect(() => {
    const mesh = ref.current
    if (!mesh) return
    throughPreviewTargets.add(mesh)
    return () => void throughPreviewTargets.delete(mesh)
  }, [geometry])

  if (!segment || !geometry) return null
  return (
    <mesh
      ref={ref}
      name={`segment:${segmentId}`}
      geometry={geometry}
      visible={visible}
      renderOrder={1}
      raycast={visibleOnly}
      {...pickHandlers}
    >
      <meshStandardMaterial
        color={segment.info.color}
        transparent
        opacity={SEGMENT_OPACITY}
        depthWrite={false}
        side={FrontSide}
        roughness={0.55}
        metalness={0}
      />
    </mesh>
  )
}

function visibleOnly(this: Mesh, ...args: Parameters<typeof acceleratedRaycast>): void {
  if (shownInScene(this)) acceleratedRaycast.apply(this, args)
}
