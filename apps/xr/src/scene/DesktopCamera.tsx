/**
 * Desktop viewing: orbit / pan / zoom around the case's home position with the mouse (drei's
 * OrbitControls). Switched off in an XR session, where the headset drives the camera. A click that
 * drags orbits; picking.ts ignores clicks that moved more than a couple of pixels.
 */
import { OrbitControls } from '@react-three/drei'
import { useThree } from '@react-three/fiber'
import { useXR } from '@react-three/xr'
import { useLayoutEffect } from 'react'
import { CASE_HOME_POSITION } from './placement.ts'

/** Where the desktop camera starts: in front of and a little above the case, the whole case in view. */
export const DESKTOP_CAMERA_POSITION: [number, number, number] = [0.26, 1.66, -0.1]

export function DesktopCamera() {
  const inXr = useXR((s) => s.session != null)
  const camera = useThree((s) => s.camera)
  useLayoutEffect(() => {
    camera.position.set(...DESKTOP_CAMERA_POSITION)
    camera.lookAt(...CASE_HOME_POSITION)
  }, [camera])
  return (
    <OrbitControls
      makeDefault
      enabled={!inXr}
      target={CASE_HOME_POSITION}
      enableDamping={false}
      minDistance={0.15}
      maxDistance={4}
    />
  )
}
