export { RuntimeError, type RuntimeErrorCode } from './errors.ts'
export {
  parseManifest,
  parseManifestText,
  MANIFEST_FORMAT,
  SUPPORTED_FORMAT_VERSIONS,
  type ModelManifest,
} from './manifest.ts'
export {
  createSession,
  ENCODER_CONTRACT,
  DECODER_CONTRACT,
  DEFAULT_INTRA_OP_THREADS,
  type OrtModule,
  type ExecutionProvider,
  type SessionOptions,
  type GraphContract,
} from './backend.ts'
export { axisWeights, upsampleTrilinear, upsampleThreshold, type AxisWeights } from './upsample.ts'
export { promptsToDecoderPoints, type Prompt, type DecoderPoints } from './prompts.ts'
export { ByteLru } from './byteLru.ts'
export {
  Segmenter,
  type SegmenterOptions,
  type EncodedCrop,
  type DecodeResult,
  type StageTimings,
} from './segmenter.ts'
