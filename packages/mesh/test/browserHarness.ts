/**
 * Headless Chromium (Debian's apt package) with the browser entry `src/wire/browser.ts` bundled by
 * esbuild for the browser platform, exposed as `globalThis.FXRM`. Used by the browser decode test and
 * the mesh benchmark.
 */
import { build } from 'esbuild'
import { existsSync } from 'node:fs'
import { chromium, type Browser, type Page } from 'playwright-core'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export interface BrowserDecoder {
  browser: Browser
  page: Page
  /** Decode each buffer `repeats` times in the page: fingerprints + mean ms per decode (after one warm-up). */
  decode(buffers: Uint8Array[], repeats: number): Promise<{ fingerprints: number[][]; ms: number[] }>
  close(): Promise<void>
}

/** Order-independent-enough fingerprint of a decoded mesh (same code runs in the page). */
export function fingerprint(p: ArrayLike<number>, ix: ArrayLike<number>): number[] {
  let s = 0
  for (let i = 0; i < p.length; i++) s += p[i] * ((i % 7) + 1)
  let t = 0
  for (let i = 0; i < ix.length; i++) t += ix[i] * ((i % 5) + 1)
  return [p.length, ix.length, Math.round(s * 100) / 100, t]
}

export async function startBrowserDecoder(): Promise<BrowserDecoder> {
  if (!existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM} (apt-get install chromium)`)
  const out = await build({
    entryPoints: [new URL('../src/wire/browser.ts', import.meta.url).pathname],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'FXRM',
    write: false,
    logLevel: 'silent',
  })
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
  const page = await browser.newPage()
  await page.setContent('<!doctype html><title>decode</title>')
  await page.addScriptTag({ content: out.outputFiles[0].text })
  await page.addScriptTag({ content: `window.fingerprint = ${fingerprint.toString()}` })
  return {
    browser,
    page,
    decode: (buffers, repeats) =>
      page.evaluate(
        async ([arrays, n]) => {
          const g = globalThis as unknown as {
            FXRM: typeof import('../src/wire/browser.ts')
            fingerprint: typeof fingerprint
          }
          await g.FXRM.decoderReadyPromise
          const res = { fingerprints: [] as number[][], ms: [] as number[] }
          for (const arr of arrays) {
            const bytes = Uint8Array.from(arr)
            let m = g.FXRM.decodeMesh(bytes)
            const t0 = performance.now()
            for (let r = 0; r < n; r++) m = g.FXRM.decodeMesh(bytes)
            res.ms.push((performance.now() - t0) / n)
            res.fingerprints.push(g.fingerprint(m.positions, m.indices))
          }
          return res
        },
        [buffers.map((b) => Array.from(b)), repeats] as const,
      ),
    close: () => browser.close(),
  }
}
