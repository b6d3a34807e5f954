/** `@fastsam-xr/volume/model` must stay importable in a browser: no Node built-in in its import graph. */
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import * as model from '@fastsam-xr/volume/model'

const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src')

/** Every module reachable from `entry` through static imports/exports, with its bare imports. */
function importGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>()
  const visit = (file: string) => {
    if (graph.has(file)) return
    const text = readFileSync(file, 'utf8')
    const specs = [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map(
      (m) => m[1],
    )
    graph.set(
      file,
      specs.filter((s) => !s.startsWith('.')),
    )
    for (const s of specs) if (s.startsWith('.')) visit(resolve(dirname(file), s))
  }
  visit(entry)
  return graph
}

describe('browser-safe entry', () => {
  it('reaches no Node built-in or Node-only package', () => {
    const graph = importGraph(join(src, 'model.ts'))
    expect(graph.size).toBeGreaterThan(6)
    const bare = [...graph.values()].flat()
    expect(
      bare.filter(
        (s) =>
          s.startsWith('node:') ||
          ['fs', 'path', 'zlib', 'dicom-parser', '@cornerstonejs/codec-openjpeg'].includes(s),
      ),
    ).toEqual([])
    // The Node entry does reach them (the check would notice).
    expect([...importGraph(join(src, 'index.ts')).values()].flat()).toContain('node:zlib')
  })

  it('exports the model crop API', () => {
    expect(typeof model.prepareModelCrop).toBe('function')
    expect(typeof model.pasteCropMask).toBe('function')
    expect(typeof model.worldToCropIndex).toBe('function')
  })
})
