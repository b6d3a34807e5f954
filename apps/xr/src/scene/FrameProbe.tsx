/**
 * Counts frames (all, and XR ones) and notices the first frame that draws each new segment revision:
 * it runs in the frame loop just before the render, so a revision the scene graph holds now is on
 * screen at the end of this frame. It records `shown[segmentId]` and the prompt's shownAt (markLatency).
 */
import { useFrame, useThree } from '@react-three/fiber'
import { useLayoutEffect } from 'react'
import { markLatency } from '../state/store.ts'
import { sceneRegistry, type SegmentInScene } from './sceneRegistry.ts'

/** Called per segment in the graph every frame (a module function: no per-frame closure). */
function noteShown(inScene: SegmentInScene, segmentId: string): void {
  const shown = sceneRegistry.shown[segmentId]
  if (inScene.revision === 0 || shown?.revision === inScene.revision) return // nothing new (or inferred yet)
  const at = performance.now()
  sceneRegistry.shown[segmentId] = { revision: inScene.revision, at }
  if (inScene.promptSeqs.length > 0) markLatency(segmentId, inScene.promptSeqs, { shownAt: at })
}

export function FrameProbe() {
  const get = useThree((s) => s.get)
  useLayoutEffect(() => {
    sceneRegistry.three = get
    return () => void (sceneRegistry.three = null)
  }, [get])

  useFrame((_state, _delta, xrFrame?: XRFrame) => {
    sceneRegistry.frames++
    if (xrFrame) sceneRegistry.xrFrames++
    sceneRegistry.segments.forEach(noteShown)
  })
  return null
}
