/**
 * The prompt sign rule, and reading handedness / the secondary button out of the events that
 * @pmndrs/pointer-events (the pointer system @react-three/xr 6 routes controller, hand and transient
 * pointers through) really emits: a ray pointer built with createRayPointer, aimed at a mesh, pressed
 * and released, delivers a click whose pointerState / nativeEvent promptSign reads.
 */
import { describe, expect, it } from 'vitest'
import { BoxGeometry, Group, Mesh, PerspectiveCamera, Scene } from 'three'
import { createRayPointer } from '@pmndrs/pointer-events'
import {
  promptInputOf,
  promptSign,
  signFromInput,
  type SignedPointerEvent,
} from '../../src/scene/promptSign.ts'
import { setView, useAppStore } from '../../src/state/store.ts'

describe('signFromInput', () => {
  const mouse = (button: number, shiftKey = false) => ({ xr: null, button, shiftKey })
  const xr = (handedness: 'left' | 'right' | 'none', secondaryHeld = false) => ({
    xr: { handedness, secondaryHeld },
    button: 0,
    shiftKey: false,
  })

  it('mouse: left click positive; shift+click or right click negative (whatever promptPositive says)', () => {
    for (const promptPositive of [true, false]) {
      expect(signFromInput(mouse(0), promptPositive)).toBe(true)
      expect(signFromInput(mouse(0, true), promptPositive)).toBe(false)
      expect(signFromInput(mouse(2), promptPositive)).toBe(false)
    }
  })

  it('XR: right or unhanded select = promptPositive; left hand or secondary button = the opposite', () => {
    for (const promptPositive of [true, false]) {
      expect(signFromInput(xr('right'), promptPositive)).toBe(promptPositive)
      expect(signFromInput(xr('none'), promptPositive)).toBe(promptPositive)
      expect(signFromInput(xr('left'), promptPositive)).toBe(!promptPositive)
      expect(signFromInput(xr('right', true), promptPositive)).toBe(!promptPositive)
      expect(signFromInput(xr('left', true), promptPositive)).toBe(!promptPositive)
    }
  })
})

/** Clicks a box with a real ray pointer whose state is `pointerState`; returns the click event. */
function clickWithRayPointer(pointerState: unknown, nativeExtra: object): SignedPointerEvent {
  const scene = new Scene()
  const box = new Mesh(new BoxGeometry(1, 1, 1))
  box.position.set(0, 0, -3)
  scene.add(box)
  const space = new Group() // the controller's target-ray space: at the origin, looking down −Z
  scene.add(space)
  scene.updateMatrixWorld(true)
  let clicked: SignedPointerEvent | null = null
  box.addEventListener('click' as never, ((e: SignedPointerEvent) => (clicked = e)) as never)
  const camera = new PerspectiveCamera()
  const pointer = createRayPointer(() => camera, { current: space }, pointerState)
  pointer.move(scene, { timeStamp: 0 })
  pointer.down({ timeStamp: 10, button: 0, ...nativeExtra } as never)
  pointer.up({ timeStamp: 60, button: 0, ...nativeExtra } as never)
  if (!clicked) throw new Error('the ray pointer did not click the box')
  return clicked
}

describe('promptSign on real pointer-events clicks', () => {
  const controller = (handedness: XRHandedness, pressed: string[] = []) => {
    const inputSource = { handedness } as XRInputSource
    const gamepad = Object.fromEntries(pressed.map((id) => [id, { state: 'pressed' }]))
    return { state: { type: 'controller', inputSource, gamepad }, native: { inputSource } }
  }

  it('reads the handedness from pointerState.inputSource and the B / Y button from its gamepad', () => {
    setView({ promptPositive: true })
    const right = controller('right')
    const e = clickWithRayPointer(right.state, right.native)
    expect(promptInputOf(e)).toEqual({
      xr: { handedness: 'right', secondaryHeld: false },
      button: 0,
      shiftKey: false,
    })
    expect(promptSign(e)).toBe(true)
    const left = controller('left')
    expect(promptSign(clickWithRayPointer(left.state, left.native))).toBe(false)
    const rightWithB = controller('right', ['b-button'])
    expect(promptSign(clickWithRayPointer(rightWithB.state, rightWithB.native))).toBe(false)
    const rightWithA = controller('right', ['a-button'])
    expect(promptSign(clickWithRayPointer(rightWithA.state, rightWithA.native))).toBe(true)
  })

  it('follows view.promptPositive for the primary select, and reads a hand (no gamepad) too', () => {
    setView({ promptPositive: false })
    try {
      const inputSource = { handedness: 'right' } as XRInputSource
      const hand = { type: 'hand', inputSource }
      expect(promptSign(clickWithRayPointer(hand, { inputSource }))).toBe(false)
      const leftSource = { handedness: 'left' } as XRInputSource
      expect(
        promptSign(
          clickWithRayPointer({ type: 'hand', inputSource: leftSource }, { inputSource: leftSource }),
        ),
      ).toBe(true)
    } finally {
      setView({ promptPositive: useAppStore.getInitialState().view.promptPositive })
    }
  })

  it('treats an event without an XR input source as the mouse', () => {
    expect(promptInputOf({ nativeEvent: { button: 0, shiftKey: true } })).toEqual({
      xr: null,
      button: 0,
      shiftKey: true,
    })
    expect(promptSign({ nativeEvent: { button: 0, shiftKey: false } })).toBe(true)
    expect(promptSign({ nativeEvent: { button: 2, shiftKey: false } })).toBe(false)
  })
})
