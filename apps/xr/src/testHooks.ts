/**
 * `window.__fsx`: what the browser tests (and the client benchmark) read from the page — the store,
 * the XR store, frame counters, the RAS ↔ scene ↔ screen conversions, scene statistics, when each
 * segment revision was first drawn, and the pointer hits on pickable objects. Everything is read live
 * (getters), so a test holding `window.__fsx` always sees the current values.
 */
import { Vector3 } from 'three'
import type { Vec3 } from '@fastsam-xr/protocol'
import { currentRasGroup, rasToScene, sceneToRas } from './scene/caseFrame.ts'
import { sceneRegistry, type PointerHit } from './scene/sceneRegistry.ts'
import { useAppStore } from './state/store.ts'
import { xrStore } from './xr/xrStore.ts'

export interface SceneStats {
  /** of the last rendered frame (renderer.info.render). */
  triangles: number
  drawCalls: number
  segmentMeshes: { segmentId: string; revision: number; triangles: number; visible: boolean }[]
  markers: number
  avatars: number
  previewTriangles: number
}

export interface FsxHooks {
  store: typeof useAppStore
  xrStore: typeof xrStore
  readonly frames: number
  readonly xrFrames: number
  /** world RAS mm → three.js world metres (null before a case is shown). */
  rasToWorld(ras: Vec3): [number, number, number] | null
  worldToRas(world: [number, number, number]): [number, number, number] | null
  /** world RAS mm → CSS pixels in the page through the current desktop camera (null if behind it). */
  rasToScreen(ras: Vec3): [number, number] | null
  sceneStats(): SceneStats
  readonly shown: Record<string, { revision: number; at: number }>
  readonly hits: PointerHit[]
}

const scratch = new Vector3()

function rasToScreen(ras: Vec3): [number, number] | null {
  const get = sceneRegistry.three
  if (!get || !currentRasGroup()) return null
  const { camera, gl } = get()
  camera.updateMatrixWorld()
  const p = rasToScene(ras, scratch)
  // In front of the camera?
  const inView = p.clone().applyMatrix4(camera.matrixWorldInverse)
  if (inView.z >= 0) return null
  p.project(camera)
  const rect = gl.domElement.getBoundingClientRect()
  return [rect.left + ((p.x + 1) / 2) * rect.width, rect.top + ((1 - p.y) / 2) * rect.height]
}

function sceneStats(): SceneStats {
  const render = sceneRegistry.three?.().gl.info.render
  return {
    triangles: render?.triangles ?? 0,
    drawCalls: render?.calls ?? 0,
    segmentMeshes: [...sceneRegistry.segments].map(([segmentId, s]) => ({
      segmentId,
      revision: s.revision,
      triangles: s.triangles,
      visible: s.visible,
    })),
    markers: sceneRegistry.markers,
    avatars: sceneRegistry.avatars,
    previewTriangles: sceneRegistry.previewTriangles,
  }
}

export function installTestHooks(): void {
  const hooks: FsxHooks = {
    store: useAppStore,
    xrStore,
    get frames() {
      return sceneRegistry.frames
    },
    get xrFrames() {
      return sceneRegistry.xrFrames
    },
    rasToWorld: (ras) => (currentRasGroup() ? (rasToScene(ras).toArray() as [number, number, number]) : null),
    worldToRas: (world) => (currentRasGroup() ? sceneToRas(new Vector3(...world)) : null),
    rasToScreen,
    sceneStats,
    get shown() {
      return sceneRegistry.shown
    },
    get hits() {
      return sceneRegistry.hits
    },
  }
  ;(window as unknown as { __fsx: FsxHooks }).__fsx = hooks
}
