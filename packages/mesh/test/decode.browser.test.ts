/**
 * The headset side for real: the browser entry (`@fastsam-xr/mesh/wire`) bundled by esbuild for the
 * browser platform (a Node-only import would break the bundle), loaded into Debian's headless
 * Chromium, decoding both wire kinds exactly like Node and rejecting corrupt bytes with MeshWireError.
 * Chromium comes from apt (.ci/run installs it). Browser decode speed is in `npm run bench -- mesh`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { maskToMesh } from '../src/maskToMesh.ts'
import { meshReady } from '../src/ready.ts'
import type { Vec3 } from '../src/types.ts'
import { decodeMesh } from '../src/wire/decode.ts'
import { encodeMesh } from '../src/wire/encode.ts'
import { encodeMaskMesh } from '../src/wire/maskCodec.ts'
import { fingerprint, startBrowserDecoder, type BrowserDecoder } from './browserHarness.ts'
import { sphereMask } from './topology.ts'

let dec: BrowserDecoder

beforeAll(async () => {
  await meshReady
  dec = await startBrowserDecoder()
})

afterAll(async () => {
  await dec?.close()
})

describe('decoding in a browser', () => {
  it('the browser bundle decodes both kinds exactly like Node', async () => {
    const dims: Vec3 = [48, 48, 48]
    const aff = Float64Array.from([1.5, 0, 0, -48, 0, -1.5, 0, 40, 0, 0, 1.5, 10, 0, 0, 0, 1])
    const mask = sphereMask(dims, [22, 25, 23], 17)
    const buffers = [
      encodeMesh(maskToMesh(mask, dims, aff, { smooth: 5 })),
      encodeMaskMesh(mask, dims, aff, { smooth: 3 }),
    ]
    const expected = buffers.map((b) => {
      const d = decodeMesh(b)
      return fingerprint(d.positions, d.indices)
    })
    const got = await dec.decode(buffers, 1)
    expect(got.fingerprints).toEqual(expected)
    expect(expected[0][1]).toBeGreaterThan(1000)
  })

  it('rejects corrupt bytes with a MeshWireError code in the page', async () => {
    const dims: Vec3 = [16, 16, 16]
    const good = encodeMaskMesh(
      sphereMask(dims, [8, 8, 8], 5),
      dims,
      Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]),
    )
    const bad = good.slice()
    bad[20] ^= 0x10
    const codes = await dec.page.evaluate(
      ([g, b]) => {
        const api = (globalThis as unknown as { FXRM: typeof import('../src/wire/browser.ts') }).FXRM
        return [g, b, [1, 2, 3]].map((arr) => {
          try {
            api.decodeMesh(Uint8Array.from(arr))
            return 'ok'
          } catch (e) {
            return e instanceof api.MeshWireError ? e.code : `other: ${String(e)}`
          }
        })
      },
      [Array.from(good), Array.from(bad)] as const,
    )
    expect(codes).toEqual(['ok', 'checksum', 'truncated'])
  })
})
