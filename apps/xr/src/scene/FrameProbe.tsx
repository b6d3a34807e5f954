/**
 * Counts frames (all, and XR ones) and notices the first frame that draws each new segment revision:
 * it runs in the frame loop just before the render, so a revision the scene graph holds now is on
 * screen at the end of this frame. It records `shown[segmentId]` and the prompt's shownAt (markLatency).
 */
import { useFrame, useThree } from '@react-three/fiber'
import { useLayoutEffect } from 'react'
import { markLatency } from '../state/store.ts'
import { sceneRegistry } from './sceneRegistry.ts'

export function FrameProbe() {
  const get = useThree((s) => s.get)
  useLayoutEffect(() => {
    sceneRegistry.three = get
    return () => void (sceneRegistry.three = null)
  }, [get])

  useFrame((_state, _delta, xrFrame?: XRFrame) => {
    sceneRegistry.frames++
    if (xrFrame) sceneRegistry.xrFrames++
    for (const [segmentId, inScene] of sceneRegistry.segments) {
      const shown = sceneRegistry.shown[segmentId]
      if (shown && shown.revision === inScene.revision) continue
      if (inScene.revision === 0) continue // nothing inferred yet
      const at = performance.now()
      sceneRegistry.shown[segmentId] = { revision: inScene.revision, at }
      if (inScene.promptSeqs.length > 0) markLatency(segmentId, inScene.promptSeqs, { shownAt: at })
    }
  })
  return null
}
