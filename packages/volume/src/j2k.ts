/**
 * JPEG 2000 (DICOM transfer syntaxes 1.2.840.10008.1.2.4.90 / .91) frame decoding with OpenJPEG's
 * WebAssembly build (@cornerstonejs/codec-openjpeg). The module is loaded once, lazily, with its
 * console output silenced (OpenJPEG logs [INFO] lines that would corrupt `info --json`).
 */
import { createRequire } from 'node:module'
import { VolumeError } from './errors.ts'

interface FrameInfo {
  width: number
  height: number
  bitsPerSample: number
  componentCount: number
  isSigned: boolean
}
interface J2KDecoder {
  getEncodedBuffer(length: number): Uint8Array
  decode(): void
  getFrameInfo(): FrameInfo
  getDecodedBuffer(): Uint8Array
  delete(): void
}
interface OpenJpegModule {
  J2KDecoder: new () => J2KDecoder
}

let modulePromise: Promise<OpenJpegModule> | undefined

function openjpeg(): Promise<OpenJpegModule> {
  if (!modulePromise) {
    const require = createRequire(import.meta.url)
    const factory = require('@cornerstonejs/codec-openjpeg/decodewasmjs') as (
      m: object,
    ) => Promise<OpenJpegModule>
    modulePromise = factory({ print: () => {}, printErr: () => {} })
  }
  return modulePromise
}

/** Decoded samples of one frame: a copy (the WASM heap is reused), plus what the codestream says. */
export async function decodeJ2kFrame(encoded: Uint8Array): Promise<{ bytes: Uint8Array; info: FrameInfo }> {
  const mod = await openjpeg()
  const decoder = new mod.J2KDecoder()
  try {
    decoder.getEncodedBuffer(encoded.length).set(encoded)
    decoder.decode()
    const info = decoder.getFrameInfo()
    return { bytes: decoder.getDecodedBuffer().slice(), info }
  } catch (err) {
    // An aborted WebAssembly instance is unusable: load a fresh one next time.
    modulePromise = undefined
    const message =
      typeof err === 'number' ? `OpenJPEG error ${err}` : err instanceof Error ? err.message : String(err)
    throw new VolumeError('BAD_DICOM', `JPEG 2000 pixel data could not be decoded (${message})`)
  } finally {
    decoder.delete()
  }
}
