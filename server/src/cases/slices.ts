/**
 * The volume for the client's slice planes: box-downsampled (mesh package's `downsampleGrid`) until
 * it fits a headset-friendly budget, stored as int16. Integer volumes that fit int16 keep their
 * values (scale 1, offset 0); others are mapped linearly onto the int16 range.
 */
import { downsampleGrid } from '@fastsam-xr/mesh'
import type { Volume } from '@fastsam-xr/volume'
import type { SliceVolume, Vec3 } from '@fastsam-xr/protocol'

/** At most this many voxels (8 MiB of int16) and 256 per axis. */
export const SLICE_MAX_VOXELS = 1 << 22
export const SLICE_MAX_AXIS = 256

export function sliceFactor(dims: Vec3): number {
  let f = 1
  for (;;) {
    const d = dims.map((n) => Math.ceil(n / f))
    if (Math.max(...d) <= SLICE_MAX_AXIS && d[0] * d[1] * d[2] <= SLICE_MAX_VOXELS) return f
    f++
  }
}

export function sliceVolume(volume: Volume, min: number, max: number): SliceVolume {
  const f = sliceFactor(volume.dims)
  const grid =
    f === 1 ? { data: volume.data, dims: volume.dims, affine: volume.affine } : downsampleGrid(volume, f)
  const fitsInt16 =
    ['int16', 'int8', 'uint8'].includes(volume.dtype) ||
    (Number.isInteger(min) &&
      Number.isInteger(max) &&
      min >= -32768 &&
      max <= 32767 &&
      volume.dtype !== 'float32' &&
      volume.dtype !== 'float64')
  const scale = fitsInt16 ? 1 : Math.max(max - min, 1e-12) / 65535
  const offset = fitsInt16 ? 0 : min + 32768 * scale
  const out = new Int16Array(grid.data.length)
  for (let q = 0; q < out.length; q++) {
    const v = Math.round((grid.data[q] - offset) / scale)
    out[q] = v < -32768 ? -32768 : v > 32767 ? 32767 : v
  }
  return {
    dims: [...grid.dims],
    affine: Array.from(grid.affine),
    factor: f,
    valueType: 'int16',
    scale,
    offset,
    data: new Uint8Array(out.buffer),
  }
}
