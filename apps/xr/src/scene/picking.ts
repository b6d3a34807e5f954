/**
 * Placing prompts by pointing: the handlers every pickable object (slice planes, segment meshes, the
 * preview surface) shares, for the mouse (R3F DOM events) and XR rays (@react-three/xr 6 routes
 * controller, hand and transient pointers into the same handlers). A click becomes
 * placePrompt(sceneToRas(e.point), promptSign(e)); pointer down/up/click are recorded for the tests.
 */
import type { ThreeEvent } from '@react-three/fiber'
import type { Intersection, Mesh, Object3D, Raycaster } from 'three'
import { placePrompt } from '../controller/actions.ts'
import { sceneToRas } from './caseFrame.ts'
import { promptSign, xrInputSourceOf, type SignedPointerEvent } from './promptSign.ts'
import { recordHit } from './sceneRegistry.ts'

/** An R3F event or a @pmndrs/pointer-events one (they share these fields; `delta` only exists for DOM). */
type AnyPointerEvent = ThreeEvent<MouseEvent | PointerEvent> & SignedPointerEvent

/** DOM pointers that moved more than this many pixels between down and up were orbiting, not clicking. */
const DRAG_PX = 2

function pointerTypeOf(e: AnyPointerEvent): string {
  const direct = (e as { pointerType?: string }).pointerType
  return direct ?? (e.nativeEvent as { pointerType?: string }).pointerType ?? 'mouse'
}

function record(type: string, e: AnyPointerEvent): void {
  recordHit({
    type,
    point: [e.point.x, e.point.y, e.point.z],
    pointerType: pointerTypeOf(e),
    objectName: e.object.name,
  })
}

/** A press that may place a prompt: an XR ray (not a grab or a finger touch), or a DOM click that did not drag. */
function isPromptGesture(e: AnyPointerEvent): boolean {
  if (xrInputSourceOf(e)) return pointerTypeOf(e) === 'ray'
  return e.delta <= DRAG_PX // pointer-events' delta throws: only read it for DOM events
}

function place(e: AnyPointerEvent): void {
  if (!isPromptGesture(e)) return
  e.stopPropagation()
  placePrompt(sceneToRas(e.point), promptSign(e))
}

/** Spread onto a pickable mesh. */
export const pickHandlers = {
  onPointerDown: (e: ThreeEvent<PointerEvent>) => record('pointerdown', e as AnyPointerEvent),
  onPointerUp: (e: ThreeEvent<PointerEvent>) => record('pointerup', e as AnyPointerEvent),
  onClick: (e: ThreeEvent<MouseEvent>) => {
    record('click', e as AnyPointerEvent)
    place(e as AnyPointerEvent)
  },
  onContextMenu: (e: ThreeEvent<MouseEvent>) => {
    record('contextmenu', e as AnyPointerEvent)
    ;(e.nativeEvent as MouseEvent | undefined)?.preventDefault?.()
    place(e as AnyPointerEvent)
  },
}

/** True when the object and all its ancestors are visible (hidden objects must not catch rays). */
export function shownInScene(object: Object3D): boolean {
  for (let o: Object3D | null = object; o; o = o.parent) if (!o.visible) return false
  return true
}

/**
 * The objects a ray should reach through the preview surface: the slice planes and segment meshes.
 * The bone isosurface wraps everything; a ray that also hits one of these goes to it instead.
 */
export const throughPreviewTargets = new Set<Object3D>()

const behind: Intersection[] = []

type Raycast = (this: Mesh, raycaster: Raycaster, intersects: Intersection[]) => void

/**
 * Raycast for the preview surface around `own` (its accelerated raycast): its hits count only when no
 * slice plane or segment mesh is on the same ray.
 */
export function previewRaycast(own: Raycast): Raycast {
  return function (this: Mesh, raycaster, intersects) {
    if (!shownInScene(this)) return
    const start = intersects.length
    own.call(this, raycaster, intersects)
    if (intersects.length === start) return
    for (const target of throughPreviewTargets) {
      if (!shownInScene(target)) continue
      behind.length = 0
      target.raycast(raycaster, behind)
      if (behind.length > 0) {
        intersects.length = start
        break
      }
    }
    behind.length = 0
  }
}
