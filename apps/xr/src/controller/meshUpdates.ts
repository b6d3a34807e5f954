/**
 * segment:mesh → decoded mesh in the store. Decoding happens in the mesh worker; updates of one
 * segment may come back out of order, so an update older than the one shown is dropped. The last
 * wire bytes of every segment are kept here (not in the store) so that meshes can be fitted again
 * when the triangle budget shrinks (a fourth visible segment, a larger preview).
 */
import type { MeshUpdate } from '@fastsam-xr/protocol'
import { decodeInWorker } from '../mesh/meshClient.ts'
import { PREVIEW_TRIANGLE_BUDGET, segmentTriangleBudget } from '../mesh/budget.ts'
import { pushMessage, useAppStore, type AppState, type DecodedMesh } from '../state/store.ts'
import { asBytes } from './snapshot.ts'

interface Shown {
  revision: number
  /** the budget the shown mesh was fitted to. */
  budget: number
  triangles: number
}

const latestUpdate = new Map<string, MeshUpdate>()
const shown = new Map<string, Shown>()

/** Bumped when the room changes: a decode that started in another room is dropped (segment ids repeat). */
let roomEpoch = 0

/** Forgets every segment (a different room was opened). */
export function forgetSegmentMeshes(): void {
  roomEpoch++
  latestUpdate.clear()
  shown.clear()
}

export function forgetSegmentMesh(segmentId: string): void {
  latestUpdate.delete(segmentId)
  shown.delete(segmentId)
}

/** Triangles each visible segment may use now. */
export function currentSegmentBudget(state: AppState = useAppStore.getState()): number {
  const visible = Object.values(state.segments).filter((s) => s.info.visible).length
  const preview = state.room?.preview?.mesh.triangles ?? PREVIEW_TRIANGLE_BUDGET
  return segmentTriangleBudget(visible, preview)
}

/**
 * Whether a decoded revision may replace the shown one: only a newer one (decodes of one segment can
 * finish out of order), or the same one fitted again to a smaller budget (`refit`).
 */
export function supersedes(revision: number, shownRevision: number | undefined, refit: boolean): boolean {
  if (shownRevision === undefined) return true
  return revision > shownRevision || (refit && revision === shownRevision)
}

/** A live `segment:mesh`: stamps the latencies it answers, then decodes and shows it. */
export function receiveMeshUpdate(update: MeshUpdate): void {
  const receivedAt = performance.now()
  useAppStore.setState((s) => ({
    latencies: s.latencies.map((l) =>
      l.segmentId === update.segmentId && l.receivedAt === undefined && update.promptSeqs.includes(l.seq)
        ? { ...l, receivedAt }
        : l,
    ),
  }))
  void showMeshUpdate(update, false)
}

/**
 * Decodes `update` in the worker and patches its segment, unless a newer revision is shown by then.
 * `refit`: the same revision again at a smaller budget.
 */
export async function showMeshUpdate(update: MeshUpdate, refit: boolean): Promise<void> {
  const current = latestUpdate.get(update.segmentId)
  if (!current || current.revision <= update.revision) latestUpdate.set(update.segmentId, update)
  const epoch = roomEpoch
  const budget = currentSegmentBudget()
  let mesh: DecodedMesh
  try {
    mesh = await decodeInWorker(asBytes(update.mesh), budget)
  } catch (err) {
    pushMessage('error', `a segment mesh could not be decoded: ${(err as Error).message}`)
    return
  }
  const decodedAt = performance.now()
  if (epoch !== roomEpoch) return
  if (!supersedes(update.revision, shown.get(update.segmentId)?.revision, refit)) return
  if (!useAppStore.getState().segments[update.segmentId]) return
  shown.set(update.segmentId, { revision: update.revision, budget, triangles: mesh.triangles })
  useAppStore.setState((s) => {
    const seg = s.segments[update.segmentId]
    if (!seg) return s
    const reflected = new Set(update.promptSeqs)
    const newestReflected = Math.max(-1, ...update.promptSeqs)
    const inLog = new Set(seg.prompts.map((p) => p.seq))
    return {
      segments: {
        ...s.segments,
        [update.segmentId]: {
          ...seg,
          mesh: mesh.triangles > 0 ? mesh : null,
          revision: update.revision,
          meshPromptSeqs: update.promptSeqs,
          volumeMl: update.volumeMl,
          voxels: update.voxels,
          iou: update.iou,
          touchesCropBorder: update.touchesCropBorder,
          // still pending: in the log, not reflected, newer than what the fold saw (older ones were
          // withdrawn or undone meanwhile).
          pendingSeqs: seg.pendingSeqs.filter(
            (q) => inLog.has(q) && !reflected.has(q) && q > newestReflected,
          ),
        },
      },
      latencies: refit
        ? s.latencies
        : s.latencies.map((l) =>
            l.segmentId === update.segmentId && l.decodedAt === undefined && reflected.has(l.seq)
              ? { ...l, decodedAt, server: update.timings }
              : l,
          ),
    }
  })
}

/** A snapshot's mesh (join / reconnect): shown unless that revision is shown already. */
export function showSnapshotMesh(update: MeshUpdate): void {
  const before = shown.get(update.segmentId)
  if (before && before.revision >= update.revision) return
  void showMeshUpdate(update, false)
}

/**
 * Fits the shown meshes again when the budget dropped below what they were fitted to and they use
 * more than it allows (call after visibility or segment count changes).
 */
export function refitToBudget(): void {
  const budget = currentSegmentBudget()
  for (const [segmentId, s] of shown) {
    const update = latestUpdate.get(segmentId)
    if (!update || update.revision !== s.revision) continue
    if (s.triangles > budget) void showMeshUpdate(update, true)
  }
}
