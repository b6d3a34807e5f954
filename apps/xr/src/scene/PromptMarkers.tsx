/**
 * A small sphere at every prompt of every visible segment (positive green, negative red), all in one
 * instanced mesh (one draw call). The radius is a fixed size in the room (MARKER_RADIUS_M at the case's
 * scale), not a fixed number of mm, so markers stay visible on a table-top case, and they are drawn
 * on top of everything (no depth test). Prompts another participant placed wear a halo in that
 * participant's colour (a second instanced mesh). Not pickable: a click on a marker goes to what is
 * behind it.
 */
import { useLayoutEffect, useMemo, useRef } from 'react'
import { Color, InstancedMesh, Matrix4, SphereGeometry } from 'three'
import { useAppStore } from '../state/store.ts'
import { memberColor } from './memberColor.ts'
import { sceneRegistry } from './sceneRegistry.ts'

export const MARKER_RADIUS_M = 0.005
const POSITIVE = new Color('#2ee06a')
const NEGATIVE = new Color('#ff3b3b')
const SPHERE = new SphereGeometry(1, 16, 12)
const noRaycast = () => {}
/** halo radius relative to the marker's */
const HALO = 1.9

export function PromptMarkers({ metresPerMm }: { metresPerMm: number }) {
  const ref = useRef<InstancedMesh>(null)
  const halos = useRef<InstancedMesh>(null)
  const me = useAppStore((s) => s.connection.clientId)
  const segments = useAppStore((s) => s.segments)
  const order = useAppStore((s) => s.segmentOrder)
  const count = useMemo(
    () => order.reduce((n, id) => n + (segments[id]?.info.visible ? segments[id].prompts.length : 0), 0),
    [segments, order],
  )
  // Grow in powers of two so adding prompts rarely re-creates the instanced mesh.
  const capacity = Math.max(64, 2 ** Math.ceil(Math.log2(Math.max(count, 1))))
  const radius = MARKER_RADIUS_M / metresPerMm

  useLayoutEffect(() => {
    const mesh = ref.current
    const halo = halos.current
    if (!mesh || !halo) return
    const m = new Matrix4()
    const owner = new Color()
    let n = 0
    let others = 0
    for (const id of order) {
      const segment = segments[id]
      if (!segment?.info.visible) continue
      for (const p of segment.prompts) {
        m.makeScale(radius, radius, radius).setPosition(
          p.pointWorldRas[0],
          p.pointWorldRas[1],
          p.pointWorldRas[2],
        )
        mesh.setMatrixAt(n, m)
        mesh.setColorAt(n, p.positive ? POSITIVE : NEGATIVE)
        n++
        if (p.clientId !== me) {
          m.makeScale(HALO * radius, HALO * radius, HALO * radius).setPosition(...p.pointWorldRas)
          halo.setMatrixAt(others, m)
          halo.setColorAt(others, memberColor(p.clientId, owner))
          others++
        }
      }
    }
    mesh.count = n
    mesh.instanceMatrix.needsUpdate = true
    if (mesh.instanceColor) mesh.instanceColor.needsUpdate = true
    // The instances move; the sphere geometry's bounds say nothing about where they are.
    mesh.computeBoundingSphere()
    halo.count = others
    halo.instanceMatrix.needsUpdate = true
    if (halo.instanceColor) halo.instanceColor.needsUpdate = true
    halo.computeBoundingSphere()
    sceneRegistry.markers = n
  }, [segments, order, radius, capacity, me])
  useLayoutEffect(() => () => void (sceneRegistry.markers = 0), [])

  return (
    <>
      <instancedMesh
        key={capacity}
        ref={ref}
        name="prompt-markers"
        args={[SPHERE, undefined, capacity]}
        raycast={noRaycast}
        renderOrder={3}
      >
        {/* in the transparent pass after the segments (renderOrder), over the slice planes they sit on */}
        <meshStandardMaterial
          roughness={0.4}
          metalness={0}
          depthTest={false}
          depthWrite={false}
          transparent
        />
      </instancedMesh>
      <instancedMesh
        key={`halo-${capacity}`}
        ref={halos}
        name="prompt-owners"
        args={[SPHERE, undefined, capacity]}
        raycast={noRaycast}
        renderOrder={2}
      >
        <meshBasicMaterial transparent opacity={0.35} depthTest={false} depthWrite={false} />
      </instancedMesh>
    </>
  )
}
