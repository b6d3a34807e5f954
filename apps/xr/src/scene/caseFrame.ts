/**
 * The one conversion between world RAS millimetres (the server's frame, everything in the store) and
 * the three.js scene (metres, +Y up). The case is drawn under two groups (CaseContent.tsx):
 *
 *   <group name="case-frame">  matrix = scale(metres per mm) · RAS_TO_THREE · translate(−volume centre)
 *     <group name="case-ras">   identity: its children are placed in RAS mm
 *
 * and whatever wraps them (the XR grab layer, which moves, rotates and scales the case). rasToScene and
 * sceneToRas go through the live world matrix of the case-ras group, so a grabbed or scaled case is
 * accounted for; the pure helpers below (caseFrameMatrix, caseScale) are what that group is built from.
 */
import { Matrix4, Vector3, type Object3D } from 'three'
import type { CaseInfo, Vec3 } from '@fastsam-xr/protocol'
import { CASE_FIT_SIZE_M } from './placement.ts'

/**
 * RAS → three axes: x' = −R, y' = S, z' = A. Superior is up; anterior faces a user standing in front of
 * the case (+Z), so the patient's right appears on that user's left (−X). A proper rotation (det +1).
 * Shared: never mutate it.
 */
// prettier-ignore
export const RAS_TO_THREE: Readonly<Matrix4> = new Matrix4().set(
  -1, 0, 0, 0,
  0, 0, 1, 0,
  0, 1, 0, 0,
  0, 0, 0, 1,
)

/** Row-major 4×4 (voxel → RAS mm) applied to a point. */
export function applyRowMajor(m: readonly number[], p: readonly [number, number, number]): Vec3 {
  return [
    m[0] * p[0] + m[1] * p[1] + m[2] * p[2] + m[3],
    m[4] * p[0] + m[5] * p[1] + m[6] * p[2] + m[7],
    m[8] * p[0] + m[9] * p[1] + m[10] * p[2] + m[11],
  ]
}

/** The volume's bounding box in RAS mm (over the outer faces of its voxels): [min, max]. */
export function caseBoundsRas(info: Pick<CaseInfo, 'dims' | 'affine'>): [Vec3, Vec3] {
  const min: Vec3 = [Infinity, Infinity, Infinity]
  const max: Vec3 = [-Infinity, -Infinity, -Infinity]
  for (let c = 0; c < 8; c++) {
    const corner = [0, 1, 2].map((a) => ((c >> a) & 1 ? info.dims[a] - 0.5 : -0.5)) as Vec3
    const p = applyRowMajor(info.affine, corner)
    for (let a = 0; a < 3; a++) {
      min[a] = Math.min(min[a], p[a])
      max[a] = Math.max(max[a], p[a])
    }
  }
  return [min, max]
}

/** The volume's centre in RAS mm (the case-frame's origin). */
export function caseCentreRas(info: Pick<CaseInfo, 'dims' | 'affine'>): Vec3 {
  return applyRowMajor(info.affine, [(info.dims[0] - 1) / 2, (info.dims[1] - 1) / 2, (info.dims[2] - 1) / 2])
}

/**
 * Metres per millimetre: 1/1000 at real size, otherwise the scale that fits the volume's largest side
 * into CASE_FIT_SIZE_M (the comfortable table-top size).
 */
export function caseScale(info: Pick<CaseInfo, 'dims' | 'affine'>, realSize: boolean): number {
  if (realSize) return 0.001
  const [min, max] = caseBoundsRas(info)
  const largest = Math.max(max[0] - min[0], max[1] - min[1], max[2] - min[2])
  return CASE_FIT_SIZE_M / Math.max(largest, 1e-6)
}

/** The case-frame group's matrix: RAS mm → the grab layer's space (metres, the volume centred on 0). */
export function caseFrameMatrix(info: Pick<CaseInfo, 'dims' | 'affine'>, realSize: boolean): Matrix4 {
  const s = caseScale(info, realSize)
  const [cx, cy, cz] = caseCentreRas(info)
  return new Matrix4()
    .makeScale(s, s, s)
    .multiply(RAS_TO_THREE)
    .multiply(new Matrix4().makeTranslation(-cx, -cy, -cz))
}

// The mounted case-ras group (CaseContent registers it); null while no case is shown.
let rasGroup: Object3D | null = null
const inverse = new Matrix4()

/** Called by CaseContent with the case-ras group when it mounts, and with null when it unmounts. */
export function registerRasGroup(group: Object3D | null): void {
  rasGroup = group
}

/** The mounted case-ras group, or null before a case is shown. */
export function currentRasGroup(): Object3D | null {
  return rasGroup
}

const world = new Matrix4()

/**
 * The case-ras group's world matrix now, composed from every ancestor's local matrix. Callers outside
 * the render loop (test hooks, network handlers) must not read last frame's matrixWorld, and three's
 * updateWorldMatrix(true) does not recompute a child whose own matrix is manual (the case-frame).
 */
function liveMatrix(): Matrix4 | null {
  if (!rasGroup) return null
  world.identity()
  for (let o: Object3D | null = rasGroup; o; o = o.parent) {
    if (o.matrixAutoUpdate) o.updateMatrix()
    world.premultiply(o.matrix)
  }
  return world
}

/**
 * World RAS mm → three.js world (metres). Before a case is mounted there is no frame to go through and
 * the point is returned unchanged (nothing can be pointed at then); `currentRasGroup()` tells.
 */
export function rasToScene(ras: Readonly<Vec3>, target = new Vector3()): Vector3 {
  target.set(ras[0], ras[1], ras[2])
  const m = liveMatrix()
  return m ? target.applyMatrix4(m) : target
}

/** three.js world (metres) → world RAS mm; the inverse of rasToScene (unchanged before a case is mounted). */
export function sceneToRas(world: Readonly<Vector3>): Vec3 {
  const m = liveMatrix()
  const p = scratch.copy(world)
  if (m) p.applyMatrix4(inverse.copy(m).invert())
  return [p.x, p.y, p.z]
}
const scratch = new Vector3()
