/**
 * The desktop's "reset view": the case back at its home placement (XR's resetView, which also undoes a
 * grab made in a headset) and the orbit camera back where it started, looking at the case.
 */
import type { Vector3 } from 'three'
import { DESKTOP_CAMERA_POSITION } from '../scene/DesktopCamera.tsx'
import { CASE_HOME_POSITION } from '../scene/placement.ts'
import { sceneRegistry } from '../scene/sceneRegistry.ts'
import { resetView } from '../xr/placementControl.ts'

/** The part of drei's OrbitControls (the canvas' default controls) this touches. */
interface OrbitLike {
  target: Vector3
  update(): void
}

export function resetDesktopView(): void {
  resetView()
  const state = sceneRegistry.three?.()
  if (!state) return
  state.camera.position.set(...DESKTOP_CAMERA_POSITION)
  state.camera.lookAt(...CASE_HOME_POSITION)
  const controls = state.controls as unknown as OrbitLike | null
  if (controls?.target) {
    controls.target.set(...CASE_HOME_POSITION)
    controls.update()
  }
}
