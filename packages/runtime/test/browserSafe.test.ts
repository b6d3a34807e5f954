/**
 * The runtime's browser surface: bundling `@fastsam-xr/runtime` for the browser platform (esbuild, as a
 * web app would) must not pull a Node built-in or onnxruntime-node from any runtime module, and
 * `Segmenter.create` must work from graph bytes (how onnxruntime-web receives models).
 */
import { build, type Plugin } from 'esbuild'
import { readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { goldenModelDir } from '../../../test/support/goldenModel.ts'
import { repoRoot } from '../../../test/support/paths.ts'
import { parseManifestText } from '../src/manifest.ts'
import { nodeOrt, readModelFolder } from '../src/nodeModel.ts'
import { Segmenter } from '../src/segmenter.ts'

describe('browser bundle of @fastsam-xr/runtime', () => {
  it('reaches no Node built-in and no onnxruntime-node from runtime modules', async () => {
    const nodeOnly: { what: string; from: string }[] = []
    const record: Plugin = {
      name: 'record-node-imports',
      setup(b) {
        b.onResolve({ filter: /^(node:|onnxruntime-node$|fs$|path$|child_process$)/ }, (args) => {
          nodeOnly.push({ what: args.path, from: relative(repoRoot, args.importer) })
          return { path: args.path, external: true }
        })
      },
    }
    const result = await build({
      entryPoints: [join(repoRoot, 'packages', 'runtime', 'src', 'index.ts')],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      external: ['onnxruntime-common'],
      plugins: [record],
      logLevel: 'silent',
    })
    expect(result.errors).toEqual([])
    const fromRuntime = nodeOnly.filter((n) => n.from.startsWith(join('packages', 'runtime')))
    expect(fromRuntime).toEqual([])
    // The bundle really contains the Segmenter and the upsampler.
    const code = result.outputFiles[0].text
    expect(code).toContain('upsampleThreshold')
    expect(code).toMatch(/class _?Segmenter/)
    // Segmenter.load's Node helper stays a runtime (non-bundled) import.
    expect(code).not.toContain('readModelFolder(dir)')
  })

  it('Segmenter.create works from graph bytes (the onnxruntime-web way of passing models)', async () => {
    const folder = await readModelFolder(await goldenModelDir('fastsam3d'))
    const manifest = parseManifestText(readFileSync(join(folder.dir, 'model.json'), 'utf8'))
    const seg = await Segmenter.create(await nodeOrt(), manifest, {
      encoder: new Uint8Array(readFileSync(folder.encoderPath)),
      decoder: new Uint8Array(readFileSync(folder.decoderPath)),
    })
    try {
      expect(seg.manifest.name).toBe('golden-fastsam3d')
      const embedding = await seg.runEncoder(new Float32Array(128 ** 3))
      expect(embedding.length).toBe(384 * 512)
    } finally {
      await seg.release()
    }
  })
})
