/**
 * The whole client: one R3F canvas (desktop and XR share it) and the DOM overlay for desktop panels.
 * Inside the canvas, the XR layer (session, input, grab/scale of the case) wraps the case content,
 * which is drawn in world RAS mm (scene/CaseContent.tsx) under the one RAS → scene transform.
 */
import { Canvas } from '@react-three/fiber'
import { XR } from '@react-three/xr'
import { CaseContent } from './scene/CaseContent.tsx'
import { DesktopCamera } from './scene/DesktopCamera.tsx'
import { Lights } from './scene/Lights.tsx'
import { FrameProbe } from './scene/FrameProbe.tsx'
import { TEST_BUILD } from './testBuild.ts'
import { Overlay } from './ui/Overlay.tsx'
import { GrabbableCase } from './xr/GrabbableCase.tsx'
import { XrLayer } from './xr/XrLayer.tsx'
import { xrStore } from './xr/xrStore.ts'

export function App() {
  return (
    <>
      <Canvas
        id="scene"
        gl={{ antialias: true, preserveDrawingBuffer: TEST_BUILD }}
        camera={{ position: [0, 1.45, 0.35], rotation: [0, 0, 0], near: 0.01, far: 50, fov: 55 }}
        onContextMenu={(e) => e.preventDefault()}
      >
        <XR store={xrStore}>
          <Lights />
          <DesktopCamera />
          <XrLayer />
          <GrabbableCase>
            <CaseContent />
          </GrabbableCase>
          <FrameProbe />
        </XR>
      </Canvas>
      <Overlay />
    </>
  )
}
