/**
 * A knob beside each slice plane that drags the plane along its normal: press on it (mouse or XR ray),
 * move, release. The press captures the pointer (R3F's and pointer-events' setPointerCapture), so
 * moves keep coming off the knob; each move finds the point on the plane's normal line nearest the
 * pointer's ray (in RAS mm) and writes the new fraction to view.slicePosition. The desktop orbit
 * controls are paused during a drag.
 */
import { useThree, type ThreeEvent } from '@react-three/fiber'
import { useMemo, useRef } from 'react'
import { Matrix4, Vector3 } from 'three'
import { setView, useAppStore, type SliceGrid } from '../state/store.ts'
import { applyRowMajor, currentRasGroup } from './caseFrame.ts'
import type { GridAxis, PlaneLayout } from './sliceImage.ts'

/** The knob's radius in the room (metres), whatever the case's scale. */
export const HANDLE_RADIUS_M = 0.009

interface Drag {
  pointerId: number
  /** the knob's RAS point and the plane's voxel index when the drag started. */
  start: [number, number, number]
  startIndex: number
  /** the ray parameter's offset so the knob does not jump to the pointer at the first move. */
  grabOffset: number
}

interface Capturable {
  setPointerCapture?(pointerId: number): void
  releasePointerCapture?(pointerId: number): void
}

const origin = new Vector3()
const toRas = new Matrix4()
const along = new Vector3()

/**
 * Voxel steps along `axisMm` (mm per voxel step, RAS) from `start` to the point of that line nearest
 * the ray (origin, direction in RAS mm); null when the ray runs along the line.
 */
export function stepsToRay(
  start: readonly number[],
  axisMm: readonly number[],
  rayOrigin: readonly number[],
  rayDirection: readonly number[],
): number | null {
  const dot = (a: readonly number[], b: readonly number[]) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
  const w0 = [start[0] - rayOrigin[0], start[1] - rayOrigin[1], start[2] - rayOrigin[2]]
  const a = dot(axisMm, axisMm)
  const b = dot(axisMm, rayDirection)
  const c = dot(rayDirection, rayDirection)
  const d = dot(axisMm, w0)
  const e = dot(rayDirection, w0)
  const denominator = a * c - b * b
  if (Math.abs(denominator) < 1e-9 * a * c) return null
  return (b * e - c * d) / denominator
}

export function SliceHandle({
  grid,
  layout,
  index,
  metresPerMm,
  name,
}: {
  grid: SliceGrid
  layout: PlaneLayout
  index: number
  metresPerMm: number
  name: string
}) {
  const controls = useThree((s) => s.controls) as { enabled: boolean } | null
  const drag = useRef<Drag | null>(null)
  const axisMm = useMemo(() => column(grid.affine, layout.axis), [grid, layout])
  // Beside the plane's +u edge, half way along v.
  const voxel = [0, 0, 0] as [number, number, number]
  voxel[layout.u] =
    layout.width - 0.5 + (HANDLE_RADIUS_M * 2) / metresPerMm / norm(column(grid.affine, layout.u))
  voxel[layout.v] = (layout.height - 1) / 2
  voxel[layout.axis] = index
  const position = applyRowMajor(grid.affine, voxel)
  const radius = HANDLE_RADIUS_M / metresPerMm

  const rayInRas = (e: ThreeEvent<PointerEvent>): { o: number[]; d: number[] } | null => {
    const ras = currentRasGroup()
    if (!ras) return null
    toRas.copy(ras.matrixWorld).invert()
    origin.copy(e.ray.origin).applyMatrix4(toRas)
    along.copy(e.ray.origin).add(e.ray.direction).applyMatrix4(toRas).sub(origin)
    return { o: origin.toArray(), d: along.toArray() }
  }

  const onPointerDown = (e: ThreeEvent<PointerEvent>) => {
    e.stopPropagation()
    const ray = rayInRas(e)
    if (!ray) return
    const steps = stepsToRay(position, axisMm, ray.o, ray.d)
    drag.current = { pointerId: e.pointerId, start: position, startIndex: index, grabOffset: steps ?? 0 }
    ;(e.target as unknown as Capturable).setPointerCapture?.(e.pointerId)
    if (controls) controls.enabled = false
  }
  const onPointerMove = (e: ThreeEvent<PointerEvent>) => {
    const d = drag.current
    if (!d || d.pointerId !== e.pointerId) return
    e.stopPropagation()
    const ray = rayInRas(e)
    const steps = ray && stepsToRay(d.start, axisMm, ray.o, ray.d)
    if (steps === null || steps === undefined) return
    const next = Math.min(grid.dims[layout.axis] - 1, Math.max(0, d.startIndex + steps - d.grabOffset))
    const slicePosition = [...useAppStore.getState().view.slicePosition] as [number, number, number]
    slicePosition[layout.axis] = next / Math.max(1, grid.dims[layout.axis] - 1)
    setView({ slicePosition })
  }
  const end = (e: ThreeEvent<PointerEvent>) => {
    const d = drag.current
    if (!d || d.pointerId !== e.pointerId) return
    e.stopPropagation()
    drag.current = null
    ;(e.target as unknown as Capturable).releasePointerCapture?.(e.pointerId)
    if (controls) controls.enabled = true
  }

  return (
    <mesh
      name={name}
      position={position}
      scale={radius}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={end}
      onPointerCancel={end}
      onClick={stop}
      onContextMenu={stop}
    >
      <sphereGeometry args={[1, 20, 14]} />
      <meshStandardMaterial color="#f2b134" roughness={0.35} metalness={0.1} />
    </mesh>
  )
}

const stop = (e: { stopPropagation(): void }) => e.stopPropagation()

function column(affine: readonly number[], axis: GridAxis): [number, number, number] {
  return [affine[axis], affine[4 + axis], affine[8 + axis]]
}

function norm(v: readonly number[]): number {
  return Math.hypot(v[0], v[1], v[2])
}
