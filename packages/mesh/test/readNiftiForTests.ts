/**
 * Minimal NIfTI-1 reader for this package's tests and benchmark only (gzip, little-endian, sform or
 * pixdim affine, uint8/int16/float32). The real reader belongs to @fastsam-xr/volume.
 */
import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import type { Vec3 } from '../src/types.ts'

export interface TestVolume {
  data: Uint8Array | Int16Array | Float32Array
  dims: Vec3
  affine: Float64Array
}

export function readNiftiForTests(path: string): TestVolume {
  const raw = gunzipSync(readFileSync(path))
  const buf = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)
  const dv = new DataView(buf)
  if (dv.getInt32(0, true) !== 348) throw new Error(`${path}: not a little-endian NIfTI-1 file`)
  const dims: Vec3 = [dv.getInt16(42, true), dv.getInt16(44, true), dv.getInt16(46, true)]
  const datatype = dv.getInt16(70, true)
  const voxOffset = dv.getFloat32(108, true)
  const slope = dv.getFloat32(112, true)
  const inter = dv.getFloat32(116, true)
  const sform = dv.getInt16(254, true)
  const affine = new Float64Array(16)
  affine[15] = 1
  if (sform > 0) for (let q = 0; q < 12; q++) affine[q] = dv.getFloat32(280 + 4 * q, true)
  else for (let d = 0; d < 3; d++) affine[5 * d] = dv.getFloat32(80 + 4 * d, true)
  const n = dims[0] * dims[1] * dims[2]
  const body = buf.slice(voxOffset, voxOffset + n * ({ 2: 1, 4: 2, 16: 4 }[datatype] ?? 0))
  let data: Uint8Array | Int16Array | Float32Array
  if (datatype === 2) data = new Uint8Array(body)
  else if (datatype === 4) data = new Int16Array(body)
  else if (datatype === 16) data = new Float32Array(body)
  else throw new Error(`${path}: datatype ${datatype} not handled by the test reader`)
  if (slope !== 0 && (slope !== 1 || inter !== 0) && datatype !== 2) {
    const f = new Float32Array(n)
    for (let i = 0; i < n; i++) f[i] = data[i] * slope + inter
    data = f
  }
  return { data, dims, affine }
}

/** Nearest-neighbour resample of a label volume to isotropic `spacing` mm (axis-aligned affines only). */
export function resampleLabelNearest(v: TestVolume, spacing: number): TestVolume {
  const sx = v.affine[0],
    sy = v.affine[5],
    sz = v.affine[10]
  const f = [Math.abs(sx) / spacing, Math.abs(sy) / spacing, Math.abs(sz) / spacing]
  const dims: Vec3 = [
    Math.round(v.dims[0] * f[0]),
    Math.round(v.dims[1] * f[1]),
    Math.round(v.dims[2] * f[2]),
  ]
  const out = new Uint8Array(dims[0] * dims[1] * dims[2])
  const src = v.data
  for (let k = 0; k < dims[2]; k++) {
    const K = Math.min(v.dims[2] - 1, Math.round((k + 0.5) / f[2] - 0.5))
    for (let j = 0; j < dims[1]; j++) {
      const J = Math.min(v.dims[1] - 1, Math.round((j + 0.5) / f[1] - 0.5))
      for (let i = 0; i < dims[0]; i++) {
        const I = Math.min(v.dims[0] - 1, Math.round((i + 0.5) / f[0] - 0.5))
        out[i + dims[0] * (j + dims[1] * k)] = src[I + v.dims[0] * (J + v.dims[1] * K)]
      }
    }
  }
  // New voxel i sits at old index (i + 0.5)/f − 0.5.
  const a = v.affine
  const affine = new Float64Array(16)
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) affine[4 * r + c] = a[4 * r + c] / f[c]
    affine[4 * r + 3] =
      a[4 * r + 3] +
      a[4 * r] * (0.5 / f[0] - 0.5) +
      a[4 * r + 1] * (0.5 / f[1] - 0.5) +
      a[4 * r + 2] * (0.5 / f[2] - 0.5)
  }
  affine[15] = 1
  return { data: out, dims, affine }
}

/** Copy a box of a uint8 volume (box may extend past the volume: outside is 0); affine shifted to match. */
export function cropBox(v: TestVolume, origin: Vec3, size: Vec3): TestVolume {
  const out = new Uint8Array(size[0] * size[1] * size[2])
  for (let k = 0; k < size[2]; k++)
    for (let j = 0; j < size[1]; j++)
      for (let i = 0; i < size[0]; i++) {
        const I = origin[0] + i,
          J = origin[1] + j,
          K = origin[2] + k
        if (I < 0 || J < 0 || K < 0 || I >= v.dims[0] || J >= v.dims[1] || K >= v.dims[2]) continue
        out[i + size[0] * (j + size[1] * k)] = v.data[I + v.dims[0] * (J + v.dims[1] * K)]
      }
  const affine = Float64Array.from(v.affine)
  for (let r = 0; r < 3; r++)
    affine[4 * r + 3] +=
      v.affine[4 * r] * origin[0] + v.affine[4 * r + 1] * origin[1] + v.affine[4 * r + 2] * origin[2]
  return { data: out, dims: size, affine }
}
