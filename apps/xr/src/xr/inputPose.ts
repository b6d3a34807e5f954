/**
 * World matrices of XR input sources and the head, read straight from the XRFrame (no pointer objects
 * needed), in three.js world metres: the reference space three renders with, times the XR origin
 * object's world matrix when the app has one (none today: then it is the identity).
 */
import type { RootState } from '@react-three/fiber'
import { Matrix4 } from 'three'
import { xrStore } from './xrStore.ts'

/**
 * Writes the world matrix of `space` into `target`.
 * @returns false when the space is not tracked this frame (target untouched).
 */
export function spaceWorldMatrix(state: RootState, frame: XRFrame, space: XRSpace, target: Matrix4): boolean {
  const referenceSpace = state.gl.xr.getReferenceSpace()
  if (!referenceSpace) return false
  const pose = frame.getPose(space, referenceSpace)
  if (!pose) return false
  target.fromArray(pose.transform.matrix)
  const origin = xrStore.getState().origin
  if (origin) target.premultiply(origin.matrixWorld)
  return true
}

/** The grip (hand / controller body) when there is one, else the pointing ray's origin. */
export function gripSpaceOf(source: XRInputSource): XRSpace {
  return source.gripSpace ?? source.targetRaySpace
}
