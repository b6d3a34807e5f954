/** Protocol version; bumped on any incompatible change of the events below. */
export const PROTOCOL_VERSION = 1
