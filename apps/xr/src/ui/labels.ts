/** Fixed texts of the overlay that tests and other panels refer to (no imports: safe anywhere). */

/** #enter-vr's label where the browser offers no immersive-vr session. */
export const NO_WEBXR_TEXT = 'WebXR not available — open over HTTPS on a headset'

/** The desktop mouse help along the bottom. */
export const HELP_TEXT = 'click = include, shift-click / right-click = exclude, drag = rotate, wheel = zoom'
