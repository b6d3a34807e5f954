/**
 * What the scene has put into the scene graph, for the frame probe (first frame showing a revision)
 * and the test hooks (sceneStats, hits). Module-level and mutated in place: the render loop reads it
 * every frame without allocating or subscribing React to it.
 */
import type { RootState } from '@react-three/fiber'
import type { Object3D } from 'three'

export interface SegmentInScene {
  revision: number
  /** the prompts (by seq) the mesh in the graph reflects. */
  promptSeqs: number[]
  triangles: number
  visible: boolean
  object: Object3D | null
}

export interface PointerHit {
  type: string
  /** three.js world metres. */
  point: [number, number, number]
  pointerType: string
  objectName: string
}

export const sceneRegistry = {
  /** segmentId → the mesh currently in the scene graph. */
  segments: new Map<string, SegmentInScene>(),
  markers: 0,
  avatars: 0,
  previewTriangles: 0,
  frames: 0,
  xrFrames: 0,
  /** segmentId → performance.now() of the first rendered frame showing that revision. */
  shown: {} as Record<string, { revision: number; at: number }>,
  /** pointer hits on pickable objects, newest last (bounded). */
  hits: [] as PointerHit[],
  /** reads the R3F root state (camera, gl, scene); set by the frame probe while the canvas lives. */
  three: null as (() => RootState) | null,
}

const MAX_HITS = 200

export function recordHit(hit: PointerHit): void {
  sceneRegistry.hits.push(hit)
  if (sceneRegistry.hits.length > MAX_HITS) sceneRegistry.hits.splice(0, sceneRegistry.hits.length - MAX_HITS)
}
