/** One promise for every WebAssembly piece this package uses (meshopt encoder, decoder, simplifier). */
import { simplifierReadyPromise } from './simplify.ts'
import { decoderReadyPromise } from './wire/decode.ts'
import { encoderReadyPromise } from './wire/encode.ts'

export const meshReady: Promise<void> = Promise.all([
  encoderReadyPromise,
  decoderReadyPromise,
  simplifierReadyPromise,
]).then(() => undefined)
