/**
 * The RAS → scene transform against real anatomy: the demo CT's TotalSegmentator labels (same grid as
 * server/demo/example_ct.nii.gz). Organ centroids in world RAS mm go through the case frame and must land
 * where a surgeon facing the patient expects them: head up (+Y), the patient's right on the viewer's
 * left (−X), anterior towards the viewer (+Z). Any flipped axis fails one of these.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { Group, Matrix4, Vector3 } from 'three'
import { readVolume, type Volume } from '@fastsam-xr/volume'
import { repoRoot, sharedData } from '@fastsam-xr/test/paths'
import type { CaseInfo, Vec3 } from '@fastsam-xr/protocol'
import {
  RAS_TO_THREE,
  applyRowMajor,
  caseCentreRas,
  caseFrameMatrix,
  caseScale,
  currentRasGroup,
  rasToScene,
  registerRasGroup,
  sceneToRas,
} from '../../src/scene/caseFrame.ts'
import { CASE_FIT_SIZE_M, CASE_HOME_POSITION } from '../../src/scene/placement.ts'

let ct: Volume
let info: Pick<CaseInfo, 'dims' | 'affine'>
const centroids: Record<string, Vec3> = {}

beforeAll(async () => {
  ct = await readVolume(join(repoRoot, 'server', 'demo', 'example_ct.nii.gz'))
  const seg = await readVolume(sharedData('volumes', 'totalsegmentator', 'example_ct_seg.nii.gz'))
  expect(seg.dims).toEqual(ct.dims)
  const names = JSON.parse(
    readFileSync(sharedData('volumes', 'totalsegmentator', 'example_ct_labels.json'), 'utf8'),
  ) as { labels: Record<string, string> }
  info = { dims: [...ct.dims] as Vec3, affine: Array.from(ct.affine) }
  const sums = new Map<number, [number, number, number, number]>()
  const [nx, ny, nz] = seg.dims
  for (let k = 0, q = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, q++) {
        const label = seg.data[q]
        if (!label) continue
        const s = sums.get(label) ?? [0, 0, 0, 0]
        s[0] += i
        s[1] += j
        s[2] += k
        s[3]++
        sums.set(label, s)
      }
  for (const [value, name] of Object.entries(names.labels)) {
    const s = sums.get(Number(value))
    if (s) centroids[name] = applyRowMajor(info.affine, [s[0] / s[3], s[1] / s[3], s[2] / s[3]])
  }
})

/** A centroid in the scene, with the case placed at its home position as the app does. */
function scene(organ: string): Vector3 {
  const ras = centroids[organ]
  if (!ras) throw new Error(`no ${organ} in the demo labels`)
  const place = new Matrix4().makeTranslation(...CASE_HOME_POSITION).multiply(caseFrameMatrix(info, false))
  return new Vector3(...ras).applyMatrix4(place)
}

describe('RAS_TO_THREE', () => {
  it('is a proper rotation: x = −R, y = S, z = A', () => {
    expect(RAS_TO_THREE.determinant()).toBeCloseTo(1, 12)
    expect(new Vector3(1, 0, 0).applyMatrix4(RAS_TO_THREE).toArray()).toEqual([-1, 0, 0])
    expect(new Vector3(0, 1, 0).applyMatrix4(RAS_TO_THREE).toArray()).toEqual([0, 0, 1])
    expect(new Vector3(0, 0, 1).applyMatrix4(RAS_TO_THREE).toArray()).toEqual([0, 1, 0])
  })
})

describe('case frame on the demo CT anatomy', () => {
  it('puts the liver and the right kidney on the viewer’s left (−X) of the spine, the left kidney on the right', () => {
    const spine = scene('vertebrae_L1').x
    expect(scene('liver').x).toBeLessThan(spine - 30 * caseScale(info, false))
    expect(scene('kidney_right').x).toBeLessThan(spine - 30 * caseScale(info, false))
    expect(scene('kidney_left').x).toBeGreaterThan(spine + 30 * caseScale(info, false))
    expect(scene('spleen').x).toBeGreaterThan(spine)
  })

  it('puts the aorta anterior (+Z, towards the viewer) of the vertebrae and the spinal cord behind them', () => {
    expect(scene('aorta').z).toBeGreaterThan(scene('vertebrae_L1').z)
    expect(scene('vertebrae_L1').z).toBeGreaterThan(scene('spinal_cord').z)
    expect(scene('autochthon_right').z).toBeLessThan(scene('vertebrae_L1').z)
  })

  it('puts the head up (+Y): lungs above the liver above the kidneys above the bladder; T11 above L5', () => {
    expect(scene('lung_lower_lobe_right').y).toBeGreaterThan(scene('liver').y)
    expect(scene('liver').y).toBeGreaterThan(scene('kidney_right').y)
    expect(scene('kidney_right').y).toBeGreaterThan(scene('urinary_bladder').y)
    expect(scene('vertebrae_T11').y).toBeGreaterThan(scene('vertebrae_L5').y)
  })

  it('centres the volume on the case position and fits its largest side into CASE_FIT_SIZE_M', () => {
    const place = new Matrix4().makeTranslation(...CASE_HOME_POSITION).multiply(caseFrameMatrix(info, false))
    const centre = new Vector3(...caseCentreRas(info)).applyMatrix4(place).toArray()
    centre.forEach((v, a) => expect(v).toBeCloseTo(CASE_HOME_POSITION[a], 9))
    // 122 voxels of 3 mm is the largest side.
    expect(caseScale(info, false) * 122 * 3).toBeCloseTo(CASE_FIT_SIZE_M, 9)
    expect(caseScale(info, true)).toBe(0.001)
  })
})

describe('rasToScene / sceneToRas through the live case-ras group', () => {
  it('round-trips under a grabbed, rotated, scaled case to < 1e-6 mm and agrees with the frame matrix', () => {
    const grab = new Group()
    grab.position.set(0.2, 1.1, -0.4)
    grab.rotation.set(0.3, -1.2, 0.5)
    grab.scale.setScalar(1.7)
    const frame = new Group()
    frame.matrixAutoUpdate = false
    frame.matrix.copy(caseFrameMatrix(info, false))
    const ras = new Group()
    grab.add(frame)
    frame.add(ras)
    registerRasGroup(ras)
    try {
      expect(currentRasGroup()).toBe(ras)
      for (const organ of ['liver', 'kidney_left', 'aorta', 'urinary_bladder']) {
        const p = centroids[organ]
        const world = rasToScene(p)
        const expected = new Vector3(...p).applyMatrix4(frame.matrix).applyMatrix4(grab.matrix)
        expect(world.distanceTo(expected)).toBeLessThan(1e-9)
        const back = sceneToRas(world)
        for (let a = 0; a < 3; a++) expect(Math.abs(back[a] - p[a])).toBeLessThan(1e-6)
      }
      // A moved case is seen at once, without waiting for a frame to update the world matrices.
      const before = rasToScene(centroids.liver).clone()
      grab.position.x += 1
      const after = rasToScene(centroids.liver)
      expect(after.x - before.x).toBeCloseTo(1, 9)
      expect(after.y - before.y).toBeCloseTo(0, 9)
    } finally {
      registerRasGroup(null)
    }
    expect(currentRasGroup()).toBeNull()
  })
})
