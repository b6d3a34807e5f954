/**
 * Every failure the runtime reports on purpose is a `RuntimeError` with a stable `code`, so callers
 * (CLI, server) can tell a bad model folder from a click outside the crop without parsing messages.
 */
export type RuntimeErrorCode =
  /** model.json missing, unreadable, not JSON, or a field with the wrong type/value. */
  | 'manifest-invalid'
  /** model.json declares a format or formatVersion this runtime does not understand. */
  | 'manifest-unsupported'
  /** the model folder or one of its ONNX files is missing. */
  | 'model-missing'
  /** onnxruntime refused the graph, or its inputs/outputs do not match the contract. */
  | 'model-invalid'
  /** an execution provider was asked for that this onnxruntime build/machine cannot provide. */
  | 'execution-provider-unavailable'
  /** a prompt lies outside the encoded 128³ crop (a new ROI must be encoded). */
  | 'prompt-outside-crop'
  /** prompts/logits/arguments with the wrong shape or non-finite values. */
  | 'bad-input'

export class RuntimeError extends Error {
  override readonly name = 'RuntimeError'
  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
  ) {
    super(message)
  }
}
