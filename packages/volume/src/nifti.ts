/**
 * NIfTI-1 / NIfTI-2 reader (.nii and .nii.gz, either byte order). The header is read FIRST — for a
 * .nii.gz only its first bytes are inflated — and checked against the voxel budget before any voxel
 * memory is allocated. Only the first 3D frame of a 4D+ file is read.
 */
import { VolumeError } from './errors.ts'
import { checkFinite } from './finite.ts'
import { isUsableAffine } from './geometry.ts'
import { gunzipAtLeast, gunzipPrefix, isGzip } from './gzip.ts'
import { bestAffine, niftiDatatype, niftiShape, parseNiftiHeader, type NiftiHeader } from './niftiHeader.ts'
import { voxelBudget, type ReadOptions } from './options.ts'
import { ARRAY_OF, type DType, type Volume, type VoxelArray } from './volume.ts'

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/**
 * `n` voxels of `bytesPer` bytes from `src`, swapping bytes if needed. When `src` is ours to keep (a
 * buffer we inflated) and suitably aligned, the typed array is a view on it: no 2nd copy of a big volume.
 */
function voxelsFrom(
  src: Uint8Array,
  dtype: DType,
  bytesPer: number,
  n: number,
  littleEndian: boolean,
  mayAlias: boolean,
): VoxelArray {
  if (mayAlias && src.byteOffset % bytesPer === 0 && (bytesPer === 1 || littleEndian === HOST_LITTLE_ENDIAN))
    return new (ARRAY_OF[dtype] as unknown as new (b: ArrayBufferLike, o: number, n: number) => VoxelArray)(
      src.buffer,
      src.byteOffset,
      n,
    )
  const out = new ARRAY_OF[dtype](n)
  const dst = new Uint8Array(out.buffer)
  dst.set(src.subarray(0, n * bytesPer))
  if (bytesPer > 1 && littleEndian !== HOST_LITTLE_ENDIAN) {
    for (let q = 0; q < dst.length; q += bytesPer)
      for (let a = q, b = q + bytesPer - 1; a < b; a++, b--) {
        const t = dst[a]
        dst[a] = dst[b]
        dst[b] = t
      }
  }
  return out
}

/** nibabel's rule: slope 0 or non-finite = no scaling; a valid slope with a non-finite intercept is an error. */
function scaling(h: NiftiHeader): { slope: number; inter: number } | null {
  if (h.sclSlope === 0 || !Number.isFinite(h.sclSlope)) return null
  if (!Number.isFinite(h.sclInter))
    throw new VolumeError('BAD_HEADER', `valid scl_slope ${h.sclSlope} but invalid scl_inter ${h.sclInter}`)
  if (h.sclSlope === 1 && h.sclInter === 0) return null
  return { slope: h.sclSlope, inter: h.sclInter }
}

/** Header only (for `.nii.gz`, inflates just the header bytes). */
export function readNiftiHeader(file: Uint8Array): NiftiHeader {
  const head = isGzip(file) ? gunzipPrefix(file, 540) : file.subarray(0, 540)
  return parseNiftiHeader(head)
}

/**
 * Decode a whole NIfTI file held in memory.
 * @param file the file's bytes (.nii or .nii.gz)
 * @param source a name for `meta.source` (no patient identifiers)
 */
export function readNifti(file: Uint8Array, opts?: ReadOptions, source = 'nifti'): Volume {
  return decodeNifti(file, opts, source, false)
}

/**
 * The reader proper. `ownsFile`: the caller hands the buffer over (readVolume read it from disk), so
 * the voxels may alias it; readNifti(buffer) never aliases a caller's buffer.
 */
export function decodeNifti(
  file: Uint8Array,
  opts: ReadOptions | undefined,
  source: string,
  ownsFile: boolean,
): Volume {
  const gz = isGzip(file)
  const h = readNiftiHeader(file)
  if (h.pairFile)
    throw new VolumeError(
      'BAD_MAGIC',
      `NIfTI pair header (.hdr/.img) is not supported: convert it to a single .nii file`,
    )
  const { dims, frames } = niftiShape(h)
  const { dtype, bytes: bytesPer } = niftiDatatype(h.datatype)
  const nvox = dims[0] * dims[1] * dims[2]
  const budget = voxelBudget(opts)
  if (!(nvox <= budget))
    throw new VolumeError(
      'VOXEL_BUDGET',
      `volume ${dims.join('×')} has ${nvox} voxels, over the budget of ${budget} (ReadOptions.maxVoxels)`,
    )
  // vox_offset below the header (+4 extension bytes) is invalid for a single file; nibabel reads from 352/544.
  const minOffset = h.headerSize + 4
  if (!Number.isFinite(h.voxOffset) || h.voxOffset < 0)
    throw new VolumeError('BAD_HEADER', `invalid vox_offset ${h.voxOffset}`)
  const offset = Math.max(Math.floor(h.voxOffset), minOffset)
  const needed = offset + nvox * bytesPer
  const { affine, from } = bestAffine(h, dims)
  if (!isUsableAffine(affine))
    throw new VolumeError('BAD_HEADER', `the header's ${from} affine is not finite or is singular`)

  let body: Uint8Array
  if (gz) body = gunzipAtLeast(file, needed)
  else {
    if (file.length < needed)
      throw new VolumeError('TRUNCATED', `file is truncated: ${file.length} of ${needed} bytes present`)
    body = file
  }
  let data = voxelsFrom(body.subarray(offset), dtype, bytesPer, nvox, h.littleEndian, gz || ownsFile)
  let outType: DType = dtype
  const scale = scaling(h)
  if (scale) {
    // Rescaled voxels are float32 (float64 sources stay float64), computed in double precision.
    const out = dtype === 'float64' ? new Float64Array(nvox) : new Float32Array(nvox)
    const { slope, inter } = scale
    for (let q = 0; q < nvox; q++) out[q] = data[q] * slope + inter
    data = out
    outType = dtype === 'float64' ? 'float64' : 'float32'
  }
  let nonFiniteReplaced = 0
  if (data instanceof Float32Array || data instanceof Float64Array)
    nonFiniteReplaced = checkFinite(data, opts, source)
  const units = h.xyztUnits & 7
  return {
    data,
    dims,
    affine,
    dtype: outType,
    meta: {
      source,
      description:
        `NIfTI-${h.version}${gz ? ' (gzip)' : ''}, ${h.littleEndian ? 'little' : 'big'}-endian, affine from ${from}` +
        (frames > 1 ? `, first of ${frames} frames` : '') +
        (units === 1
          ? ', spatial units metres (not rescaled)'
          : units === 3
            ? ', spatial units microns (not rescaled)'
            : ''),
      ...(nonFiniteReplaced ? { nonFiniteReplaced } : {}),
    },
  }
}
