import { describe, expect, it } from 'vitest'
import { Matrix4, Quaternion, Vector3 } from 'three'
import { grabGestureObjectWorld, startGrabGesture } from '../../src/xr/grabGesture.ts'

const at = (x: number, y: number, z: number, q = new Quaternion()) =>
  new Matrix4().compose(new Vector3(x, y, z), q, new Vector3(1, 1, 1))
const parts = (m: Matrix4) => {
  const p = new Vector3()
  const q = new Quaternion()
  const s = new Vector3()
  m.decompose(p, q, s)
  return { p, q, s }
}

describe('grab gesture', () => {
  const object = at(0, 1.3, -0.6)

  it('one hand carries the object rigidly: translation and rotation about the hand', () => {
    const gesture = startGrabGesture([at(0.2, 1.3, -0.3)], object)
    const turned = new Quaternion().setFromAxisAngle(new Vector3(0, 1, 0), Math.PI / 2)
    const out = grabGestureObjectWorld(gesture, [at(0.3, 1.4, -0.3, turned)], new Matrix4())
    const { p, q, s } = parts(out)
    // the object sat at (−0.2, 0, −0.3) from the hand; a quarter turn left (+Y) takes that offset to
    // (−0.3, 0, +0.2), from the hand's new place (0.3, 1.4, −0.3)
    expect(p.x).toBeCloseTo(0, 6)
    expect(p.y).toBeCloseTo(1.4, 6)
    expect(p.z).toBeCloseTo(-0.1, 6)
    expect(q.angleTo(turned)).toBeCloseTo(0, 6)
    expect(s.x).toBeCloseTo(1, 6)
  })

  it('a still hand leaves the object where it was', () => {
    const hand = at(0.1, 1.2, -0.2, new Quaternion(0.1, 0.2, 0.3, 0.9).normalize())
    const out = grabGestureObjectWorld(startGrabGesture([hand], object), [hand], new Matrix4())
    expect(out.equals(object) || out.toArray().every((v, i) => Math.abs(v - object.elements[i]) < 1e-9)).toBe(
      true,
    )
  })

  it('two hands moving apart scale about their midpoint, turning with the line between them', () => {
    const gesture = startGrabGesture([at(-0.1, 1.3, -0.6), at(0.1, 1.3, -0.6)], object)
    const spread = grabGestureObjectWorld(gesture, [at(-0.2, 1.3, -0.6), at(0.2, 1.3, -0.6)], new Matrix4())
    expect(parts(spread).s.x).toBeCloseTo(2, 6)
    expect(parts(spread).p.toArray()).toEqual([0, 1.3, -0.6].map((v) => expect.closeTo(v, 6)))
    // the right hand swings back to z −0.4 and the left forward: a yaw turn, distance unchanged
    const turn = grabGestureObjectWorld(gesture, [at(0, 1.3, -0.7), at(0, 1.3, -0.5)], new Matrix4())
    const t = parts(turn)
    expect(t.s.x).toBeCloseTo(1, 6)
    const yaw = new Quaternion().setFromUnitVectors(new Vector3(1, 0, 0), new Vector3(0, 0, 1))
    expect(t.q.angleTo(yaw)).toBeCloseTo(0, 6)
  })

  it('clamps the scale through the callback and ignores hands on top of each other', () => {
    const gesture = startGrabGesture([at(-0.1, 1.3, -0.6), at(0.1, 1.3, -0.6)], object)
    const clamped = grabGestureObjectWorld(
      gesture,
      [at(-1, 1.3, -0.6), at(1, 1.3, -0.6)],
      new Matrix4(),
      (s) => Math.min(s, 3),
    )
    expect(parts(clamped).s.x).toBeCloseTo(3, 6)
    const together = grabGestureObjectWorld(gesture, [at(0, 1.3, -0.6), at(0, 1.3, -0.6)], new Matrix4())
    expect(parts(together).s.x).toBeCloseTo(1, 6)
  })
})
