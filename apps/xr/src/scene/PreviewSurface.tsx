/**
 * The server's whole-volume isosurface (bone for CT): faint and semi-transparent, opacity from
 * view.previewOpacity, hidden with view.previewVisible. Pickable where no slice plane or segment is on
 * the ray (picking.previewRaycast), so a click through the ribs reaches the slice behind them.
 */
import { useLayoutEffect } from 'react'
import { FrontSide } from 'three'
import { acceleratedRaycast } from 'three-mesh-bvh'
import { useAppStore } from '../state/store.ts'
import { usePickableGeometry } from './meshGeometry.ts'
import { pickHandlers, previewRaycast } from './picking.ts'
import { sceneRegistry } from './sceneRegistry.ts'

const BONE = '#efe6d2'
const raycast = previewRaycast(acceleratedRaycast)

export function PreviewSurface() {
  const decoded = useAppStore((s) => s.room?.preview?.mesh ?? null)
  const visible = useAppStore((s) => s.view.previewVisible)
  const opacity = useAppStore((s) => s.view.previewOpacity)
  const geometry = usePickableGeometry(decoded)
  useLayoutEffect(() => {
    sceneRegistry.previewTriangles = geometry && visible ? (geometry.index?.count ?? 0) / 3 : 0
    return () => void (sceneRegistry.previewTriangles = 0)
  }, [geometry, visible])

  if (!geometry) return null
  return (
    <mesh
      name="preview"
      geometry={geometry}
      visible={visible && opacity > 0}
      raycast={raycast}
      {...pickHandlers}
    >
      <meshStandardMaterial
        color={BONE}
        transparent
        opacity={opacity}
        depthWrite={false}
        side={FrontSide}
        roughness={0.8}
        metalness={0}
      />
    </mesh>
  )
}
