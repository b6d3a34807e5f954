/**
 * `window.__fsxXr`: what the browser tests need to aim at the XR-only objects and to check grabbing,
 * next to SCENE's `window.__fsx`. World positions are three.js metres (what IWER poses use).
 */
import { TEST_BUILD } from '../testBuild.ts'
import { useThree } from '@react-three/fiber'
import { useEffect } from 'react'
import { Vector3, type Object3D } from 'three'
import {
  PANEL_HEIGHT_PX,
  PANEL_PX_TO_M,
  PANEL_WIDTH_PX,
  buttonCentreUv,
  type PanelButtonId,
} from './panelLayout.ts'
import { getPlacement, resetView } from './placementControl.ts'
import { squeezeGrabState } from './useSqueezeGrab.ts'

type V3 = [number, number, number]

export interface FsxXrHooks {
  /** the case placement group: position (m), quaternion [x,y,z,w], uniform grab scale. */
  placement(): { position: V3; quaternion: [number, number, number, number]; scale: number } | null
  /** controllers squeezing right now (0–2). */
  grabbing(): number
  /** world centre of a panel button (the panel exists only in an immersive session). */
  panelButtonWorld(id: PanelButtonId): V3 | null
  /** world centre of the grab handle bar under the case (exists only in an immersive session). */
  handleWorld(): V3 | null
  resetView(): void
}

declare global {
  interface Window {
    __fsxXr?: FsxXrHooks
  }
}

const tuple = (v: Vector3): V3 => [v.x, v.y, v.z]

function worldOf(scene: Object3D, name: string, local: Vector3): V3 | null {
  const object = scene.getObjectByName(name)
  if (!object) return null
  object.updateWorldMatrix(true, false)
  return tuple(object.localToWorld(local))
}

export function useXrTestHooks(): void {
  const scene = useThree((s) => s.scene)
  useEffect(() => {
    if (!TEST_BUILD) return // production bundle: no page hooks (testBuild.ts)
    window.__fsxXr = {
      placement() {
        const p = getPlacement()
        if (!p) return null
        return {
          position: tuple(p.position),
          quaternion: [...p.quaternion.toArray()] as [number, number, number, number],
          scale: p.scale.x,
        }
      },
      grabbing: () => squeezeGrabState.grabbing,
      panelButtonWorld(id) {
        const [u, v] = buttonCentreUv(id)
        const local = new Vector3(
          (u - 0.5) * PANEL_WIDTH_PX * PANEL_PX_TO_M,
          (v - 0.5) * PANEL_HEIGHT_PX * PANEL_PX_TO_M,
          0,
        )
        return worldOf(scene, 'xr-panel', local)
      },
      handleWorld: () => worldOf(scene, 'case-grab-handle', new Vector3()),
      resetView,
    }
    return () => {
      delete window.__fsxXr
    }
  }, [scene])
}
