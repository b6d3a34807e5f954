/**
 * What the XR layer adds to the scene: the in-headset panel (only inside an immersive session; the
 * desktop has the DOM panels) and the presence sender (always: desktop participants are seen too).
 */
import { useXR } from '@react-three/xr'
import { PresenceSender } from './PresenceSender.tsx'
import { XrPanel } from './XrPanel.tsx'
import { useXrTestHooks } from './xrTestHooks.ts'

export function XrLayer() {
  const inXR = useXR((s) => s.session != null)
  useXrTestHooks()
  return (
    <>
      {inXR && <XrPanel />}
      <PresenceSender />
    </>
  )
}
