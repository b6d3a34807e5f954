/**
 * Which immersive modes this browser offers, re-checked when a headset is plugged in or an emulator
 * installs itself (navigator.xr 'devicechange'). Both false without WebXR (plain HTTP, most desktops).
 */
import { useEffect, useState } from 'react'

export interface XrSupport {
  /** still asking navigator.xr. */
  checking: boolean
  vr: boolean
  ar: boolean
}

async function supports(mode: XRSessionMode): Promise<boolean> {
  try {
    return (await navigator.xr?.isSessionSupported(mode)) ?? false
  } catch {
    return false
  }
}

export function useXrSupport(): XrSupport {
  const [support, setSupport] = useState<XrSupport>({ checking: true, vr: false, ar: false })
  useEffect(() => {
    let live = true
    const check = async () => {
      const [vr, ar] = await Promise.all([supports('immersive-vr'), supports('immersive-ar')])
      if (live) setSupport({ checking: false, vr, ar })
    }
    void check()
    navigator.xr?.addEventListener('devicechange', check)
    return () => {
      live = false
      navigator.xr?.removeEventListener('devicechange', check)
    }
  }, [])
  return support
}
