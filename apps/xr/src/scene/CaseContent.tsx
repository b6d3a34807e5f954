/**
 * The case in the scene: `case-frame` (RAS → three rotation, mm → m scale, the volume's centre at the
 * origin; caseFrame.caseFrameMatrix) holding `case-ras`, in which everything is placed in world RAS mm:
 * the preview isosurface, the slice planes, the segment meshes, the prompt markers and the other
 * participants. The case-ras group is registered for rasToScene / sceneToRas.
 */
import { useCallback, useLayoutEffect, useRef } from 'react'
import type { Group } from 'three'
import { useAppStore } from '../state/store.ts'
import { caseFrameMatrix, caseScale, registerRasGroup } from './caseFrame.ts'
import { PresenceAvatars } from './PresenceAvatars.tsx'
import { PreviewSurface } from './PreviewSurface.tsx'
import { PromptMarkers } from './PromptMarkers.tsx'
import { SegmentMeshes } from './SegmentMeshes.tsx'
import { SlicePlanes } from './SlicePlanes.tsx'

export function CaseContent() {
  const info = useAppStore((s) => s.room?.caseInfo ?? null)
  const realSize = useAppStore((s) => s.view.realSize)
  const frame = useRef<Group>(null)

  useLayoutEffect(() => {
    if (!frame.current || !info) return
    frame.current.matrix.copy(caseFrameMatrix(info, realSize))
    frame.current.matrixWorldNeedsUpdate = true
  }, [info, realSize])

  const rasRef = useCallback((group: Group | null) => {
    registerRasGroup(group)
    return () => registerRasGroup(null)
  }, [])

  if (!info) return null
  return (
    <group ref={frame} name="case-frame" matrixAutoUpdate={false}>
      <group ref={rasRef} name="case-ras">
        <PreviewSurface />
        <SlicePlanes />
        <SegmentMeshes />
        <PromptMarkers metresPerMm={caseScale(info, realSize)} />
        <PresenceAvatars />
      </group>
    </group>
  )
}
