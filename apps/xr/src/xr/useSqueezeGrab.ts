/**
 * Squeeze (grip button) — or a closed fist on a tracked hand (fistGrab.ts) — grabs the case from
 * anywhere, no need to touch it: one controller / hand moves and turns it, two also scale it
 * (grabGesture.ts). The trigger and the pinch stay free for the ray, so a click on the case still
 * places a prompt. Squeeze works for every input source that sends squeezestart/squeezeend (Quest,
 * WMR and other controllers; a few runtimes send it for a hand grab too).
 */
import { useFrame } from '@react-three/fiber'
import { useXR } from '@react-three/xr'
import { useEffect, useRef, type RefObject } from 'react'
import { Matrix4, type Object3D } from 'three'
import { grabGestureObjectWorld, startGrabGesture, type GrabGesture } from './grabGesture.ts'
import { gripSpaceOf, spaceWorldMatrix } from './inputPose.ts'
import { fistTipDistances, isFist } from './fistGrab.ts'
import { clampUserScale } from './placementControl.ts'

export interface SqueezeGrabState {
  /** how many input sources (controllers squeezing, hands in a fist) hold the case right now (0–2). */
  grabbing: number
}

/** The live gesture state, for the panel's status line and the tests. */
export const squeezeGrabState: SqueezeGrabState = { grabbing: 0 }

export function useSqueezeGrab(targetRef: RefObject<Object3D | null>): void {
  const session = useXR((s) => s.session)
  const squeezing = useRef<XRInputSource[]>([])
  /** tracked hands that are a fist, in the order they closed. */
  const fists = useRef<XRInputSource[]>([])
  const gesture = useRef<{ sources: XRInputSource[]; gesture: GrabGesture } | null>(null)
  const handMatrices = useRef([new Matrix4(), new Matrix4()])
  const world = useRef(new Matrix4())
  const parentInverse = useRef(new Matrix4())

  useEffect(() => {
    if (!session) return
    const list = squeezing.current
    const remove = (source: XRInputSource) => {
      const i = list.indexOf(source)
      if (i >= 0) list.splice(i, 1)
    }
    const onStart = (e: XRInputSourceEvent) => {
      if (!list.includes(e.inputSource)) list.push(e.inputSource)
    }
    const onEnd = (e: XRInputSourceEvent) => remove(e.inputSource)
    const onSourcesChange = (e: XRInputSourceChangeEvent) => e.removed.forEach(remove)
    session.addEventListener('squeezestart', onStart)
    session.addEventListener('squeezeend', onEnd)
    session.addEventListener('inputsourceschange', onSourcesChange)
    return () => {
      session.removeEventListener('squeezestart', onStart)
      session.removeEventListener('squeezeend', onEnd)
      session.removeEventListener('inputsourceschange', onSourcesChange)
      list.length = 0
      fists.current.length = 0
      gesture.current = null
      squeezeGrabState.grabbing = 0
    }
  }, [session])

  useFrame((state, _delta, frame: XRFrame | undefined) => {
    const target = targetRef.current
    if (!frame || !target) return
    updateFists(frame, state.gl.xr.getReferenceSpace(), fists.current)
    // the first two grabbing sources that are tracked this frame
    const sources: XRInputSource[] = []
    for (const source of [...squeezing.current, ...fists.current]) {
      if (sources.length === 2) break
      if (spaceWorldMatrix(state, frame, gripSpaceOf(source), handMatrices.current[sources.length])) {
        sources.push(source)
      }
    }
    squeezeGrabState.grabbing = sources.length
    if (sources.length === 0) {
      gesture.current = null
      return
    }
    const hands = handMatrices.current.slice(0, sources.length)
    const current = gesture.current
    const sameSources =
      current != null &&
      current.sources.length === sources.length &&
      current.sources.every((s, i) => s === sources[i])
    target.updateWorldMatrix(true, false)
    if (!sameSources) {
      gesture.current = { sources, gesture: startGrabGesture(hands, target.matrixWorld) }
      return
    }
    grabGestureObjectWorld(current.gesture, hands, world.current, clampUserScale)
    // back into the parent's space (the scene root today, but do not rely on it)
    if (target.parent) {
      target.parent.updateWorldMatrix(true, false)
      world.current.premultiply(parentInverse.current.copy(target.parent.matrixWorld).invert())
    }
    world.current.decompose(target.position, target.quaternion, target.scale)
  })
}

/** Adds hands that closed into a fist this frame to `fists` (in order) and drops those that opened or left. */
function updateFists(frame: XRFrame, space: XRReferenceSpace | null, fists: XRInputSource[]): void {
  const sources = frame.session.inputSources
  for (let i = fists.length - 1; i >= 0; i--) {
    if (!Array.prototype.includes.call(sources, fists[i])) fists.splice(i, 1)
  }
  if (!space) return
  for (const source of sources) {
    if (!source.hand) continue
    const was = fists.includes(source)
    const distances = fistTipDistances(frame, source.hand, space)
    const now = distances != null && isFist(distances, was)
    if (now && !was) fists.push(source)
    if (!now && was) fists.splice(fists.indexOf(source), 1)
  }
}
