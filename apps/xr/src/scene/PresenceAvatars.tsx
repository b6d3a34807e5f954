/**
 * The other participants: a head (a sphere with a dark visor looking down its −Z, as a camera does) with
 * a name label, and a ray (a thin beam) from the hand that points at their `pointer` (or from the head for a desktop
 * user) ending in a small dot. Poses arrive in the case's RAS frame (xr/PresenceSender: positions
 * through sceneToRas, orientations relative to the case-ras axes), so they are placed as children of
 * the case-ras group as they are. Sizes are fixed in the room (metres) whatever the case's scale.
 * Updated in the frame loop from the store without re-rendering React (presence changes at 20 Hz).
 */
import { useFrame } from '@react-three/fiber'
import { useEffect, useMemo, useRef } from 'react'
import {
  CanvasTexture,
  Color,
  Quaternion,
  SRGBColorSpace,
  Vector3,
  type Group,
  type Mesh,
  type Sprite,
} from 'three'
import { useShallow } from 'zustand/react/shallow'
import type { Pose } from '@fastsam-xr/protocol'
import { useAppStore } from '../state/store.ts'
import { currentRasGroup } from './caseFrame.ts'
import { memberColor } from './memberColor.ts'
import { sceneRegistry } from './sceneRegistry.ts'

const HEAD_RADIUS_M = 0.09
const DOT_RADIUS_M = 0.006
const BEAM_RADIUS_M = 0.0015
const UP = new Vector3(0, 1, 0)
const LABEL_HEIGHT_M = 0.05

export function PresenceAvatars() {
  const ids = useAppStore(useShallow((s) => Object.keys(s.presence).sort()))
  const members = useAppStore((s) => s.members)
  useEffect(() => {
    sceneRegistry.avatars = ids.length
    return () => void (sceneRegistry.avatars = 0)
  }, [ids])
  return (
    <group name="presence" userData={{ presence: true }}>
      {ids.map((id) => (
        <Avatar
          key={id}
          clientId={id}
          name={members.find((m) => m.clientId === id)?.displayName ?? id.slice(0, 6)}
        />
      ))}
    </group>
  )
}

const forward = new Vector3()
const handRotation = new Quaternion()
const toPointer = new Vector3()
const from = new Vector3()

/** The hand whose −Z (grip forward) points most nearly at the pointer, else the head. */
function rayOrigin(head: Pose, hands: Pose[] | undefined, pointer: readonly number[]): Pose {
  let best = head
  let bestDot = -Infinity
  for (const hand of hands ?? []) {
    const [x, y, z, w] = hand.orientation
    forward.set(0, 0, -1).applyQuaternion(handRotation.set(x, y, z, w))
    toPointer.set(pointer[0] - hand.position[0], pointer[1] - hand.position[1], pointer[2] - hand.position[2])
    const d = forward.dot(toPointer.normalize())
    if (d > bestDot) {
      bestDot = d
      best = hand
    }
  }
  return best
}

function Avatar({ clientId, name }: { clientId: string; name: string }) {
  const head = useRef<Group>(null)
  const label = useRef<Sprite>(null)
  const beam = useRef<Mesh>(null)
  const dot = useRef<Mesh>(null)
  const color = useMemo(() => memberColor(clientId), [clientId])
  const labelTexture = useMemo(() => nameTexture(name, color), [name, color])
  useEffect(() => () => labelTexture.dispose(), [labelTexture])

  useFrame(() => {
    const p = useAppStore.getState().presence[clientId]
    const ras = currentRasGroup()
    if (!p || !ras || !head.current || !label.current || !beam.current || !dot.current) return
    // mm per room metre under the case's current (grabbed) scale
    const mmPerM = 1 / Math.max(ras.matrixWorld.getMaxScaleOnAxis(), 1e-9)
    const [hx, hy, hz] = p.head.position
    head.current.position.set(hx, hy, hz)
    const [qx, qy, qz, qw] = p.head.orientation
    head.current.quaternion.set(qx, qy, qz, qw).normalize()
    head.current.scale.setScalar(HEAD_RADIUS_M * mmPerM)
    // Above the head in the room: the case-ras group's +S is the room's up unless the case was tilted.
    label.current.position.set(hx, hy, hz + 1.6 * HEAD_RADIUS_M * mmPerM)
    label.current.scale.set(
      LABEL_HEIGHT_M * mmPerM * (labelTexture.image.width / labelTexture.image.height),
      LABEL_HEIGHT_M * mmPerM,
      1,
    )

    const pointer = p.pointer
    beam.current.visible = !!pointer
    dot.current.visible = !!pointer
    if (!pointer) return
    const origin = rayOrigin(p.head, p.hands, pointer)
    from.set(origin.position[0], origin.position[1], origin.position[2])
    // a thin cylinder (unit height along +Y, centred) stretched from the origin to the pointer
    toPointer.set(pointer[0] - from.x, pointer[1] - from.y, pointer[2] - from.z)
    const length = toPointer.length()
    beam.current.position.copy(from).addScaledVector(toPointer, 0.5)
    beam.current.quaternion.setFromUnitVectors(UP, toPointer.divideScalar(Math.max(length, 1e-9)))
    beam.current.scale.set(BEAM_RADIUS_M * mmPerM, length, BEAM_RADIUS_M * mmPerM)
    dot.current.position.set(pointer[0], pointer[1], pointer[2])
    dot.current.scale.setScalar(DOT_RADIUS_M * mmPerM)
  })

  return (
    <group name={`avatar:${clientId}`} userData={{ presence: true }}>
      <group ref={head} name={`avatar-head:${clientId}`}>
        <mesh raycast={noRaycast}>
          <sphereGeometry args={[1, 24, 16]} />
          <meshStandardMaterial color={color} roughness={0.5} />
        </mesh>
        <mesh position={[0, 0.1, -0.75]} raycast={noRaycast}>
          <boxGeometry args={[1.3, 0.45, 0.6]} />
          <meshStandardMaterial color="#111318" roughness={0.3} />
        </mesh>
      </group>
      <sprite ref={label} raycast={noRaycast}>
        <spriteMaterial map={labelTexture} transparent depthWrite={false} toneMapped={false} />
      </sprite>
      <mesh ref={beam} raycast={noRaycast}>
        <cylinderGeometry args={[1, 1, 1, 8, 1, true]} />
        <meshBasicMaterial color={color} transparent opacity={0.85} />
      </mesh>
      <mesh ref={dot} raycast={noRaycast}>
        <sphereGeometry args={[1, 12, 8]} />
        <meshBasicMaterial color={color} />
      </mesh>
    </group>
  )
}

const noRaycast = () => {}

/** The name on a pill in the member's colour, drawn on a canvas (no font download). */
function nameTexture(name: string, color: Color): CanvasTexture {
  const canvas = document.createElement('canvas')
  const ctx = canvas.getContext('2d')!
  const font = '600 40px system-ui, sans-serif'
  ctx.font = font
  const text = name.length > 24 ? `${name.slice(0, 23)}…` : name
  canvas.width = Math.ceil(ctx.measureText(text).width) + 40
  canvas.height = 64
  ctx.font = font
  ctx.fillStyle = `#${color.getHexString()}`
  ctx.beginPath()
  ctx.roundRect(0, 0, canvas.width, canvas.height, 32)
  ctx.fill()
  ctx.fillStyle = '#ffffff'
  ctx.textBaseline = 'middle'
  ctx.fillText(text, 20, canvas.height / 2 + 2)
  const texture = new CanvasTexture(canvas)
  texture.colorSpace = SRGBColorSpace
  return texture
}
