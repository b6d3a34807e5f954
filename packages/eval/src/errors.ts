/** Every failure of the evaluation is an EvalError with a `code` and a one-line message. */
export type EvalErrorCode =
  'bad-argument' | 'data-missing' | 'no-pairs' | 'pair-mismatch' | 'split-invalid' | 'internal'

export class EvalError extends Error {
  constructor(
    readonly code: EvalErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'EvalError'
  }
}
