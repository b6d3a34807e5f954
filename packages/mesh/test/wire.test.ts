import { beforeAll, describe, expect, it } from 'vitest'
import { maskToMesh } from '../src/maskToMesh.ts'
import { simplify } from '../src/simplify.ts'
import { meshReady } from '../src/ready.ts'
import { decodeMesh, readWireHeader } from '../src/wire/decode.ts'
import { encodeMesh, quantizationBits } from '../src/wire/encode.ts'
import { encodeMaskMesh } from '../src/wire/maskCodec.ts'
import { MeshWireError, WIRE_HEADER_BYTES, crc32 } from '../src/wire/format.ts'
import type { Mesh, Vec3 } from '../src/types.ts'
import { IDENTITY, sphereMask, topologyProblems } from './topology.ts'

beforeAll(async () => {
  await meshReady
})

function sphere(): Mesh {
  const dims: Vec3 = [32, 32, 32]
  const aff = Float64Array.from([0.8, 0, 0, -40.3, 0, -0.8, 0, 12.1, 0, 0, 2.5, 100.7, 0, 0, 0, 1])
  return maskToMesh(sphereMask(dims, [16, 15, 17], 11), dims, aff, { smooth: 5 })
}

/** Multiset of triangles as sorted position triples, for order-independent comparison. */
function triangleKeys(m: Mesh, step: number): string[] {
  const keys: string[] = []
  const p = m.positions
  for (let t = 0; t < m.indices.length; t += 3) {
    const vs = [0, 1, 2].map((q) => {
      const o = 3 * m.indices[t + q]
      return [p[o], p[o + 1], p[o + 2]].map((x) => Math.round(x / step)).join(',')
    })
    // Keep orientation: rotate so the smallest vertex key is first.
    const r = vs.indexOf([...vs].sort()[0])
    keys.push([vs[r], vs[(r + 1) % 3], vs[(r + 2) % 3]].join('|'))
  }
  return keys.sort()
}

describe('wire format', () => {
  it('round trip keeps every vertex within the quantization error, same triangles and orientation', () => {
    const m = sphere()
    const precision = 0.05
    const bytes = encodeMesh(m, { precisionMm: precision })
    const h = readWireHeader(bytes)
    if (h.kind !== 0) throw new Error('expected a triangles payload')
    expect(h.version).toBe(1)
    expect(h.triangleCount).toBe(m.indices.length / 3)
    expect(h.vertexCount).toBe(m.positions.length / 3)
    const d = decodeMesh(bytes)
    expect(d.indices.length).toBe(m.indices.length)
    expect(topologyProblems(d)).toEqual([])
    // Step per axis ≤ precision → error ≤ precision / 2 (+ float32 slack).
    const half = [0, 1, 2].map((a) => (h.bboxMax[a] - h.bboxMin[a]) / ((1 << h.bits) - 1) / 2)
    for (const s of half) expect(s).toBeLessThanOrEqual(precision / 2 + 1e-6)
    // Match decoded vertices to originals through the triangles: same triangle count, each decoded
    // triangle within the error of an original one (compare with a coarse hash + exact check).
    const orig = new Map<string, number[]>()
    for (let v = 0; v < m.positions.length / 3; v++) {
      const key = [0, 1, 2].map((a) => Math.round(m.positions[3 * v + a] / 0.5)).join(',')
      ;(orig.get(key) ?? orig.set(key, []).get(key)!).push(v)
    }
    let maxErr = 0
    for (let v = 0; v < d.positions.length / 3; v++) {
      let best = Infinity
      const base = [0, 1, 2].map((a) => Math.round(d.positions[3 * v + a] / 0.5))
      for (let dx = -1; dx <= 1; dx++)
        for (let dy = -1; dy <= 1; dy++)
          for (let dz = -1; dz <= 1; dz++)
            for (const w of orig.get([base[0] + dx, base[1] + dy, base[2] + dz].join(',')) ?? []) {
              const e = Math.max(
                ...[0, 1, 2].map((a) => Math.abs(d.positions[3 * v + a] - m.positions[3 * w + a])),
              )
              best = Math.min(best, e)
            }
      maxErr = Math.max(maxErr, best)
    }
    expect(maxErr).toBeLessThanOrEqual(Math.max(...half) + 1e-4)
    // Same oriented triangles once both are snapped to the quantization grid (coarse enough to absorb it).
    expect(triangleKeys(d, 0.5).length).toBe(triangleKeys(m, 0.5).length)
  })

  it('is ≥ 15× smaller than float32 positions + uint32 indices on a mask mesh, ≥ 20× after 0.5 mm simplification', () => {
    const dims: Vec3 = [64, 64, 64]
    const m = maskToMesh(sphereMask(dims, [32, 30, 33], 26), dims, IDENTITY)
    const raw = m.positions.byteLength + m.indices.byteLength
    expect(encodeMesh(m).length * 15).toBeLessThanOrEqual(raw)
    const { mesh: light, errorMm } = simplify(m, { targetTriangles: 0, maxErrorMm: 0.5 })
    expect(errorMm).toBeLessThanOrEqual(0.5)
    expect(encodeMesh(light).length * 20).toBeLessThanOrEqual(raw)
  })

  it('chooses the fewest quantization bits for the precision', () => {
    expect(quantizationBits(200, 0.05)).toBe(12)
    expect(quantizationBits(1e6, 0.001)).toBe(16)
    expect(quantizationBits(0, 0.05)).toBe(1)
  })

  it('handles an empty mesh', () => {
    const bytes = encodeMesh({ positions: new Float32Array(0), indices: new Uint32Array(0) })
    const d = decodeMesh(bytes)
    expect(d.positions.length).toBe(0)
    expect(d.indices.length).toBe(0)
  })

  it('rejects malformed input with a typed MeshWireError (fuzzed)', () => {
    const good = encodeMesh(sphere())
    const expectCode = (bytes: Uint8Array, code: string): void => {
      try {
        decodeMesh(bytes)
      } catch (e) {
        expect(e).toBeInstanceOf(MeshWireError)
        expect((e as MeshWireError).code).toBe(code)
        return
      }
      throw new Error(`accepted malformed input (expected ${code})`)
    }
    expectCode(new Uint8Array(0), 'truncated')
    expectCode(good.subarray(0, 40), 'truncated')
    expectCode(good.subarray(0, good.length - 1), 'length-mismatch')
    const magic = good.slice()
    magic[0] ^= 1
    expectCode(magic, 'bad-magic')
    const version = good.slice()
    version[4] = 2
    expectCode(version, 'bad-version')
    expectCode('FXRM' as unknown as Uint8Array, 'not-bytes')
    // A payload that fails to inflate, with a valid checksum (an encoder bug, not line noise).
    const bad = good.slice()
    bad.fill(0xff, WIRE_HEADER_BYTES, bad.length - 4)
    new DataView(bad.buffer).setUint32(bad.length - 4, crc32(bad, bad.length - 4), true)
    expectCode(bad, 'corrupt-payload')

    // Random corruption: bit flips, byte overwrites, truncation, extension. Never a crash, never a
    // non-MeshWireError, and anything accepted must still be a valid indexed mesh.
    let seed = 7
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n)
    let rejected = 0
    for (let trial = 0; trial < 400; trial++) {
      let b = good.slice()
      const kind = trial % 4
      if (kind === 0) b[rnd(b.length)] ^= 1 << rnd(8)
      else if (kind === 1) for (let q = 0; q < 1 + rnd(8); q++) b[rnd(b.length)] = rnd(256)
      else if (kind === 2) b = b.subarray(0, rnd(b.length))
      else {
        const e = new Uint8Array(b.length + 1 + rnd(16))
        e.set(b)
        b = e
      }
      // Half the time re-seal the checksum so the deeper checks (inflate, meshopt, indices) are fuzzed too.
      if (trial % 8 >= 4 && b.length >= 56)
        new DataView(b.buffer, b.byteOffset).setUint32(b.length - 4, crc32(b, b.length - 4), true)
      try {
        const d = decodeMesh(b, { normals: false })
        const n = d.positions.length / 3
        let bad = 0
        for (const i of d.indices) if (!(i < n)) bad++
        for (const x of d.positions) if (!Number.isFinite(x)) bad++
        expect(bad).toBe(0)
      } catch (e) {
        expect(e).toBeInstanceOf(MeshWireError)
        rejected++
      }
    }
    expect(rejected).toBeGreaterThan(300)
  })

  it('mask kind reproduces maskToMesh exactly (label, region, smoothing, mirrored affine) at > 20× smaller', () => {
    const dims: Vec3 = [50, 40, 30]
    const mask = sphereMask(dims, [22, 20, 15], 12)
    for (let i = 0; i < mask.length; i++) if (mask[i] && i % 50 > 25) mask[i] = 3
    const aff = Float64Array.from([-0.7, 0.1, 0, 31.5, 0, 0.7, 0, -12.25, 0, 0, 1.5, 80, 0, 0, 0, 1])
    const variants = [
      {},
      { label: 3 },
      { smooth: 8 },
      { region: { origin: [10, 5, 3] as Vec3, size: [30, 30, 20] as Vec3 }, label: 1 },
    ]
    for (const opts of variants) {
      const bytes = encodeMaskMesh(mask, dims, aff, opts)
      const h = readWireHeader(bytes)
      expect(h.kind).toBe(1)
      const d = decodeMesh(bytes)
      const ref = maskToMesh(mask, dims, aff, opts)
      expect(d.indices).toEqual(ref.indices)
      // Same float32 positions up to the box re-origin (float64 affine, float32 storage).
      let maxDiff = 0
      for (let q = 0; q < ref.positions.length; q++)
        maxDiff = Math.max(maxDiff, Math.abs(d.positions[q] - ref.positions[q]))
      expect(maxDiff).toBeLessThan(1e-4)
      expect(topologyProblems(d)).toEqual([])
      const raw = ref.positions.byteLength + ref.indices.byteLength
      expect(bytes.length * 20).toBeLessThan(raw)
    }
    const empty = encodeMaskMesh(new Uint8Array(8), [2, 2, 2], IDENTITY)
    expect(decodeMesh(empty).indices.length).toBe(0)
    expect(() => encodeMaskMesh(mask, dims, aff, { smooth: 300 })).toThrow()
  })

  it('rejects malformed mask payloads with a typed MeshWireError (fuzzed)', () => {
    const dims: Vec3 = [30, 30, 30]
    const good = encodeMaskMesh(sphereMask(dims, [15, 15, 15], 9), dims, IDENTITY, { smooth: 2 })
    let seed = 99
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n)
    let rejected = 0
    for (let trial = 0; trial < 300; trial++) {
      let b = good.slice()
      const kind = trial % 3
      if (kind === 0) b[rnd(b.length)] ^= 1 << rnd(8)
      else if (kind === 1) for (let q = 0; q < 1 + rnd(8); q++) b[rnd(b.length)] = rnd(256)
      else b = b.subarray(0, rnd(b.length))
      if (trial % 6 >= 3 && b.length >= 124)
        new DataView(b.buffer, b.byteOffset).setUint32(b.length - 4, crc32(b, b.length - 4), true)
      try {
        const d = decodeMesh(b, { normals: false })
        const n = d.positions.length / 3
        let bad = 0
        for (const i of d.indices) if (!(i < n)) bad++
        for (const x of d.positions) if (!Number.isFinite(x)) bad++
        expect(bad).toBe(0)
      } catch (e) {
        expect(e).toBeInstanceOf(MeshWireError)
        rejected++
      }
    }
    expect(rejected).toBeGreaterThan(200)
  })
})
