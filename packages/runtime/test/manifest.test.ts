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

/** The golden manifest with one change applied. */
function mutated(change: (m: Record<string, any>) => void): unknown {
  const m = JSON.parse(text)
  change(m)
  return m
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
  })

  it.each([
    ['formatVersion', (m: any) => (m.formatVersion = 2), 'manifest-unsupported'],
    ['format', (m: any) => (m.format = 'something-else'), 'manifest-invalid'],
    ['input.spacingMm', (m: any) => (m.input.spacingMm = -1), 'manifest-invalid'],
    ['input.spacingMm', (m: any) => delete m.input.spacingMm, 'manifest-invalid'],
    ['input.cropSize', (m: any) => (m.input.cropSize = 127.5), 'manifest-invalid'],
    ['input.orientation', (m: any) => (m.input.orientation = 'LPS+'), 'manifest-unsupported'],
    ['input.normalization', (m: any) => (m.input.normalization = 'minmax'), 'manifest-unsupported'],
    ['files.encoder', (m: any) => (m.files.encoder = '../../etc/passwd'), 'manifest-invalid'],
    ['files.decoder', (m: any) => delete m.files.decoder, 'manifest-invalid'],
    ['source.sha256', (m: any) => (m.source.sha256 = 'abc'), 'manifest-invalid'],
    ['lowResLogits.shape', (m: any) => (m.lowResLogits.shape = [1, 1, 30, 30, 30]), 'manifest-invalid'],
    ['lowResLogits.shape', (m: any) => (m.lowResLogits.shape = [1, 4, 32, 32, 32]), 'manifest-invalid'],
    ['lowResLogits.upsample', (m: any) => (m.lowResLogits.upsample = 'nearest'), 'manifest-unsupported'],
    ['lowResLogits.threshold', (m: any) => (m.lowResLogits.threshold = '0'), 'manifest-invalid'],
    ['embedding.shape', (m: any) => (m.embedding.shape = [384, 8, 8, 8]), 'manifest-invalid'],
  ])('refuses a bad %s with a typed error naming it', (field, change, code) => {
    const err = errorOf(() => parseManifest(mutated(change)))
    expect(err.code).toBe(code)
    expect(err.message).toContain(field)
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
    await expect(readModelFolder(join(import.meta.dirname))).rejects.toMatchObject({ code: 'model-missing', message: /no model.json/ })
  })
})
