import { describe, expect, it } from 'vitest'
// @ts-expect-error: the official Khronos validator ships no typings
import { validateBytes } from 'gltf-validator'
import { RAS_MM_TO_GLTF, writeGlb } from '../src/export/glb.ts'
import { writeStl } from '../src/export/stl.ts'
import { maskToMesh } from '../src/maskToMesh.ts'
import type { Vec3 } from '../src/types.ts'
import { IDENTITY, sphereMask } from './topology.ts'

const dims: Vec3 = [20, 20, 20]
const a = maskToMesh(sphereMask(dims, [10, 10, 10], 6), dims, IDENTITY)
const b = maskToMesh(
  sphereMask(dims, [6, 8, 10], 3),
  dims,
  Float64Array.from([2, 0, 0, 50, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]),
)

describe('binary STL', () => {
  it('writes every triangle with unit normals, positions and colours', () => {
    const bytes = writeStl([
      { name: 'liver', mesh: a, color: [1, 0, 0] },
      { name: 'aorta', mesh: b },
    ])
    const dv = new DataView(bytes.buffer)
    const n = a.indices.length / 3 + b.indices.length / 3
    expect(dv.getUint32(80, true)).toBe(n)
    expect(bytes.length).toBe(84 + 50 * n)
    expect(new TextDecoder().decode(bytes.subarray(0, 5))).not.toBe('solid')
    // First facet = first triangle of `a`.
    const v0 = 3 * a.indices[0]
    expect(dv.getFloat32(84 + 12, true)).toBeCloseTo(a.positions[v0])
    expect(dv.getFloat32(84 + 16, true)).toBeCloseTo(a.positions[v0 + 1])
    const nrm = [0, 4, 8].map((q) => dv.getFloat32(84 + q, true))
    expect(Math.hypot(...nrm)).toBeCloseTo(1, 5)
    expect(dv.getUint16(84 + 48, true)).toBe(31) // red, colour-valid
    expect(dv.getUint16(84 + 50 * (a.indices.length / 3) + 48, true)).toBe(0x8000) // no colour
  })
})

describe('GLB', () => {
  it('writes a valid glTF 2.0 binary with one node, mesh and material per part', () => {
    const bytes = writeGlb([
      { name: 'liver', mesh: a, color: [0.8, 0.3, 0.2, 0.5] },
      { name: 'aorta', mesh: b, color: [0.9, 0.1, 0.1] },
    ])
    const dv = new DataView(bytes.buffer)
    expect(dv.getUint32(0, true)).toBe(0x46546c67)
    expect(dv.getUint32(4, true)).toBe(2)
    expect(dv.getUint32(8, true)).toBe(bytes.length)
    const jsonLen = dv.getUint32(12, true)
    expect(jsonLen % 4).toBe(0)
    expect(dv.getUint32(16, true)).toBe(0x4e4f534a)
    const json = JSON.parse(new TextDecoder().decode(bytes.subarray(20, 20 + jsonLen)))
    expect(json.asset.version).toBe('2.0')
    expect(json.nodes[0].matrix).toEqual([...RAS_MM_TO_GLTF])
    expect(json.nodes[0].children).toEqual([1, 2])
    expect(json.meshes.map((m: { name: string }) => m.name)).toEqual(['liver', 'aorta'])
    expect(json.materials[0].alphaMode).toBe('BLEND')
    const binHeader = 20 + jsonLen
    const binLen = dv.getUint32(binHeader, true)
    expect(dv.getUint32(binHeader + 4, true)).toBe(0x004e4942)
    expect(binLen).toBe(json.buffers[0].byteLength)
    expect(binHeader + 8 + binLen).toBe(bytes.length)
    // Read back the second part's positions and indices through accessors and compare.
    const bin = bytes.subarray(binHeader + 8)
    const prim = json.meshes[1].primitives[0]
    const pos = json.accessors[prim.attributes.POSITION]
    const view = json.bufferViews[pos.bufferView]
    expect(view.byteOffset % 4).toBe(0)
    const p = new Float32Array(bin.slice(view.byteOffset, view.byteOffset + view.byteLength).buffer)
    expect(Array.from(p)).toEqual(Array.from(b.positions))
    expect(pos.min[0]).toBeCloseTo(Math.min(...Array.from(b.positions).filter((_, i) => i % 3 === 0)))
    const ia = json.accessors[prim.indices]
    expect(ia.componentType).toBe(5123)
    const iv = json.bufferViews[ia.bufferView]
    const idx = new Uint16Array(bin.slice(iv.byteOffset, iv.byteOffset + iv.byteLength).buffer)
    expect(Array.from(idx)).toEqual(Array.from(b.indices))
  })

  it('the RAS → glTF matrix is a proper rotation (no mirroring) taking Superior to +Y and Anterior to +Z', () => {
    const m = RAS_MM_TO_GLTF // column-major
    const apply = (v: number[]): number[] =>
      [0, 1, 2].map((r) => m[r] * v[0] + m[4 + r] * v[1] + m[8 + r] * v[2])
    expect(apply([0, 0, 1000])).toEqual([0, 1, 0])
    expect(apply([0, 1000, 0])).toEqual([0, 0, 1])
    expect(apply([1000, 0, 0])).toEqual([-1, 0, 0])
  })

  it('passes the official Khronos glTF validator without errors or warnings', async () => {
    const bytes = writeGlb([
      { name: 'liver', mesh: a, color: [0.8, 0.3, 0.2, 0.5] },
      { name: 'aorta', mesh: b, color: [0.9, 0.1, 0.1] },
    ])
    const report = (await validateBytes(bytes)) as {
      issues: { numErrors: number; numWarnings: number; messages: unknown[] }
    }
    expect(report.issues.messages).toEqual([])
    expect(report.issues.numErrors).toBe(0)
    expect(report.issues.numWarnings).toBe(0)
  })
})
