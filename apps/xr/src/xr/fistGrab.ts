/**
 * A closed fist on a tracked hand is the hands' squeeze: hand tracking (Quest, HoloLens 2) sends
 * select for a pinch (our prompt) but no squeeze, so a fist is how a hand grabs the case from anywhere.
 * A fist = index, middle and ring fingertips all close to the wrist. A pinch (index to thumb, the other
 * fingers open), pointing (index out) or a relaxed hand keep at least one of them far away.
 */

/** Fingertip-to-wrist distances (metres) under which a fist starts / over which it ends (hysteresis). */
export const FIST_CLOSE_M = 0.1
export const FIST_OPEN_M = 0.12

const FIST_TIPS = ['index-finger-tip', 'middle-finger-tip', 'ring-finger-tip'] as const

/**
 * Whether the hand is a fist, given whether it was one last frame (hysteresis).
 * @param tipDistances fingertip → wrist distances in metres (index, middle, ring).
 */
export function isFist(tipDistances: readonly number[], wasFist: boolean): boolean {
  const limit = wasFist ? FIST_OPEN_M : FIST_CLOSE_M
  return tipDistances.length > 0 && tipDistances.every((d) => d < limit)
}

/**
 * The fingertip → wrist distances of a tracked hand this frame, or null when the joints are not tracked.
 * (Distances do not depend on the reference space, any one will do.)
 */
export function fistTipDistances(frame: XRFrame, hand: XRHand, space: XRReferenceSpace): number[] | null {
  // (typed as a map by joint name here: the DOM typings disagree with @types/webxr on its keys)
  const joints = hand as unknown as ReadonlyMap<string, XRJointSpace>
  const wristSpace = joints.get('wrist')
  if (!wristSpace || !frame.getJointPose) return null
  const wrist = frame.getJointPose(wristSpace, space)
  if (!wrist) return null
  const w = wrist.transform.position
  const out: number[] = []
  for (const joint of FIST_TIPS) {
    const tipSpace = joints.get(joint)
    const tip = tipSpace ? frame.getJointPose(tipSpace, space) : undefined
    if (!tip) return null
    const p = tip.transform.position
    out.push(Math.hypot(p.x - w.x, p.y - w.y, p.z - w.z))
  }
  return out
}
