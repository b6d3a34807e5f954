/** model.json validation: the real golden export parses; each broken field is named in the error. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { goldenModelDir } from '../../../test/support/goldenModel.ts'
import { RuntimeError } from '../src/errors.ts'
import { parseManifest, parseManifestText } from '../src/manifest.ts'
import { readModelFolder } from '../src/nodeModel.ts'

let text: string

beforeAll(async () => {
  text = readFileSync(join(await goldenModelDir('fastsam3d'), 'model.json'), 'utf8')
})

const DELETE = Symbol('delete')

/** The golden manifest with the field at dotted `path` set to `value` (or deleted). */
function mutated(path: string, value: unknown): unknown {
  const doc = JSON.parse(text) as Record<string, unknown>
  const keys = path.split('.')
  const parent = keys.slice(0, -1).reduce((o, k) => o[k] as Record<string, unknown>, doc)
  const last = keys[keys.length - 1]
  if (value === DELETE) delete parent[last]
  else parent[last] = value
  return doc
}

function errorOf(fn: () => unknown): RuntimeError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(RuntimeError)
    return err as RuntimeError
  }
  throw new Error('expected a RuntimeError')
}

describe('parseManifest', () => {
  it('reads the golden export: the geometry the runtime uses comes from here', () => {
    const m = parseManifestText(text)
    expect(m.name).toBe('golden-fastsam3d')
    expect(m.variant).toBe('fastsam3d')
    expect(m.input.spacingMm).toBe(1.5)
    expect(m.input.cropSize).toBe(128)
    expect(m.embedding.shape).toEqual([1, 384, 8, 8, 8])
    expect(m.lowResLogits.shape).toEqual([1, 1, 32, 32, 32])
    expect(m.lowResLogits.threshold).toBe(0)
    expect(m.files).toEqual({ encoder: 'encoder.onnx', decoder: 'decoder.onnx' })
    // A FastSAM3D folder says nothing about prompting: one click per pass (spec §8.3).
    expect(m.decoder.prompts).toBe('newest')
  })

  it("reads decoder.prompts 'all' (the promptable U-Net) and refuses anything else", () => {
    expect(parseManifest(mutated('decoder', { prompts: 'all' })).decoder.prompts).toBe('all')
    expect(errorOf(() => parseManifest(mutated('decoder', { prompts: 'some' }))).code).toBe(
      'manifest-unsupported',
    )
    expect(errorOf(() => parseManifest(mutated('decoder', 'all'))).message).toContain('decoder')
  })

  it.each([
    ['formatVersion', 2, 'manifest-unsupported'],
    ['format', 'something-else', 'manifest-invalid'],
    ['input.spacingMm', -1, 'manifest-invalid'],
    ['input.spacingMm', DELETE, 'manifest-invalid'],
    ['input.cropSize', 127.5, 'manifest-invalid'],
    ['input.orientation', 'LPS+', 'manifest-unsupported'],
    ['input.normalization', 'minmax', 'manifest-unsupported'],
    ['files.encoder', '../../etc/passwd', 'manifest-invalid'],
    ['files.decoder', DELETE, 'manifest-invalid'],
    ['source.sha256', 'abc', 'manifest-invalid'],
    ['lowResLogits.shape', [1, 1, 30, 30, 30], 'manifest-invalid'],
    ['lowResLogits.shape', [1, 4, 32, 32, 32], 'manifest-invalid'],
    ['lowResLogits.upsample', 'nearest', 'manifest-unsupported'],
    ['lowResLogits.threshold', '0', 'manifest-invalid'],
    ['embedding.shape', [384, 8, 8, 8], 'manifest-invalid'],
  ] as [string, unknown, string][])('refuses a bad %s with a typed error naming it', (path, value, code) => {
    const err = errorOf(() => parseManifest(mutated(path, value)))
    expect(err.code).toBe(code)
    expect(err.message).toContain(path)
  })

  it('refuses text that is not JSON', () => {
    const err = errorOf(() => parseManifestText('{"format": '))
    expect(err.code).toBe('manifest-invalid')
    expect(err.message).toMatch(/not valid JSON/)
  })
})

describe('readModelFolder', () => {
  it('finds both graphs of the golden export', async () => {
    const dir = await goldenModelDir('fastsam3d')
    const f = await readModelFolder(dir)
    expect(f.encoderPath).toBe(join(dir, 'encoder.onnx'))
    expect(f.decoderPath).toBe(join(dir, 'decoder.onnx'))
  })

  it('reports a missing folder and a folder without model.json as model-missing', async () => {
    await expect(readModelFolder('/nonexistent/model')).rejects.toMatchObject({ code: 'model-missing' })
    await expect(readModelFolder(join(import.meta.dirname))).rejects.toMatchObject({
      code: 'model-missing',
      message: /no model.json/,
    })
  })
})
