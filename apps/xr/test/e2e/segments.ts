/** Reading segments, meshes and pointer hits out of a page (through `window.__fsx`). */
import type { Anatomy } from './anatomy.ts'
import { waitFsx, type AppPage, type FsxWindow } from './harness.ts'

type Vec3 = [number, number, number]

export interface SegmentState {
  segmentId: string
  color: string
  visible: boolean
  revision: number
  voxels: number
  volumeMl: number
  prompts: { seq: number; pointWorldRas: Vec3; positive: boolean; clientId: string }[]
  /** triangles of the segment's mesh in the scene graph (0 when it has none). */
  sceneTriangles: number
  /** the revision of the first frame that showed it (`__fsx.shown`), or -1. */
  shownRevision: number
}

/** Every segment of the page's store, in creation order, with what the scene graph holds for it. */
export async function readSegments(app: AppPage): Promise<SegmentState[]> {
  return app.page.evaluate(() => {
    const f = (window as unknown as FsxWindow).__fsx
    const s = f.store.getState()
    const stats = f.sceneStats()
    return s.segmentOrder
      .map((id) => s.segments[id])
      .filter((g) => g !== undefined)
      .map((g) => {
        const inScene = stats.segmentMeshes.filter((m) => m.segmentId === g.info.segmentId)
        return {
          segmentId: g.info.segmentId,
          color: g.info.color,
          visible: g.info.visible,
          revision: g.revision,
          voxels: g.voxels,
          volumeMl: g.volumeMl,
          prompts: g.prompts,
          sceneTriangles: inScene.reduce((n, m) => n + m.triangles, 0),
          shownRevision: f.shown[g.info.segmentId]?.revision ?? -1,
        }
      })
  })
}

/**
 * Waits until a segment (the given one, or any) holds a mesh newer than `afterRevision` that the
 * scene graph holds and a frame has shown, and no prompt of it is pending; returns its state.
 */
export async function waitForMesh(
  app: AppPage,
  opts: { segmentId?: string; afterRevision?: number; timeout?: number } = {},
): Promise<SegmentState> {
  const arg = { id: opts.segmentId ?? null, after: opts.afterRevision ?? 0 }
  await waitFsx(
    app,
    `a mesh of segment ${arg.id ?? '(any)'} after revision ${arg.after}`,
    ({ id, after }) => {
      const f = (window as unknown as FsxWindow).__fsx
      const s = f.store.getState()
      const ids = id ? [id] : s.segmentOrder
      return ids.some((sid) => {
        const g = s.segments[sid]
        if (!g || g.revision <= after || g.pendingSeqs.length > 0) return false
        const shown = f.shown[sid]
        const inScene = f.sceneStats().segmentMeshes.find((m) => m.segmentId === sid)
        return (
          !!shown && shown.revision >= g.revision && (g.voxels === 0 || (!!inScene && inScene.triangles > 0))
        )
      })
    },
    arg,
    opts.timeout ?? 30_000,
  )
  const all = await readSegments(app)
  const done = all.find(
    (g) =>
      (arg.id === null || g.segmentId === arg.id) && g.revision > arg.after && g.shownRevision >= g.revision,
  )
  if (!done) throw new Error('mesh vanished after it was shown')
  return done
}

/** The pointer hits recorded since the last call (cleared), with their RAS points. */
export async function takeHits(
  app: AppPage,
): Promise<{ type: string; pointerType: string; objectName: string; point: Vec3; ras: Vec3 | null }[]> {
  return app.page.evaluate(() => {
    const f = (window as unknown as FsxWindow).__fsx
    return f.hits.splice(0).map((h) => ({ ...h, ras: f.worldToRas(h.point) }))
  })
}

/**
 * Asserts that a pointer hit landed where the user aimed at the organ: on a slice plane inside the organ, or
 * on a segment mesh in front of it (a good first mask covers most of the organ, so a second ray at the organ
 * may meet that mask's surface first; prompting on the mesh is how a user corrects it there).
 */
export function expectAimedAt(
  anatomy: Anatomy,
  organ: string,
  hit: { objectName: string; ras: Vec3 | null } | undefined,
  what: string,
): void {
  if (!hit) throw new Error(`${what}: no hit`)
  if (hit.objectName.startsWith('segment:')) return
  if (!hit.objectName.startsWith('slice-'))
    throw new Error(`${what}: hit ${hit.objectName}, not a slice plane or a segment`)
  expectInside(anatomy, organ, hit.ras, what)
}

/** Asserts that a RAS point lies in the organ; a readable error otherwise. */
export function expectInside(anatomy: Anatomy, organ: string, ras: Vec3 | null, what: string): void {
  if (!ras) throw new Error(`${what}: no point`)
  const label = anatomy.labelAt(ras)
  if (label !== anatomy.labels[organ])
    throw new Error(
      `${what}: RAS (${ras.map((v) => v.toFixed(1)).join(', ')}) has label ${label}, not ${organ} (${anatomy.labels[organ]})`,
    )
}
