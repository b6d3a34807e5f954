/**
 * Three movable slice planes (axial, coronal, sagittal) through the case, each a unit quad placed in RAS
 * mm by the slice grid's affine (sliceImage.planeMatrix) and textured on the CPU with its slice from
 * room.slices, windowed by view.window. Positions come from view.slicePosition (fractions along the
 * grid's i, j, k; the panel's sliders and the knob beside each plane (SliceHandle) write them). Air outside the body is transparent and lets rays
 * through; everything else is pickable (picking.ts).
 */
import { useEffect, useLayoutEffect, useMemo, useRef } from 'react'
import {
  BufferAttribute,
  BufferGeometry,
  DataTexture,
  DoubleSide,
  LinearFilter,
  Mesh,
  RGBAFormat,
  SRGBColorSpace,
  UnsignedByteType,
  type Intersection,
  type Raycaster,
} from 'three'
import { useAppStore, type SliceGrid } from '../state/store.ts'
import { sliceAxes, type PlaneName } from '../ui/sliceAxes.ts'
import { caseScale } from './caseFrame.ts'
import { pickHandlers, shownInScene, throughPreviewTargets } from './picking.ts'
import { SliceHandle } from './SliceHandle.tsx'
import {
  airThreshold,
  planeLayout,
  planeMatrix,
  renderSlice,
  sliceIndex,
  type GridAxis,
  type PlaneLayout,
} from './sliceImage.ts'

/** The unit quad (0..1 in x and y, z = 0) every plane is drawn from; uv = position. */
const UNIT_QUAD = (() => {
  const g = new BufferGeometry()
  g.setAttribute('position', new BufferAttribute(new Float32Array([0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0]), 3))
  g.setAttribute('uv', new BufferAttribute(new Float32Array([0, 0, 1, 0, 1, 1, 0, 1]), 2))
  g.setAttribute('normal', new BufferAttribute(new Float32Array([0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1]), 3))
  g.setIndex([0, 1, 2, 0, 2, 3])
  g.computeBoundingSphere()
  return g
})()

export function SlicePlanes() {
  const grid = useAppStore((s) => s.room?.slices ?? null)
  const info = useAppStore((s) => s.room?.caseInfo ?? null)
  const visible = useAppStore((s) => s.view.slicesVisible)
  const realSize = useAppStore((s) => s.view.realSize)
  const axes = useMemo(() => (grid ? sliceAxes(grid.affine) : []), [grid])
  if (!grid || !info) return null
  const air = airThreshold(info.modality, info.valueRange)
  const metresPerMm = caseScale(info, realSize)
  return (
    <group name="slice-planes" visible={visible}>
      {axes.map((a) => (
        <SlicePlane
          key={a.plane}
          grid={grid}
          axis={a.gridAxis}
          plane={a.plane}
          air={air}
          metresPerMm={metresPerMm}
        />
      ))}
    </group>
  )
}

interface SlicePlaneProps {
  grid: SliceGrid
  axis: GridAxis
  plane: PlaneName
  air: number | null
  metresPerMm: number
}

function SlicePlane({ grid, axis, plane, air, metresPerMm }: SlicePlaneProps) {
  const ref = useRef<Mesh>(null)
  const fraction = useAppStore((s) => s.view.slicePosition[axis])
  const windowPreset = useAppStore((s) => s.view.window)
  const layout = useMemo(() => planeLayout(grid.dims, axis), [grid, axis])
  const texture = useMemo(() => sliceTexture(layout), [layout])
  useEffect(() => () => texture.dispose(), [texture])

  const index = sliceIndex(grid.dims, axis, fraction)
  const voxel = Math.round(index)
  useLayoutEffect(() => {
    renderSlice(grid, layout, voxel, windowPreset, air, texture.image.data as Uint8Array)
    texture.needsUpdate = true
  }, [grid, layout, voxel, windowPreset, air, texture])

  useLayoutEffect(() => {
    const mesh = ref.current
    if (!mesh) return
    planeMatrix(grid.affine, layout, index, mesh.matrix)
    mesh.matrixWorldNeedsUpdate = true
  }, [grid, layout, index])

  useLayoutEffect(() => {
    const mesh = ref.current
    if (!mesh) return
    throughPreviewTargets.add(mesh)
    return () => void throughPreviewTargets.delete(mesh)
  }, [])

  const raycast = useMemo(() => opaqueTexelRaycast(texture, layout), [texture, layout])
  return (
    <>
      <mesh
        ref={ref}
        name={`slice-${plane}`}
        geometry={UNIT_QUAD}
        matrixAutoUpdate={false}
        raycast={raycast}
        {...pickHandlers}
      >
        <meshBasicMaterial map={texture} side={DoubleSide} alphaTest={0.5} toneMapped={false} />
      </mesh>
      <SliceHandle
        grid={grid}
        layout={layout}
        index={index}
        metresPerMm={metresPerMm}
        name={`slice-handle-${plane}`}
      />
    </>
  )
}

function sliceTexture(layout: PlaneLayout): DataTexture {
  const pixels = new Uint8Array(layout.width * layout.height * 4)
  const texture = new DataTexture(pixels, layout.width, layout.height, RGBAFormat, UnsignedByteType)
  texture.magFilter = LinearFilter
  texture.minFilter = LinearFilter
  texture.generateMipmaps = false
  // The grey levels are display values already: no sRGB conversion on the way out.
  texture.colorSpace = SRGBColorSpace
  return texture
}

/** The quad's raycast, minus hits on transparent (air) texels: a ray there goes on to what is behind. */
function opaqueTexelRaycast(texture: DataTexture, layout: PlaneLayout) {
  return function (this: Mesh, raycaster: Raycaster, intersects: Intersection[]) {
    if (!shownInScene(this)) return
    const start = intersects.length
    Mesh.prototype.raycast.call(this, raycaster, intersects)
    const pixels = texture.image.data as Uint8Array
    for (let h = intersects.length - 1; h >= start; h--) {
      const uv = intersects[h].uv
      const x = uv ? Math.min(layout.width - 1, Math.floor(uv.x * layout.width)) : -1
      const y = uv ? Math.min(layout.height - 1, Math.floor(uv.y * layout.height)) : -1
      if (x < 0 || y < 0 || pixels[4 * (x + layout.width * y) + 3] === 0) intersects.splice(h, 1)
    }
  }
}
