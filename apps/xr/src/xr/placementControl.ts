/**
 * The case's placement (where the user put it: position, rotation and the user's grab scale, in scene
 * metres) as a few imperative actions, so a desktop button, the XR panel and the grab gestures share
 * them. The placement group is GrabbableCase's outer group; SCENE's case-frame inside it does
 * RAS → three axes, mm → m (caseScale, which already includes the real-size choice) and centring.
 */
import type { Object3D } from 'three'
import { setView, useAppStore } from '../state/store.ts'
import { CASE_HOME_POSITION } from '../scene/placement.ts'

/** The user's grab scale stays within these factors of the home scale (a 0.45 m case: 4.5 cm … 3.6 m). */
export const USER_SCALE_MIN = 0.1
export const USER_SCALE_MAX = 8

let placement: Object3D | null = null

/** Called by GrabbableCase when its group mounts (null when it unmounts). */
export function registerPlacement(object: Object3D | null): void {
  placement = object
}

/** The placement group, or null before the canvas mounted. */
export function getPlacement(): Object3D | null {
  return placement
}

export function clampUserScale(scale: number): number {
  return Math.min(USER_SCALE_MAX, Math.max(USER_SCALE_MIN, scale))
}

/** Puts the case back in front of the user, upright, at scale 1 (the view's real-size choice stays). */
export function resetView(): void {
  if (!placement) return
  placement.position.set(...CASE_HOME_POSITION)
  placement.quaternion.identity()
  placement.scale.setScalar(1)
  placement.updateMatrixWorld()
}

/**
 * 1:1 (real size) or the comfortable fit (CASE_FIT_SIZE_M). GrabbableCase sets the grab scale back to 1
 * whenever view.realSize changes (whoever changes it), so that "real size" really is real size.
 */
export function setRealSize(realSize: boolean): void {
  setView({ realSize })
}

export function toggleRealSize(): void {
  setRealSize(!useAppStore.getState().view.realSize)
}

/** Back to scale 1 keeping position and rotation (after a real-size switch). */
export function resetUserScale(): void {
  if (!placement) return
  placement.scale.setScalar(1)
  placement.updateMatrixWorld()
}
