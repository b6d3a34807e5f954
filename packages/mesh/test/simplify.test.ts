import { beforeAll, describe, expect, it } from 'vitest'
import { maskToMesh } from '../src/maskToMesh.ts'
import { meshVolumeMm3, surfaceAreaMm2 } from '../src/measure.ts'
import { meshReady } from '../src/ready.ts'
import { simplify } from '../src/simplify.ts'
import { MeshInputError, type Mesh, type Vec3 } from '../src/types.ts'
import { sphereMask, topologyProblems } from './topology.ts'

beforeAll(async () => {
  await meshReady
})

/** Distance from point p to triangle abc (Ericson, Real-Time Collision Detection 5.1.5). */
function pointTriangleDistance(p: number[], a: number[], b: number[], c: number[]): number {
  const sub = (u: number[], v: number[]): number[] => [u[0] - v[0], u[1] - v[1], u[2] - v[2]]
  const dot = (u: number[], v: number[]): number => u[0] * v[0] + u[1] * v[1] + u[2] * v[2]
  const ab = sub(b, a),
    ac = sub(c, a),
    ap = sub(p, a)
  const d1 = dot(ab, ap),
    d2 = dot(ac, ap)
  let q: number[]
  if (d1 <= 0 && d2 <= 0) q = a
  else {
    const bp = sub(p, b)
    const d3 = dot(ab, bp),
      d4 = dot(ac, bp)
    const cp = sub(p, c)
    const d5 = dot(ab, cp),
      d6 = dot(ac, cp)
    const vc = d1 * d4 - d3 * d2,
      vb = d5 * d2 - d1 * d6,
      va = d3 * d6 - d5 * d4
    if (d3 >= 0 && d4 <= d3) q = b
    else if (vc <= 0 && d1 >= 0 && d3 <= 0) {
      const v = d1 / (d1 - d3)
      q = [a[0] + v * ab[0], a[1] + v * ab[1], a[2] + v * ab[2]]
    } else if (d6 >= 0 && d5 <= d6) q = c
    else if (vb <= 0 && d2 >= 0 && d6 <= 0) {
      const w = d2 / (d2 - d6)
      q = [a[0] + w * ac[0], a[1] + w * ac[1], a[2] + w * ac[2]]
    } else if (va <= 0 && d4 - d3 >= 0 && d5 - d6 >= 0) {
      const w = (d4 - d3) / (d4 - d3 + (d5 - d6))
      q = [b[0] + w * (c[0] - b[0]), b[1] + w * (c[1] - b[1]), b[2] + w * (c[2] - b[2])]
    } else {
      const denom = 1 / (va + vb + vc)
      const v = vb * denom,
        w = vc * denom
      q = [a[0] + ab[0] * v + ac[0] * w, a[1] + ab[1] * v + ac[1] * w, a[2] + ab[2] * v + ac[2] * w]
    }
  }
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2])
}

/** Largest distance from a vertex of `from` to the surface of `to` (one-sided Hausdorff on vertices). */
function maxDeviation(from: Mesh, to: Mesh): number {
  const P = (m: Mesh, v: number): number[] => [
    m.positions[3 * v],
    m.positions[3 * v + 1],
    m.positions[3 * v + 2],
  ]
  let worst = 0
  for (let v = 0; v < from.positions.length / 3; v++) {
    const p = P(from, v)
    let best = Infinity
    for (let t = 0; t < to.indices.length && best > worst; t += 3)
      best = Math.min(
        best,
        pointTriangleDistance(p, P(to, to.indices[t]), P(to, to.indices[t + 1]), P(to, to.indices[t + 2])),
      )
    worst = Math.max(worst, best)
  }
  return worst
}

describe('simplify', () => {
  const dims: Vec3 = [32, 32, 32]
  const aff = Float64Array.from([1.5, 0, 0, 0, 0, 1.5, 0, 0, 0, 0, 1.5, 0, 0, 0, 0, 1])
  const mesh = maskToMesh(sphereMask(dims, [16, 16, 16], 11), dims, aff, { smooth: 10 })

  for (const maxErrorMm of [0.1, 0.4, 1]) {
    it(`keeps the surface within ${maxErrorMm} mm (measured) while cutting triangles`, () => {
      const { mesh: s, errorMm } = simplify(mesh, { targetTriangles: 100, maxErrorMm })
      expect(errorMm).toBeLessThanOrEqual(maxErrorMm)
      expect(s.indices.length).toBeLessThan(mesh.indices.length)
      expect(topologyProblems(s)).toEqual([])
      // Measured deviation of the original vertices from the simplified surface (small slack for
      // meshopt's quadric error being an estimate of the true distance).
      expect(maxDeviation(mesh, s)).toBeLessThanOrEqual(maxErrorMm * 1.25 + 1e-3)
      // Volume moves by at most area × deviation.
      expect(Math.abs(meshVolumeMm3(s) - meshVolumeMm3(mesh))).toBeLessThanOrEqual(
        surfaceAreaMm2(mesh) * maxErrorMm,
      )
      expect(s.normals).toBeDefined()
    })
  }

  it('stops at the triangle budget when the error allows, and leaves small meshes alone', () => {
    const { mesh: s } = simplify(mesh, { targetTriangles: 1000, maxErrorMm: 10 })
    expect(s.indices.length / 3).toBeLessThanOrEqual(1000)
    expect(s.indices.length / 3).toBeGreaterThan(500)
    const same = simplify(mesh, { targetTriangles: 1e9 })
    expect(same.mesh.indices).toEqual(mesh.indices)
    expect(same.errorMm).toBe(0)
    expect(() => simplify(mesh, { targetTriangles: -1 })).toThrow(MeshInputError)
  })
})

describe('orientedManifoldDefects', () => {
  it('is 0 for closed oriented meshes and counts flipped, duplicated and open triangles', async () => {
    const { orientedManifoldDefects } = await import('../src/topology.ts')
    const dims: Vec3 = [12, 12, 12]
    const m = maskToMesh(
      sphereMask(dims, [6, 6, 6], 4),
      dims,
      Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]),
    )
    const n = m.positions.length / 3
    expect(orientedManifoldDefects(m.indices, n)).toBe(0)
    const flipped = m.indices.slice()
    ;[flipped[1], flipped[2]] = [flipped[2], flipped[1]]
    expect(orientedManifoldDefects(flipped, n)).toBeGreaterThan(0)
    expect(orientedManifoldDefects(m.indices.subarray(3), n)).toBeGreaterThan(0)
    const dup = new Uint32Array(m.indices.length + 3)
    dup.set(m.indices)
    dup.set(m.indices.subarray(0, 3), m.indices.length)
    expect(orientedManifoldDefects(dup, n)).toBeGreaterThan(0)
  })
})
