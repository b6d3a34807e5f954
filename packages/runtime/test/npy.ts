/**
 * Minimal NumPy `.npy` reader/writer for float32, C-order arrays (format versions 1-3), enough for
 * the golden files of model-spec §13 and for handing crops to the PyTorch reference.
 */
import { readFileSync, writeFileSync } from 'node:fs'

export interface NpyArray {
  shape: number[]
  data: Float32Array
}

export function parseNpy(bytes: Uint8Array, name = 'array'): NpyArray {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]
  if (bytes.length < 10 || !magic.every((b, i) => bytes[i] === b)) throw new Error(`${name}: not a .npy file`)
  const major = bytes[6]
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true)
  const headerStart = major === 1 ? 10 : 12
  const header = new TextDecoder('latin1').decode(bytes.subarray(headerStart, headerStart + headerLen))
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1]
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1]
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1]
  if (descr !== '<f4') throw new Error(`${name}: only little-endian float32 is supported (descr ${descr})`)
  if (fortran !== 'False') throw new Error(`${name}: only C-order arrays are supported`)
  if (shapeText === undefined) throw new Error(`${name}: no shape in the header`)
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number)
  const count = shape.reduce((a, b) => a * b, 1)
  const start = headerStart + headerLen
  if (bytes.length - start !== 4 * count)
    throw new Error(`${name}: ${bytes.length - start} data bytes for shape (${shape})`)
  const data = new Float32Array(count)
  new Uint8Array(data.buffer).set(bytes.subarray(start, start + 4 * count))
  return { shape, data }
}

export function readNpy(path: string): NpyArray {
  return parseNpy(readFileSync(path), path)
}

/** Writes a float32 C-order array (format 1.0, header padded to 64 bytes). */
export function writeNpy(path: string, data: Float32Array, shape: number[]): void {
  if (shape.reduce((a, b) => a * b, 1) !== data.length)
    throw new Error(`shape (${shape}) does not match ${data.length} values`)
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`
  const total = 10 + header.length + 1
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n'
  const head = new Uint8Array(10 + header.length)
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0])
  new DataView(head.buffer).setUint16(8, header.length, true)
  head.set(new TextEncoder().encode(header), 10)
  const out = new Uint8Array(head.length + data.byteLength)
  out.set(head)
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), head.length)
  writeFileSync(path, out)
}
