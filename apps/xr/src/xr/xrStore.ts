// SKELETON: replaced by its owner.
import { createXRStore } from '@react-three/xr'
export const xrStore = createXRStore({ emulate: false })
