/**
 * Where the case sits in the scene (metres, three.js world: +Y up, −Z away from the user), shared by
 * the XR grab layer (which moves it) and the desktop camera (which looks at it).
 */
/** The case's centre at rest: in front of a standing or seated user, a little below eye height. */
export const CASE_HOME_POSITION: [number, number, number] = [0, 1.3, -0.6]
/** The comfortable (table-top) scale fits the case's largest side into this many metres. */
export const CASE_FIT_SIZE_M = 0.45
