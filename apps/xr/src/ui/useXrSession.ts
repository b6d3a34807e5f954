/** The immersive session in progress (null at the desktop), from the XR store. */
import { useStore } from 'zustand'
import { xrStore } from '../xr/xrStore.ts'

export function useXrSession(): XRSession | null {
  return useStore(xrStore, (s) => s.session) ?? null
}
