/**
 * Tells the others where we are, about every 66 ms (controller/actions throttles to ≤ 20 Hz and drops while
 * not in a room): head = the camera's world pose, hands = the tracked controllers / hands (grip poses,
 * left first), pointer = where our ray (XR: the right-hand or any tracked ray; desktop: the mouse) hits
 * the case. Everything goes out in the case's RAS frame — positions through SCENE's sceneToRas,
 * orientations rotated into the RAS axes — so each participant draws the others relative to the
 * patient, however each of them moved or scaled their own copy of the case.
 */
import { useFrame, useThree, type RootState } from '@react-three/fiber'
import { useEffect, useRef } from 'react'
import { Matrix4, Quaternion, Raycaster, Vector2, Vector3, type Object3D } from 'three'
import type { PresenceUpdate, Vec3 } from '@fastsam-xr/protocol'
import { sendPresence } from '../controller/actions.ts'
import { currentRasGroup, sceneToRas } from '../scene/caseFrame.ts'
import { useAppStore } from '../state/store.ts'
import { gripSpaceOf, spaceWorldMatrix } from './inputPose.ts'

export const PRESENCE_PERIOD_MS = 66
type Pose = PresenceUpdate['head']

const position = new Vector3()
const rotation = new Quaternion()
const scale = new Vector3()
const rasRotationInverse = new Quaternion()
const scratch = new Matrix4()

/** A world matrix as a pose in the RAS frame (mm; orientation relative to the RAS axes). */
function poseInRas(world: Matrix4): Pose {
  world.decompose(position, rotation, scale)
  const q = rotation.premultiply(rasRotationInverse).normalize()
  return { position: sceneToRas(position), orientation: [q.x, q.y, q.z, q.w] }
}

/** Meshes of the case worth pointing at: visible ones, not the other participants' avatars. */
function pointableMeshes(root: Object3D): Object3D[] {
  const out: Object3D[] = []
  const walk = (o: Object3D) => {
    if (!o.visible || o.userData.presence === true || /^(avatar|presence)/i.test(o.name)) return
    if ((o as { isMesh?: boolean }).isMesh) out.push(o)
    for (const child of o.children) walk(child)
  }
  walk(root)
  return out
}

const raycaster = new Raycaster()
// three-mesh-bvh's accelerated raycast honours this (meshes that have a bounds tree)
;(raycaster as Raycaster & { firstHitOnly?: boolean }).firstHitOnly = true

function firstHit(root: Object3D): Vec3 | undefined {
  const hit = raycaster.intersectObjects(pointableMeshes(root), false)[0]
  return hit ? sceneToRas(hit.point) : undefined
}

/** The ray we point with in XR: the right hand/controller, else any tracked ray (e.g. gaze-and-pinch). */
function pointingSource(sources: XRInputSourceArray): XRInputSource | undefined {
  let any: XRInputSource | undefined
  for (const source of sources) {
    if (source.targetRayMode === 'gaze') continue
    if (source.handedness === 'right') return source
    any ??= source
  }
  return any
}

function xrPointer(state: RootState, frame: XRFrame, root: Object3D): Vec3 | undefined {
  const session = frame.session
  const source = pointingSource(session.inputSources)
  if (!source || !spaceWorldMatrix(state, frame, source.targetRaySpace, scratch)) return undefined
  raycaster.ray.origin.setFromMatrixPosition(scratch)
  raycaster.ray.direction.set(0, 0, -1).transformDirection(scratch)
  return firstHit(root)
}

export function PresenceSender() {
  const last = useRef(0)
  const mouse = useRef<Vector2 | null>(null)
  const element = useThree((s) => s.gl.domElement)

  // the desktop pointer: the mouse over the canvas, in normalised device coordinates
  useEffect(() => {
    const move = (e: PointerEvent) => {
      const r = element.getBoundingClientRect()
      mouse.current = new Vector2(
        ((e.clientX - r.left) / r.width) * 2 - 1,
        -((e.clientY - r.top) / r.height) * 2 + 1,
      )
    }
    const leave = () => {
      mouse.current = null
    }
    element.addEventListener('pointermove', move)
    element.addEventListener('pointerleave', leave)
    return () => {
      element.removeEventListener('pointermove', move)
      element.removeEventListener('pointerleave', leave)
    }
  }, [element])

  useFrame((state, _delta, frame: XRFrame | undefined) => {
    const now = performance.now()
    if (now - last.current < PRESENCE_PERIOD_MS) return
    const ras = currentRasGroup()
    const s = useAppStore.getState()
    // alone in the room nobody would see it: save the raycast and the messages
    const others = s.members.some((m) => m.clientId !== s.connection.clientId)
    if (!ras || !s.room || !others) return
    last.current = now
    ras.updateWorldMatrix(true, false)
    ras.matrixWorld.decompose(position, rasRotationInverse, scale)
    rasRotationInverse.invert()

    state.camera.updateMatrixWorld()
    const update: PresenceUpdate = { head: poseInRas(scratch.copy(state.camera.matrixWorld)) }

    if (frame) {
      const hands: Pose[] = []
      const sources = [...frame.session.inputSources]
        .filter((s) => s.handedness !== 'none' && s.targetRayMode !== 'gaze')
        .sort((a, b) => (a.handedness === 'left' ? -1 : 0) - (b.handedness === 'left' ? -1 : 0))
      for (const source of sources) {
        if (hands.length === 4) break
        if (spaceWorldMatrix(state, frame, gripSpaceOf(source), scratch)) hands.push(poseInRas(scratch))
      }
      if (hands.length > 0) update.hands = hands
      const pointer = xrPointer(state, frame, ras)
      if (pointer) update.pointer = pointer
    } else if (mouse.current) {
      raycaster.setFromCamera(mouse.current, state.camera)
      const pointer = firstHit(ras)
      if (pointer) update.pointer = pointer
    }
    sendPresence(update)
  })
  return null
}
