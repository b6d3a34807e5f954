/**
 * The explicit grab handle: a bar under the case. Any pointer can hold it — a controller's trigger ray,
 * a hand's pinch ray, Vision Pro's gaze-and-pinch (which has no squeeze button), a hand reaching in
 * and pinching it, the mouse. One pointer moves the case and turns it about the vertical; two pointers
 * (both hands, or two controllers) also scale it. The case itself never listens for drags, so a ray
 * click on the anatomy always places a prompt. Only in an immersive session: at the desktop the mouse
 * orbits the camera instead (and R3F's DOM events would not reach the handle's listeners anyway).
 */
import { Handle } from '@react-three/handle'
import { useXR } from '@react-three/xr'
import { useState, type RefObject } from 'react'
import type { Object3D } from 'three'
import type { HandleState } from '@react-three/handle'
import { caseBoundsRas, caseCentreRas, caseScale } from '../scene/caseFrame.ts'
import { useAppStore } from '../state/store.ts'
import { clampUserScale } from './placementControl.ts'

/** Gap between the bottom of the volume and the bar, and the bar's thickness (metres, at scale 1). */
const GAP_M = 0.03
const RADIUS_M = 0.012

function applyClamped(state: HandleState<unknown>, target: Object3D): void {
  target.position.copy(state.current.position)
  target.quaternion.copy(state.current.quaternion)
  target.scale.setScalar(clampUserScale(state.current.scale.x))
}

/** Where the bar goes in the placement group (metres): under the volume's lowest (inferior) face. */
function useHandleLayout(): { y: number; length: number } | null {
  const info = useAppStore((s) => s.room?.caseInfo ?? null)
  const realSize = useAppStore((s) => s.view.realSize)
  if (!info) return null
  const s = caseScale(info, realSize)
  const [min, max] = caseBoundsRas(info)
  const centre = caseCentreRas(info)
  // scene +Y is patient Superior (RAS index 2); scene X spans patient Right–Left (RAS index 0)
  const y = (min[2] - centre[2]) * s - GAP_M
  const length = Math.max(0.08, 0.7 * (max[0] - min[0]) * s)
  return { y, length }
}

export function CaseHandle({ targetRef }: { targetRef: RefObject<Object3D | null> }) {
  const layout = useHandleLayout()
  const inXR = useXR((s) => s.session != null)
  const [hovered, setHovered] = useState(false)
  const [held, setHeld] = useState(false)
  if (!layout || !inXR) return null
  return (
    <group position={[0, layout.y, 0]}>
      <Handle
        targetRef={targetRef}
        translate
        rotate={{ x: false, y: true, z: false }}
        scale={{ uniform: true }}
        multitouch
        apply={(state, target) => {
          if (state.first) setHeld(true)
          if (state.last) setHeld(false)
          applyClamped(state, target)
        }}
      >
        <mesh
          name="case-grab-handle"
          rotation={[0, 0, Math.PI / 2]}
          // the placement group refuses grab/touch pointers for the anatomy; the bar takes every pointer
          pointerEventsType="all"
          onPointerOver={() => setHovered(true)}
          onPointerOut={() => setHovered(false)}
        >
          <capsuleGeometry args={[RADIUS_M, layout.length, 4, 12]} />
          <meshStandardMaterial
            color={held ? '#7ff0ff' : hovered ? '#4fd8f0' : '#2aa7c4'}
            emissive={held || hovered ? '#0b4f5e' : '#000000'}
            roughness={0.4}
          />
        </mesh>
      </Handle>
    </group>
  )
}
