/**
 * Fuzz: thousands of mutated real NIfTI headers/streams and DICOM files (fixed seed, bounded time).
 * Every case must either return a well-formed Volume or throw VolumeError — never another exception
 * type, never a hang, never a malformed volume.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { sharedData } from '@fastsam-xr/test/paths'
import { readDicomSeries, readNifti, VolumeError, type Volume } from '../src/index.ts'
import { fixtures } from './support.ts'

/** mulberry32: small, fast, reproducible. */
function rng(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: T[]) => xs[Math.floor(next() * xs.length)],
  }
}

const DTYPE_ARRAYS = {
  uint8: Uint8Array,
  int8: Int8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  float32: Float32Array,
  float64: Float64Array,
} as const

function assertWellFormed(v: Volume) {
  const [x, y, z] = v.dims
  for (const d of v.dims) expect(Number.isInteger(d) && d >= 1).toBe(true)
  expect(v.data.length).toBe(x * y * z)
  expect(v.data).toBeInstanceOf(DTYPE_ARRAYS[v.dtype])
  expect(v.affine.length).toBe(16)
  for (const m of v.affine) expect(Number.isFinite(m)).toBe(true)
  if (v.data instanceof Float32Array || v.data instanceof Float64Array)
    for (let q = 0; q < v.data.length; q += 97) expect(Number.isFinite(v.data[q])).toBe(true)
}

type Outcome = { ok: number; errors: Map<string, number>; cases: number }

function run(outcome: Outcome, f: () => Volume | void) {
  outcome.cases++
  try {
    const v = f()
    if (v) assertWellFormed(v)
    outcome.ok++
  } catch (err) {
    if (!(err instanceof VolumeError))
      throw new Error(`case ${outcome.cases}: non-VolumeError ${String((err as Error)?.stack ?? err)}`)
    outcome.errors.set(err.code, (outcome.errors.get(err.code) ?? 0) + 1)
  }
}

const SPECIAL_FLOATS = [NaN, Infinity, -Infinity, 0, -0, 1e38, -1e38, 1e-40, 3.4e38, 1, -1, 0.5]
const SPECIAL_INTS = [0, 1, -1, 2, 3, 4, 7, 8, 32767, -32768, 255, 256, 1000, 4000]

describe('fuzz', () => {
  it('mutated NIfTI-1/NIfTI-2 headers, bodies and gzip streams', () => {
    const r = rng(20261124)
    const n1 = new Uint8Array(readFileSync(join(fixtures, 'mt1_le.nii')))
    const n2 = new Uint8Array(gunzipSync(readFileSync(join(fixtures, 'mt1_nifti2.nii.gz'))))
    const gz = new Uint8Array(gzipSync(n1))
    const real = new Uint8Array(readFileSync(sharedData('volumes', 'sct_spine', 't2s_img.nii.gz'))) // float32 gz
    const outcome: Outcome = { ok: 0, errors: new Map(), cases: 0 }
    const opts = { maxVoxels: 4_000_000 }
    const deadline = performance.now() + 30_000 // a safety bound: 12k cases take ~3 s on an idle core
    while (outcome.cases < 12_000 && performance.now() < deadline) {
      const kind = r.int(7)
      const src = r.pick([n1, n2])
      const b = new Uint8Array(src)
      const dv = new DataView(b.buffer)
      const hdr = src === n1 ? 348 : 540
      const le = r.next() < 0.8
      if (kind === 0) {
        for (let q = 1 + r.int(8); q > 0; q--) b[r.int(hdr)] ^= 1 << r.int(8) // bit flips in the header
      } else if (kind === 1) {
        // header fields with hostile values
        const fieldsF =
          src === n1 ? [76, 80, 84, 88, 108, 112, 116, 256, 260, 264, 268, 280, 284, 296, 312, 320] : []
        const fieldsI = src === n1 ? [40, 42, 44, 46, 48, 70, 252, 254] : [12, 16, 24, 32, 40, 344, 348]
        for (let q = 1 + r.int(4); q > 0; q--) {
          if (fieldsF.length && r.next() < 0.5) dv.setFloat32(r.pick(fieldsF), r.pick(SPECIAL_FLOATS), le)
          else if (src === n1) dv.setInt16(r.pick(fieldsI), r.pick(SPECIAL_INTS), true)
          else {
            const o = r.pick(fieldsI)
            if (o === 12 || o === 344 || o === 348) dv.setInt16(o, r.pick(SPECIAL_INTS), true)
            else dv.setBigInt64(o, BigInt(r.pick([...SPECIAL_INTS, 2 ** 40, -(2 ** 40)])), true)
          }
        }
      } else if (kind === 2) {
        run(outcome, () => readNifti(b.subarray(0, r.int(b.length)), opts)) // truncation
        continue
      } else if (kind === 3) {
        for (let q = 1 + r.int(20); q > 0; q--) b[r.int(b.length)] = r.int(256) // anywhere
      } else if (kind === 4) {
        const g = new Uint8Array(gz)
        for (let q = 1 + r.int(4); q > 0; q--) g[r.int(g.length)] ^= 1 << r.int(8) // flips in the gzip stream
        run(outcome, () => readNifti(r.next() < 0.3 ? g.subarray(0, r.int(g.length)) : g, opts))
        continue
      } else if (kind === 5) {
        const g = new Uint8Array(real)
        g[10 + r.int(Math.min(400, g.length - 10))] ^= 1 << r.int(8) // early in a real float32 stream (header)
        run(outcome, () => readNifti(g, opts))
        continue
      } else {
        // random dims, datatype and offset, consistent or not with the body
        dv.setInt16(40, r.int(9), true)
        for (let q = 1; q <= 4; q++) dv.setInt16(40 + 2 * q, r.pick(SPECIAL_INTS), true)
        dv.setInt16(70, r.pick([2, 4, 8, 16, 64, 256, 512, 768, 1, 32, 128, 1024, 2048, 9999]), true)
        dv.setFloat32(108, r.pick([0, 352, 348, 400, 1e9, -1, NaN]), true)
        if (src !== n1) continue
      }
      run(outcome, () => readNifti(b, opts))
    }
    expect(outcome.cases).toBeGreaterThan(3000)
    // The mutations reach both outcomes and many different refusals.
    expect(outcome.ok).toBeGreaterThan(100)
    expect(outcome.errors.size).toBeGreaterThanOrEqual(6)
    console.log(
      `nifti fuzz: ${outcome.cases} cases, ${outcome.ok} volumes, errors ${JSON.stringify(Object.fromEntries(outcome.errors))}`,
    )
  }, 60_000)

  it('mutated DICOM files (header bytes, truncation, pixel data)', async () => {
    const r = rng(42)
    const dir = sharedData('dicom', 'totalsegmentator_example_ct_series')
    const file = new Uint8Array(
      readFileSync(join(dir, 'CT.1.3.12.2.1107.5.1.4.60064.30000022120808113428000016580')),
    )
    const outcome: Outcome = { ok: 0, errors: new Map(), cases: 0 }
    const deadline = performance.now() + 30_000 // safety bound: 300 cases take ~6 s
    let pixelCases = 0
    while (outcome.cases < 300 && performance.now() < deadline) {
      const b = new Uint8Array(file)
      const kind = r.int(4)
      if (kind === 0) for (let q = 1 + r.int(6); q > 0; q--) b[r.int(3000)] ^= 1 << r.int(8)
      else if (kind === 1) for (let q = 1 + r.int(6); q > 0; q--) b[r.int(3000)] = r.int(256)
      else if (kind === 2) {
        outcome.cases++
        try {
          assertWellFormed(await readDicomSeries([b.subarray(0, r.int(b.length))]))
          outcome.ok++
        } catch (err) {
          if (!(err instanceof VolumeError))
            throw new Error(`truncation: non-VolumeError ${String((err as Error)?.stack ?? err)}`)
          outcome.errors.set(err.code, (outcome.errors.get(err.code) ?? 0) + 1)
        }
        continue
      } else {
        if (pixelCases >= 25) continue // each decode costs ~50 ms
        pixelCases++
        for (let q = 1 + r.int(10); q > 0; q--) b[3000 + r.int(b.length - 3000)] = r.int(256)
      }
      outcome.cases++
      try {
        assertWellFormed(await readDicomSeries([b]))
        outcome.ok++
      } catch (err) {
        if (!(err instanceof VolumeError))
          throw new Error(`case ${outcome.cases}: non-VolumeError ${String((err as Error)?.stack ?? err)}`)
        outcome.errors.set(err.code, (outcome.errors.get(err.code) ?? 0) + 1)
      }
    }
    expect(outcome.cases).toBeGreaterThan(100)
    expect(outcome.errors.size).toBeGreaterThanOrEqual(3)
    console.log(
      `dicom fuzz: ${outcome.cases} cases (${pixelCases} in pixel data), ${outcome.ok} volumes, errors ${JSON.stringify(Object.fromEntries(outcome.errors))}`,
    )
  }, 60_000)
})
