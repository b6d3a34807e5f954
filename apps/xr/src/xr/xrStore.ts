/**
 * The one WebXR store (@react-three/xr): session options and the input we accept — controllers (ray on
 * the trigger, squeeze grabs the case: GrabbableCase), hands (pinch ray), Vision Pro's gaze-and-pinch
 * (transient pointer) — plus `enterXR` for the buttons.
 */
import { createXRStore } from '@react-three/xr'

/**
 * Absolute URL of the self-hosted input profiles (scripts/copy-xr-assets.mjs). Absolute because the
 * library resolves each file with `new URL(relative, baseAssetPath)`; relative to the page because the
 * build's base is './' (the app may be served under a sub-path).
 */
export const XR_PROFILES_URL = new URL(
  'webxr-profiles/',
  // (outside a page, e.g. a unit test importing this module, there is no location: any base will do)
  new URL(
    import.meta.env.BASE_URL ?? './',
    typeof location === 'undefined' ? 'http://localhost/' : location.href,
  ),
).href

/**
 * Quest 3 offers 72/90/120 Hz: 90 is smooth enough for a mostly static scene and leaves headroom for
 * mesh updates; other devices get their closest rate at or below 90 (or their only one).
 */
function preferredFrameRate(supported: ArrayLike<number>): number | false {
  const rates = Array.from(supported).sort((a, b) => a - b)
  if (rates.length === 0) return false
  const atMost90 = rates.filter((r) => r <= 90)
  return atMost90.length > 0 ? atMost90[atMost90.length - 1] : rates[0]
}

/**
 * A ray press counts as a click (a prompt) up to this long. The library's 300 ms default drops the slow,
 * deliberate pinches people make with tracked hands, and every click on a loaded machine (tests).
 */
export const RAY_CLICK_THRESHOLD_MS = 1000

export const xrStore = createXRStore({
  // tests bring their own IWER; the built-in emulator only runs on localhost and breaks in Chromium
  emulate: false,
  offerSession: false,
  baseAssetPath: XR_PROFILES_URL,
  controller: { teleportPointer: false, rayPointer: { clickThresholdMs: RAY_CLICK_THRESHOLD_MS } },
  hand: { teleportPointer: false, rayPointer: { clickThresholdMs: RAY_CLICK_THRESHOLD_MS } },
  transientPointer: { clickThresholdMs: RAY_CLICK_THRESHOLD_MS },
  // a head-gaze ray would place prompts wherever the user looks
  gaze: false,
  frameRate: preferredFrameRate,
  // moderate fixed foveation: the case sits in the centre of view, the panel a little aside
  foveation: 0.5,
  // features we do not use would only add permission prompts (Quest asks for spatial data)
  anchors: false,
  planeDetection: false,
  meshDetection: false,
  bodyTracking: false,
  hitTest: false,
  domOverlay: false,
  handTracking: true,
})

export type XRMode = 'immersive-vr' | 'immersive-ar'

/** Whether this browser can start the given immersive mode (false without WebXR, e.g. over plain HTTP). */
export async function isXRModeSupported(mode: XRMode): Promise<boolean> {
  if (typeof navigator === 'undefined' || !navigator.xr) return false
  try {
    return await navigator.xr.isSessionSupported(mode)
  } catch {
    return false
  }
}

/**
 * Starts an immersive session. 'immersive-ar' is passthrough (Quest 3, Vision Pro where the browser
 * offers it) and falls back to 'immersive-vr' when the device cannot do AR.
 * @returns the session, or null when none could be started.
 */
export async function enterXR(mode: XRMode = 'immersive-vr'): Promise<XRSession | null> {
  const chosen = mode === 'immersive-ar' && !(await isXRModeSupported('immersive-ar')) ? 'immersive-vr' : mode
  const session = await xrStore.enterXR(chosen)
  return session ?? null
}

/** Ends the current immersive session, if any. */
export async function exitXR(): Promise<void> {
  await xrStore.getState().session?.end()
}
