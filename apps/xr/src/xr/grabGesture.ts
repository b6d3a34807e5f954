/**
 * The maths of grabbing an object with one or two hands (world metres, three.js matrices), free of
 * React and WebXR so it can be tested on its own.
 *
 * One hand: the object is rigidly attached to the hand (it follows the hand's translation and rotation).
 * Two hands: the object follows the midpoint of the hands, turns with the line between them and scales
 * with their distance. A gesture is restarted whenever the set of grabbing hands changes, so switching
 * from one hand to two never makes the object jump.
 */
import { Matrix4, Quaternion, Vector3 } from 'three'

export interface GrabGesture {
  /** the object's world matrix when the gesture started. */
  startObject: Matrix4
  /** one hand: inverse of the hand's world matrix at the start. */
  startHandInverse: Matrix4
  /** two hands: midpoint and the vector from the first to the second hand at the start. */
  startMid: Vector3
  startSpan: Vector3
  /** the object's scale (uniform) at the start, to clamp the result. */
  startScale: number
  hands: 1 | 2
}

export function startGrabGesture(hands: readonly Matrix4[], objectWorld: Matrix4): GrabGesture {
  const p0 = new Vector3().setFromMatrixPosition(hands[0])
  const p1 = hands.length > 1 ? new Vector3().setFromMatrixPosition(hands[1]) : p0.clone()
  return {
    startObject: objectWorld.clone(),
    startHandInverse: hands[0].clone().invert(),
    startMid: p0.clone().add(p1).multiplyScalar(0.5),
    startSpan: p1.clone().sub(p0),
    startScale: new Vector3().setFromMatrixScale(objectWorld).x,
    hands: hands.length > 1 ? 2 : 1,
  }
}

const p0 = new Vector3()
const p1 = new Vector3()
const mid = new Vector3()
const span = new Vector3()
const turn = new Quaternion()
const step = new Matrix4()
const part = new Matrix4()

/**
 * The object's world matrix for the hands' current world matrices (same order as at the start).
 * @param clampScale maps the wanted uniform scale to an allowed one (two hands only).
 */
export function grabGestureObjectWorld(
  gesture: GrabGesture,
  hands: readonly Matrix4[],
  out: Matrix4,
  clampScale: (scale: number) => number = (s) => s,
): Matrix4 {
  if (gesture.hands === 1 || hands.length < 2) {
    return out.multiplyMatrices(hands[0], gesture.startHandInverse).multiply(gesture.startObject)
  }
  p0.setFromMatrixPosition(hands[0])
  p1.setFromMatrixPosition(hands[1])
  mid.copy(p0).add(p1).multiplyScalar(0.5)
  span.copy(p1).sub(p0)
  const startLength = gesture.startSpan.length()
  const length = span.length()
  // hands on top of each other: keep the scale and rotation of the start rather than divide by ~0
  const ratio = startLength > 1e-4 && length > 1e-4 ? length / startLength : 1
  const scale = clampScale(gesture.startScale * ratio) / gesture.startScale
  if (startLength > 1e-4 && length > 1e-4) {
    turn.setFromUnitVectors(gesture.startSpan.clone().normalize(), span.clone().normalize())
  } else turn.identity()
  // out = T(mid) · R(turn) · S(scale) · T(−startMid) · startObject
  step.makeTranslation(mid.x, mid.y, mid.z)
  step.multiply(part.makeRotationFromQuaternion(turn))
  step.multiply(part.makeScale(scale, scale, scale))
  step.multiply(part.makeTranslation(-gesture.startMid.x, -gesture.startMid.y, -gesture.startMid.z))
  return out.multiplyMatrices(step, gesture.startObject)
}
