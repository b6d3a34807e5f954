/**
 * onnxruntime, whichever flavour: the runtime only ever talks to the small `OrtModule` surface below,
 * which both `onnxruntime-node` and `onnxruntime-web` provide. This file must stay importable in a
 * browser: type-only imports, no Node modules (the Node binding is loaded lazily by `nodeModel.ts`).
 */
import type { InferenceSession, InferenceSessionFactory, Tensor } from 'onnxruntime-common'
import { RuntimeError } from './errors.ts'

/** The parts of `import * as ort from 'onnxruntime-node' | 'onnxruntime-web'` the runtime uses. */
export interface OrtModule {
  InferenceSession: InferenceSessionFactory
  Tensor: typeof Tensor
  /** onnxruntime-node only: which execution providers this build knows about. */
  listSupportedBackends?: () => { name: string; bundled: boolean }[]
}

/** 'cpu' and 'cuda' for onnxruntime-node; 'wasm' and 'webgpu' for onnxruntime-web. */
export type ExecutionProvider = 'cpu' | 'cuda' | 'wasm' | 'webgpu'

export interface SessionOptions {
  /** default 'cpu'. Asking for one that is not available is an error, never a silent CPU fallback. */
  executionProvider?: ExecutionProvider
  /** threads inside one operator (default 2: this project's CPU baseline). Ignored by onnxruntime-web. */
  intraOpNumThreads?: number
}

export const DEFAULT_INTRA_OP_THREADS = 2

/** What one graph must look like: input and output names of the contract (model-spec §12.2). */
export interface GraphContract {
  label: string
  inputs: readonly string[]
  outputs: readonly string[]
}

export const ENCODER_CONTRACT: GraphContract = {
  label: 'encoder',
  inputs: ['image'],
  outputs: ['image_embeddings'],
}
export const DECODER_CONTRACT: GraphContract = {
  label: 'decoder',
  inputs: ['image_embeddings', 'point_coords', 'point_labels', 'mask_input', 'has_mask_input'],
  outputs: ['low_res_logits', 'iou_predictions'],
}

function ortOptions(opts: SessionOptions): InferenceSession.SessionOptions {
  const threads = opts.intraOpNumThreads ?? DEFAULT_INTRA_OP_THREADS
  if (!Number.isInteger(threads) || threads < 1)
    throw new RuntimeError('bad-input', `intraOpNumThreads must be a positive integer (got ${threads})`)
  return {
    executionProviders: [opts.executionProvider ?? 'cpu'],
    intraOpNumThreads: threads,
    // Inter-op parallelism buys nothing on these sequential graphs and costs a thread pool.
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  }
}

/**
 * Creates one inference session for `model` (a file path under Node, bytes or a URL in a browser)
 * and checks its input/output names against `contract`.
 */
export async function createSession(
  ort: OrtModule,
  model: string | Uint8Array,
  contract: GraphContract,
  opts: SessionOptions = {},
): Promise<InferenceSession> {
  const provider = opts.executionProvider ?? 'cpu'
  const known = ort.listSupportedBackends?.()
  if (known && !known.some((b) => b.name === provider))
    throw new RuntimeError(
      'execution-provider-unavailable',
      `execution provider '${provider}' is not part of this onnxruntime build (available: ${known.map((b) => b.name).join(', ')})`,
    )
  const options = ortOptions(opts)
  let session: InferenceSession
  try {
    session =
      typeof model === 'string'
        ? await ort.InferenceSession.create(model, options)
        : await ort.InferenceSession.create(model, options)
  } catch (err) {
    const message = String((err as Error)?.message ?? err).split('\n')[0]
    // onnxruntime reports a missing provider library as a load failure of the whole session.
    if (
      provider !== 'cpu' &&
      provider !== 'wasm' &&
      /execution ?provider|providers?_|shared library|cuda|webgpu/i.test(message)
    )
      throw new RuntimeError(
        'execution-provider-unavailable',
        `execution provider '${provider}' is not available here: ${message}`,
      )
    throw new RuntimeError('model-invalid', `onnxruntime cannot load the ${contract.label} graph: ${message}`)
  }
  const missingIn = contract.inputs.filter((n) => !session.inputNames.includes(n))
  const missingOut = contract.outputs.filter((n) => !session.outputNames.includes(n))
  if (missingIn.length || missingOut.length) {
    await session.release()
    throw new RuntimeError(
      'model-invalid',
      `the ${contract.label} graph does not match the contract: ` +
        [
          missingIn.length ? `missing inputs ${missingIn.join(', ')}` : '',
          missingOut.length ? `missing outputs ${missingOut.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('; ') +
        ` (has inputs ${session.inputNames.join(', ')}; outputs ${session.outputNames.join(', ')})`,
    )
  }
  return session
}
