/**
 * The in-headset panel: active segment (‹ › to switch), new segment, undo, redo, the right hand's
 * prompt sign, reset view, real size, slices, pin / follow the left hand, the prompt → mesh latency,
 * status and the newest message. One textured plane (one draw call) painted with canvas 2D
 * (drawPanel.ts); a ray click (trigger, pinch, gaze-and-pinch) or a finger poke hits a button through
 * the intersection's uv. It floats to the left of the case, turned towards the user, or rides above
 * the left hand / controller.
 */
import { useFrame } from '@react-three/fiber'
import type { ThreeEvent } from '@react-three/fiber'
import { useXR } from '@react-three/xr'
import { useEffect, useMemo, useRef, useState } from 'react'
import { CanvasTexture, Matrix4, SRGBColorSpace, Vector3, type Group, type Mesh } from 'three'
import { createSegment, redo, selectSegment, undo } from '../controller/actions.ts'
import { setView, useAppStore } from '../state/store.ts'
import { drawPanel } from './drawPanel.ts'
import { gripSpaceOf, spaceWorldMatrix } from './inputPose.ts'
import {
  buttonAtUv,
  PANEL_HEIGHT_PX,
  PANEL_PX_TO_M,
  PANEL_WIDTH_PX,
  type PanelButtonId,
  type PanelModel,
} from './panelLayout.ts'
import { resetView, toggleRealSize } from './placementControl.ts'
import { squeezeGrabState } from './useSqueezeGrab.ts'
import { usePanelModel } from './usePanelModel.ts'

/**
 * Pinned pose: just left of the case at home (CASE_HOME_POSITION, 0.45 m wide), turned towards a user
 * at the origin, inside a headset's default field of view.
 */
export const PANEL_PINNED_POSITION: [number, number, number] = [-0.37, 1.3, -0.52]
const PANEL_PINNED_YAW = Math.atan2(0.37, 0.52)
/** Above the left grip when following the hand (metres). */
const HAND_OFFSET = new Vector3(0, 0.17, 0)
/** Canvas pixels per panel pixel: sharper text at arm's length. */
const CANVAS_SCALE = 2

function cycleSegment(step: 1 | -1): void {
  const { segmentOrder, activeSegmentId } = useAppStore.getState()
  if (segmentOrder.length === 0) return
  const i = activeSegmentId ? segmentOrder.indexOf(activeSegmentId) : -1
  const next = (i + step + segmentOrder.length) % segmentOrder.length
  selectSegment(segmentOrder[next])
}

function press(id: PanelButtonId, toggleFollow: () => void): void {
  const view = useAppStore.getState().view
  switch (id) {
    case 'prev-segment':
      return cycleSegment(-1)
    case 'next-segment':
      return cycleSegment(1)
    case 'new-segment':
      void createSegment()
      return
    case 'undo':
      return undo()
    case 'redo':
      return redo()
    case 'prompt-sign':
      return setView({ promptPositive: !view.promptPositive })
    case 'reset-view':
      return resetView()
    case 'real-size':
      return toggleRealSize()
    case 'slices':
      return setView({ slicesVisible: !view.slicesVisible })
    case 'follow-hand':
      return toggleFollow()
  }
}

export function XrPanel() {
  const session = useXR((s) => s.session)
  const [followHand, setFollowHand] = useState(false)
  const [grabbing, setGrabbing] = useState(0)
  const [hover, setHover] = useState<PanelButtonId | null>(null)
  const model = usePanelModel(followHand, grabbing)
  const modelRef = useRef<PanelModel>(model)
  modelRef.current = model
  const groupRef = useRef<Group>(null)
  const meshRef = useRef<Mesh>(null)
  /** the button each pointer went down on (pointerId → button). */
  const pressed = useRef(new Map<number, PanelButtonId>())

  const { canvas, texture } = useMemo(() => {
    const c = document.createElement('canvas')
    c.width = PANEL_WIDTH_PX * CANVAS_SCALE
    c.height = PANEL_HEIGHT_PX * CANVAS_SCALE
    const t = new CanvasTexture(c)
    t.colorSpace = SRGBColorSpace
    t.anisotropy = 4
    return { canvas: c, texture: t }
  }, [])
  useEffect(() => () => texture.dispose(), [texture])

  const paintKey = JSON.stringify(model) + hover
  useEffect(() => {
    const ctx = canvas.getContext('2d')
    if (!ctx) return
    drawPanel(ctx, modelRef.current, hover, CANVAS_SCALE)
    texture.needsUpdate = true
    // paintKey covers every value drawPanel reads
  }, [paintKey, canvas, texture, hover])

  const hand = useRef(new Matrix4())
  const head = useRef(new Vector3())
  useFrame((state, _delta, frame: XRFrame | undefined) => {
    if (squeezeGrabState.grabbing !== grabbing) setGrabbing(squeezeGrabState.grabbing)
    const group = groupRef.current
    if (!group) return
    const left = followHand && frame ? session?.inputSources && findLeft(session.inputSources) : undefined
    if (left && frame && spaceWorldMatrix(state, frame, gripSpaceOf(left), hand.current)) {
      group.position.setFromMatrixPosition(hand.current).add(HAND_OFFSET)
      group.lookAt(state.camera.getWorldPosition(head.current))
    } else {
      group.position.set(...PANEL_PINNED_POSITION)
      group.rotation.set(0, PANEL_PINNED_YAW, 0)
    }
  })

  const buttonAt = (e: ThreeEvent<PointerEvent | MouseEvent>) => (e.uv ? buttonAtUv(e.uv.x, e.uv.y) : null)

  return (
    <group ref={groupRef} position={PANEL_PINNED_POSITION} rotation={[0, PANEL_PINNED_YAW, 0]}>
      <mesh
        ref={meshRef}
        name="xr-panel"
        // rays and finger pokes press buttons; a squeeze near the panel grabs the case, not a button
        pointerEventsType={{ deny: 'grab' }}
        // a press is down and up on the same button, however long it took (no click time limit)
        onPointerDown={(e) => {
          e.stopPropagation()
          const button = buttonAt(e)
          if (button) pressed.current.set(e.pointerId, button.id)
        }}
        onPointerUp={(e) => {
          e.stopPropagation()
          const down = pressed.current.get(e.pointerId)
          pressed.current.delete(e.pointerId)
          const button = buttonAt(e)
          if (button && button.id === down && button.enabled(modelRef.current)) {
            press(button.id, () => setFollowHand((f) => !f))
          }
        }}
        onClick={(e) => e.stopPropagation()}
        onPointerMove={(e) => setHover(buttonAt(e)?.id ?? null)}
        onPointerOut={(e) => {
          pressed.current.delete(e.pointerId)
          setHover(null)
        }}
      >
        <planeGeometry args={[PANEL_WIDTH_PX * PANEL_PX_TO_M, PANEL_HEIGHT_PX * PANEL_PX_TO_M]} />
        <meshBasicMaterial map={texture} toneMapped={false} />
      </mesh>
    </group>
  )
}

function findLeft(sources: XRInputSourceArray): XRInputSource | undefined {
  for (const source of sources) if (source.handedness === 'left') return source
  return undefined
}
