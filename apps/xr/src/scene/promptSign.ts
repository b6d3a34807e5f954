/**
 * Positive or negative prompt from the pointer event that placed it.
 *
 * Mouse (R3F DOM events): left click = positive; shift+click or right click (contextmenu) = negative.
 *
 * XR (@react-three/xr 6 routes its pointers through @pmndrs/pointer-events into the same R3F handlers):
 * - `e.pointerState` is the pointer's XRInputSourceState ({ type: 'controller' | 'hand' |
 *   'transientPointer', inputSource, gamepad? }), so the hand is `e.pointerState.inputSource.handedness`
 *   ('left' | 'right' | 'none'; Vision Pro's gaze-and-pinch transient pointer reports the pinching hand).
 *   `e.nativeEvent` is the XRInputSourceEvent ('selectstart'/'selectend') with `button` set to 0 by
 *   bindPointerXRInputSourceEvent, so it carries `inputSource` too (used when pointerState is absent).
 * - The ray pointer only turns `select` (trigger / pinch) into pointer events: every XR click has
 *   button 0. The controller's upper face button (B on the right controller, Y on the left) held during
 *   the select is read from `e.pointerState.gamepad['b-button' | 'y-button'].state === 'pressed'`.
 * - `e.delta` throws for these events (pointer-events does not track it), so drags are only measured
 *   for DOM events.
 * Rule: the right (or unhanded) select = view.promptPositive; the left hand/controller, or a held
 * secondary button, gives the opposite (both together too: the opposite, not a double flip).
 */
import { useAppStore } from '../state/store.ts'

export interface XrPromptInput {
  handedness: 'left' | 'right' | 'none'
  secondaryHeld: boolean
}

export interface PromptInput {
  /** null for a mouse/touch/pen (DOM) event. */
  xr: XrPromptInput | null
  /** DOM button: 0 left, 2 right. */
  button: number
  shiftKey: boolean
}

/** true = positive. `promptPositive` is view.promptPositive (the default sign of a primary XR select). */
export function signFromInput(input: PromptInput, promptPositive: boolean): boolean {
  if (input.xr) {
    const flipped = input.xr.handedness === 'left' || input.xr.secondaryHeld
    return flipped ? !promptPositive : promptPositive
  }
  return !(input.shiftKey || input.button === 2)
}

interface GamepadComponent {
  state?: string
}
interface LoosePointerState {
  inputSource?: XRInputSource
  gamepad?: Record<string, GamepadComponent | undefined>
}
/** The fields of an R3F or pointer-events event this module reads (both shapes satisfy it). */
export interface SignedPointerEvent {
  nativeEvent: unknown
  pointerState?: unknown
}

const SECONDARY_BUTTONS = ['b-button', 'y-button']

/** The XR input source behind an event, or null for a DOM (mouse/touch/pen) event. */
export function xrInputSourceOf(e: SignedPointerEvent): XRInputSource | null {
  const state = e.pointerState as LoosePointerState | undefined
  if (state?.inputSource) return state.inputSource
  const native = e.nativeEvent as { inputSource?: XRInputSource } | null
  return native?.inputSource ?? null
}

/** The PromptInput of an event. */
export function promptInputOf(e: SignedPointerEvent): PromptInput {
  const source = xrInputSourceOf(e)
  const native = (e.nativeEvent ?? {}) as { button?: number; shiftKey?: boolean }
  if (source) {
    const gamepad = (e.pointerState as LoosePointerState | undefined)?.gamepad
    const secondaryHeld = SECONDARY_BUTTONS.some((id) => gamepad?.[id]?.state === 'pressed')
    return {
      xr: { handedness: source.handedness, secondaryHeld },
      button: native.button ?? 0,
      shiftKey: false,
    }
  }
  return { xr: null, button: native.button ?? 0, shiftKey: native.shiftKey === true }
}

/** true = positive prompt, for the event that places it. */
export function promptSign(e: SignedPointerEvent): boolean {
  return signFromInput(promptInputOf(e), useAppStore.getState().view.promptPositive)
}
