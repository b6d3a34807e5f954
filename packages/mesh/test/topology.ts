/** Test helpers: mesh topology checks and synthetic masks. */
import type { Mesh, Vec3 } from '../src/types.ts'

/**
 * Closed + consistently oriented: every directed edge (a → b) occurs exactly once and its twin
 * (b → a) exactly once. Returns a list of problems (empty when fine).
 */
export function topologyProblems(mesh: Mesh): string[] {
  const ix = mesh.indices
  const nv = mesh.positions.length / 3
  const problems: string[] = []
  const directed = new Map<number, number>()
  const key = (a: number, b: number): number => a * nv + b
  for (let t = 0; t < ix.length; t += 3) {
    const tri = [ix[t], ix[t + 1], ix[t + 2]]
    if (tri[0] === tri[1] || tri[1] === tri[2] || tri[0] === tri[2])
      problems.push(`degenerate triangle ${t / 3}`)
    for (let e = 0; e < 3; e++) {
      const k = key(tri[e], tri[(e + 1) % 3])
      directed.set(k, (directed.get(k) ?? 0) + 1)
    }
  }
  for (const [k, n] of directed) {
    const a = Math.floor(k / nv)
    const b = k % nv
    if (n !== 1) problems.push(`edge ${a}→${b} used ${n} times`)
    if (directed.get(key(b, a)) !== 1) problems.push(`edge ${a}→${b} has no single twin`)
    if (problems.length > 10) break
  }
  return problems
}

/** Euler characteristic V − E + F (2 per sphere-like component, 0 per torus). */
export function eulerCharacteristic(mesh: Mesh): number {
  const v = mesh.positions.length / 3
  const f = mesh.indices.length / 3
  return v - (3 * f) / 2 + f
}

export function makeMask(dims: Vec3, inside: (i: number, j: number, k: number) => boolean): Uint8Array {
  const m = new Uint8Array(dims[0] * dims[1] * dims[2])
  for (let k = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++)
      for (let i = 0; i < dims[0]; i++) if (inside(i, j, k)) m[i + dims[0] * (j + dims[1] * k)] = 1
  return m
}

export function sphereMask(dims: Vec3, c: Vec3, r: number): Uint8Array {
  return makeMask(dims, (i, j, k) => (i - c[0]) ** 2 + (j - c[1]) ** 2 + (k - c[2]) ** 2 <= r * r)
}

export const IDENTITY = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1])
