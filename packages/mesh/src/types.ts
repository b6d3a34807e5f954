/**
 * Shared mesh types. Positions are world RAS millimetres unless a function says otherwise.
 */

/** Affine: 4×4 row-major (element (r, c) is `m[4 * r + c]`), voxel (i, j, k, 1) → world RAS mm. */
export type { Affine, Vec3 } from '@fastsam-xr/geometry'

/**
 * An indexed triangle mesh. `positions` is xyz per vertex (length 3·V), `indices` three per triangle
 * (length 3·T), counter-clockwise seen from outside (normal = (b − a) × (c − a) points outward).
 * `normals` (3·V, unit length) are optional.
 */
export interface Mesh {
  positions: Float32Array
  indices: Uint32Array
  normals?: Float32Array
}

/** A mesh with a display name and an RGBA colour (components 0..1), for exporters and scenes. */
export interface NamedMesh {
  name: string
  mesh: Mesh
  color?: [number, number, number] | [number, number, number, number]
}

/** Bad arguments to a mesh function (wrong sizes, bad affine, out-of-range region…). */
export class MeshInputError extends Error {
  override name = 'MeshInputError'
}

export function vertexCount(mesh: Mesh): number {
  return mesh.positions.length / 3
}

export function triangleCount(mesh: Mesh): number {
  return mesh.indices.length / 3
}
