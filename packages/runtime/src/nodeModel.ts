/**
 * Node only: a model folder on disk (`model.json`, `encoder.onnx`, `decoder.onnx`) and the
 * onnxruntime-node binding. Loaded lazily by `Segmenter.load` so browser bundles never see it.
 */
import { readFile, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { OrtModule } from './backend.ts'
import { RuntimeError } from './errors.ts'
import { parseManifestText, type ModelManifest } from './manifest.ts'

export interface ModelFolder {
  dir: string
  manifest: ModelManifest
  encoderPath: string
  decoderPath: string
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  )
}

/** Reads and validates `dir/model.json` and checks that both graphs it names exist. */
export async function readModelFolder(dir: string): Promise<ModelFolder> {
  const abs = resolve(dir)
  const isDir = await stat(abs).then(
    (s) => s.isDirectory(),
    () => false,
  )
  if (!isDir) throw new RuntimeError('model-missing', `model folder not found: ${abs}`)
  const manifestPath = join(abs, 'model.json')
  if (!(await isFile(manifestPath)))
    throw new RuntimeError(
      'model-missing',
      `no model.json in ${abs} (export one with npm run model:golden / model:import)`,
    )
  const manifest = parseManifestText(await readFile(manifestPath, 'utf8'))
  const encoderPath = join(abs, manifest.files.encoder)
  const decoderPath = join(abs, manifest.files.decoder)
  for (const p of [encoderPath, decoderPath])
    if (!(await isFile(p)))
      throw new RuntimeError('model-missing', `model.json names ${p}, which does not exist`)
  return { dir: abs, manifest, encoderPath, decoderPath }
}

/** The onnxruntime-node module as an `OrtModule`. */
export async function nodeOrt(): Promise<OrtModule> {
  const ort = await import('onnxruntime-node')
  return (ort as { default?: OrtModule }).default ?? (ort as unknown as OrtModule)
}
