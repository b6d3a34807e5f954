/** Session creation: contract checks on the real golden graphs, typed errors for bad models/providers. */
import { describe, expect, it } from 'vitest'
import { goldenModelDir } from '../../../test/support/goldenModel.ts'
import { createSession, DECODER_CONTRACT, ENCODER_CONTRACT } from '../src/backend.ts'
import { RuntimeError } from '../src/errors.ts'
import { nodeOrt, readModelFolder } from '../src/nodeModel.ts'

describe('createSession (onnxruntime-node)', () => {
  it('opens the golden decoder on CPU with the contract names', async () => {
    const f = await readModelFolder(await goldenModelDir('fastsam3d'))
    const s = await createSession(await nodeOrt(), f.decoderPath, DECODER_CONTRACT, { intraOpNumThreads: 1 })
    expect([...s.inputNames].sort()).toEqual([...DECODER_CONTRACT.inputs].sort())
    expect([...s.outputNames].sort()).toEqual([...DECODER_CONTRACT.outputs].sort())
    await s.release()
  })

  it('refuses a graph whose inputs/outputs are not the contract (the decoder given as encoder)', async () => {
    const f = await readModelFolder(await goldenModelDir('fastsam3d'))
    await expect(createSession(await nodeOrt(), f.decoderPath, ENCODER_CONTRACT)).rejects.toMatchObject({
      code: 'model-invalid',
      message: /missing inputs image; missing outputs image_embeddings/,
    })
  })

  it('refuses bytes that are not an ONNX model', async () => {
    const err = await createSession(
      await nodeOrt(),
      new TextEncoder().encode('not a model'),
      ENCODER_CONTRACT,
    ).catch((e) => e)
    expect(err).toBeInstanceOf(RuntimeError)
    expect(err.code).toBe('model-invalid')
  })

  it('refuses a bad thread count', async () => {
    const f = await readModelFolder(await goldenModelDir('fastsam3d'))
    await expect(
      createSession(await nodeOrt(), f.decoderPath, DECODER_CONTRACT, { intraOpNumThreads: 0 }),
    ).rejects.toMatchObject({ code: 'bad-input' })
  })

  it("CUDA when asked for: a session where the provider exists, else 'execution-provider-unavailable' (never a silent CPU fallback)", async () => {
    const ort = await nodeOrt()
    const f = await readModelFolder(await goldenModelDir('fastsam3d'))
    const result = await createSession(ort, f.decoderPath, DECODER_CONTRACT, {
      executionProvider: 'cuda',
    }).then(
      (s) => s,
      (e) => e,
    )
    if (result instanceof Error) {
      expect(result).toBeInstanceOf(RuntimeError)
      expect((result as RuntimeError).code).toBe('execution-provider-unavailable')
      expect(result.message).toMatch(/'cuda'/)
    } else {
      // A CUDA-capable machine: the session must really be usable.
      expect(result.inputNames).toContain('point_coords')
      await result.release()
    }
  })
})
