/**
 * `model.json`: the manifest every exported model folder carries (written by models/ export). The
 * runtime takes the crop geometry, normalisation and post-processing from it instead of hard-coding
 * them, and refuses a manifest it does not fully understand rather than guessing.
 *
 * Browser-safe: parsing only, no file access (see `nodeModel.ts` for reading a folder).
 */
import { RuntimeError } from './errors.ts'

export const MANIFEST_FORMAT = 'fastsam-xr-model'
export const SUPPORTED_FORMAT_VERSIONS: readonly number[] = [1]

export interface ModelManifest {
  format: typeof MANIFEST_FORMAT
  formatVersion: number
  name: string
  /** 'fastsam3d' | 'sam-med3d' (informational; the graphs share one contract). */
  variant: string
  source: { checkpoint: string; sha256: string | null }
  /** ONNX file names, relative to the model folder. */
  files: { encoder: string; decoder: string }
  opset: number
  input: {
    /** isotropic resampling of the crop, mm (1.5 for FastSAM3D). */
    spacingMm: number
    /** edge of the cubic model input, voxels (128). */
    cropSize: number
    orientation: 'RAS+'
    layout: string
    normalization: string
    pointAxisOrder: string
  }
  /** [1, C, e, e, e] encoder output. */
  embedding: { shape: number[] }
  lowResLogits: {
    /** [1, 1, L, L, L]; cropSize must be a multiple of L. */
    shape: [1, 1, number, number, number]
    upsample: 'trilinear align_corners=false'
    /** a voxel is inside the mask when its upsampled logit is > threshold. */
    threshold: number
  }
  /**
   * Which clicks each decoder pass takes, beside the previous pass's logits: 'newest' (FastSAM3D /
   * SAM-Med3D, spec §8.3: one click per pass) or 'all' (every click so far in the crop, in order: the
   * promptable U-Net). Absent in a manifest = 'newest'.
   */
  decoder: { prompts: DecoderPrompts }
}

export type DecoderPrompts = 'newest' | 'all'

function fail(
  field: string,
  why: string,
  code: 'manifest-invalid' | 'manifest-unsupported' = 'manifest-invalid',
): never {
  throw new RuntimeError(code, `model.json: ${field} ${why}`)
}

function object(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(field, 'must be an object')
  return v as Record<string, unknown>
}

function string(o: Record<string, unknown>, key: string, field: string): string {
  const v = o[key]
  if (typeof v !== 'string' || v.length === 0)
    fail(`${field}.${key}`.replace(/^\./, ''), 'must be a non-empty string')
  return v
}

function positive(o: Record<string, unknown>, key: string, field: string, integer = false): number {
  const v = o[key]
  const name = `${field}.${key}`.replace(/^\./, '')
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail(name, 'must be a positive number')
  if (integer && !Number.isInteger(v)) fail(name, 'must be an integer')
  return v
}

function shape(v: unknown, field: string, rank: number): number[] {
  if (!Array.isArray(v) || v.length !== rank || !v.every((d) => Number.isInteger(d) && d > 0))
    fail(field, `must be an array of ${rank} positive integers`)
  return v as number[]
}

/** A file name inside the model folder: no absolute paths, no `..`, no directories. */
function fileName(o: Record<string, unknown>, key: string): string {
  const v = string(o, key, 'files')
  if (v.includes('/') || v.includes('\\') || v === '.' || v === '..')
    fail(`files.${key}`, `must be a plain file name inside the model folder (got '${v}')`)
  return v
}

/** Validates a parsed model.json. Errors name the offending field. */
export function parseManifest(json: unknown): ModelManifest {
  const m = object(json, 'the document')
  if (m.format !== MANIFEST_FORMAT)
    fail('format', `must be '${MANIFEST_FORMAT}' (got ${JSON.stringify(m.format)})`)
  const formatVersion = m.formatVersion
  if (typeof formatVersion !== 'number' || !Number.isInteger(formatVersion))
    fail('formatVersion', 'must be an integer')
  if (!SUPPORTED_FORMAT_VERSIONS.includes(formatVersion))
    fail(
      'formatVersion',
      `${formatVersion} is not supported by this runtime (supported: ${SUPPORTED_FORMAT_VERSIONS.join(', ')})`,
      'manifest-unsupported',
    )

  const source = object(m.source, 'source')
  const sha = source.sha256
  if (sha !== null && (typeof sha !== 'string' || !/^[0-9a-f]{64}$/i.test(sha)))
    fail('source.sha256', 'must be 64 hex digits or null')
  const files = object(m.files, 'files')

  const input = object(m.input, 'input')
  const cropSize = positive(input, 'cropSize', 'input', true)
  const orientation = string(input, 'orientation', 'input')
  if (orientation !== 'RAS+')
    fail('input.orientation', `'${orientation}' is not supported (only 'RAS+')`, 'manifest-unsupported')
  const normalization = string(input, 'normalization', 'input')
  // prepareModelCrop implements exactly one normalisation: z-score over voxels > 0 (spec §8.1 step 4).
  if (!normalization.startsWith('zscore'))
    fail(
      'input.normalization',
      `'${normalization}' is not supported (only the zscore rule)`,
      'manifest-unsupported',
    )

  const embedding = object(m.embedding, 'embedding')
  const low = object(m.lowResLogits, 'lowResLogits')
  const lowShape = shape(low.shape, 'lowResLogits.shape', 5)
  const [n, c, l0, l1, l2] = lowShape
  if (n !== 1 || c !== 1 || l0 !== l1 || l1 !== l2)
    fail('lowResLogits.shape', `must be [1, 1, L, L, L] (got ${JSON.stringify(lowShape)})`)
  if (cropSize % l0 !== 0) fail('lowResLogits.shape', `L = ${l0} must divide input.cropSize = ${cropSize}`)
  const upsample = string(low, 'upsample', 'lowResLogits')
  if (upsample !== 'trilinear align_corners=false')
    fail(
      'lowResLogits.upsample',
      `'${upsample}' is not supported (only 'trilinear align_corners=false')`,
      'manifest-unsupported',
    )
  const threshold = low.threshold
  if (typeof threshold !== 'number' || !Number.isFinite(threshold))
    fail('lowResLogits.threshold', 'must be a finite number')

  let prompts: DecoderPrompts = 'newest'
  if (m.decoder !== undefined) {
    const decoder = object(m.decoder, 'decoder')
    const p = string(decoder, 'prompts', 'decoder')
    if (p !== 'newest' && p !== 'all')
      fail('decoder.prompts', `'${p}' is not supported (only 'newest' or 'all')`, 'manifest-unsupported')
    prompts = p
  }

  return {
    format: MANIFEST_FORMAT,
    formatVersion,
    name: string(m, 'name', ''),
    variant: string(m, 'variant', ''),
    source: { checkpoint: string(source, 'checkpoint', 'source'), sha256: sha as string | null },
    files: { encoder: fileName(files, 'encoder'), decoder: fileName(files, 'decoder') },
    opset: positive(m, 'opset', '', true),
    input: {
      spacingMm: positive(input, 'spacingMm', 'input'),
      cropSize,
      orientation: 'RAS+',
      layout: string(input, 'layout', 'input'),
      normalization,
      pointAxisOrder: string(input, 'pointAxisOrder', 'input'),
    },
    embedding: { shape: shape(embedding.shape, 'embedding.shape', 5) },
    lowResLogits: { shape: [1, 1, l0, l1, l2], upsample: 'trilinear align_corners=false', threshold },
    decoder: { prompts },
  }
}

/** Parses model.json text; a JSON syntax error becomes a `manifest-invalid` RuntimeError. */
export function parseManifestText(text: string): ModelManifest {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new RuntimeError('manifest-invalid', `model.json: not valid JSON (${(err as Error).message})`)
  }
  return parseManifest(json)
}
