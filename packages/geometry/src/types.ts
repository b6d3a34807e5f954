/** World points are RAS millimetres; voxel indices are (i, j, k) with i fastest in memory. */
export type Vec3 = [number, number, number]

/** A row-major 4×4 matrix as built by this project (element (r, c) is `m[4 * r + c]`). */
export type Mat4 = Float64Array

/** Any 16 numbers read as a row-major 4×4 matrix (a `Mat4`, a plain array, a wire header's affine). */
export type Affine = ArrayLike<number>

/** A box of voxels: `origin` (inclusive) and `size` per axis. */
export interface VoxelBox {
  origin: Vec3
  size: Vec3
}

/** A geometric input that cannot be used (a singular affine, a box outside its grid, a length mismatch). */
export class GeometryError extends Error {
  override name = 'GeometryError'
}
