/**
 * The isosurface preview of a whole case (bone for CT, the body outline otherwise), within a
 * headset's triangle budget, in the mesh package's triangle wire format.
 */
import { encodeMesh, isosurface, meshReady, simplify } from '@fastsam-xr/mesh'
import type { Volume } from '@fastsam-xr/volume'
import type { PreviewMesh } from '@fastsam-xr/protocol'
import { sliceFactor } from './slices.ts'
import { isCtHu, sampledQuantiles } from './windowPresets.ts'

export const PREVIEW_TRIANGLES = 150_000
/** HU: cortical and most trabecular bone. */
export const CT_BONE_HU = 250

export function previewThreshold(volume: Volume, min: number): number {
  if (isCtHu(volume, min)) return CT_BONE_HU
  // Non-CT: a low intensity quantile separates the body from the background.
  const [p30, p99] = sampledQuantiles(volume.data, [0.3, 0.99])
  return p30 + 0.1 * (p99 - p30)
}

export async function previewMesh(volume: Volume, min: number, max: number): Promise<PreviewMesh | null> {
  await meshReady
  const threshold = previewThreshold(volume, min)
  if (!(threshold > min && threshold <= max)) return null
  // (The mesh package's isosurfaceForBudget does this more cleverly but is not exported from its
  // index yet: extract at the slice grid's factor, then simplify into the budget, display-only.)
  const raw = isosurface(volume, threshold, { downsample: sliceFactor(volume.dims), normals: false })
  const mesh =
    raw.indices.length / 3 > PREVIEW_TRIANGLES
      ? simplify(raw, { targetTriangles: PREVIEW_TRIANGLES, maxErrorMm: 3, keepManifold: false }).mesh
      : raw
  const triangles = mesh.indices.length / 3
  if (triangles === 0) return null
  return { threshold, triangles, mesh: encodeMesh(mesh, { precisionMm: 0.1 }) }
}
