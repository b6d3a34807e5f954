/**
 * glTF 2.0 binary (.glb) writer for a set of named, coloured meshes: one node + mesh + material per
 * part, float32 POSITION/NORMAL, uint32 (or uint16) indices.
 *
 * Vertex data stay in world RAS millimetres; a root node "RAS_mm_to_glTF" carries the one matrix
 * that turns them into glTF's frame (metres, +Y up = Superior, +Z front = Anterior, −X right =
 * patient Right), so any glTF viewer shows the patient upright and the RAS numbers survive unchanged.
 */
import { computeNormals } from '../normals.ts'
import { MeshInputError, type NamedMesh } from '../types.ts'

/** Column-major (glTF) matrix: (x, y, z)_RAS mm → (−x, z, y) · 0.001 m. Determinant +1e-9: no mirroring. */
export const RAS_MM_TO_GLTF: readonly number[] = [-0.001, 0, 0, 0, 0, 0, 0.001, 0, 0, 0.001, 0, 0, 0, 0, 0, 1]

const pad4 = (n: number): number => (n + 3) & ~3

export function writeGlb(meshes: NamedMesh[]): Uint8Array {
  const bufferViews: object[] = []
  const accessors: object[] = []
  const gltfMeshes: object[] = []
  const materials: object[] = []
  const nodes: object[] = [{ name: 'RAS_mm_to_glTF', matrix: [...RAS_MM_TO_GLTF], children: [] as number[] }]
  const chunks: Uint8Array[] = []
  let offset = 0
  const addView = (bytes: Uint8Array, target: number): number => {
    bufferViews.push({ buffer: 0, byteOffset: offset, byteLength: bytes.length, target })
    chunks.push(bytes)
    const padded = pad4(bytes.length)
    if (padded > bytes.length) chunks.push(new Uint8Array(padded - bytes.length))
    offset += padded
    return bufferViews.length - 1
  }
  for (const { name, mesh, color } of meshes) {
    const p = mesh.positions
    const n = p.length / 3
    if (!Number.isInteger(n) || mesh.indices.length % 3 !== 0)
      throw new MeshInputError(`${name}: bad array lengths`)
    for (let i = 0; i < mesh.indices.length; i++)
      if (mesh.indices[i] >= n) throw new MeshInputError(`${name}: index out of range`)
    const normals = mesh.normals ?? computeNormals(p, mesh.indices)
    const min = [Infinity, Infinity, Infinity]
    const max = [-Infinity, -Infinity, -Infinity]
    for (let o = 0; o < p.length; o += 3)
      for (let d = 0; d < 3; d++) {
        min[d] = Math.min(min[d], p[o + d])
        max[d] = Math.max(max[d], p[o + d])
      }
    const posView = addView(new Uint8Array(p.buffer, p.byteOffset, p.byteLength).slice(), 34962)
    accessors.push({
      bufferView: posView,
      componentType: 5126,
      count: n,
      type: 'VEC3',
      min: n ? min : [0, 0, 0],
      max: n ? max : [0, 0, 0],
    })
    const posAcc = accessors.length - 1
    const nrmView = addView(
      new Uint8Array(normals.buffer, normals.byteOffset, normals.byteLength).slice(),
      34962,
    )
    accessors.push({ bufferView: nrmView, componentType: 5126, count: n, type: 'VEC3' })
    const nrmAcc = accessors.length - 1
    const small = n <= 65535
    const idx = small ? Uint16Array.from(mesh.indices) : mesh.indices
    const idxView = addView(new Uint8Array(idx.buffer, idx.byteOffset, idx.byteLength).slice(), 34963)
    accessors.push({
      bufferView: idxView,
      componentType: small ? 5123 : 5125,
      count: mesh.indices.length,
      type: 'SCALAR',
    })
    const idxAcc = accessors.length - 1
    const rgba = color ? [color[0], color[1], color[2], color[3] ?? 1] : [0.8, 0.8, 0.8, 1]
    materials.push({
      name,
      pbrMetallicRoughness: { baseColorFactor: rgba, metallicFactor: 0, roughnessFactor: 0.6 },
      ...(rgba[3] < 1 ? { alphaMode: 'BLEND' } : {}),
      doubleSided: false,
    })
    gltfMeshes.push({
      name,
      primitives: [
        {
          attributes: { POSITION: posAcc, NORMAL: nrmAcc },
          indices: idxAcc,
          material: materials.length - 1,
          mode: 4,
        },
      ],
    })
    nodes.push({ name, mesh: gltfMeshes.length - 1 })
    ;(nodes[0] as { children: number[] }).children.push(nodes.length - 1)
  }
  const json = {
    asset: { version: '2.0', generator: 'fastsam-xr @fastsam-xr/mesh' },
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes,
    meshes: gltfMeshes,
    materials,
    accessors,
    bufferViews,
    buffers: [{ byteLength: offset }],
  }
  if (meshes.length === 0) {
    delete (json as Partial<typeof json>).meshes
    delete (json as Partial<typeof json>).materials
    delete (json as Partial<typeof json>).accessors
    delete (json as Partial<typeof json>).bufferViews
    delete (json as Partial<typeof json>).buffers
  }
  let jsonBytes = new TextEncoder().encode(JSON.stringify(json))
  const jsonPadded = new Uint8Array(pad4(jsonBytes.length)).fill(0x20)
  jsonPadded.set(jsonBytes)
  jsonBytes = jsonPadded
  const binLength = meshes.length === 0 ? 0 : offset
  const total = 12 + 8 + jsonBytes.length + (binLength > 0 ? 8 + binLength : 0)
  const out = new Uint8Array(total)
  const dv = new DataView(out.buffer)
  dv.setUint32(0, 0x46546c67, true) // "glTF"
  dv.setUint32(4, 2, true)
  dv.setUint32(8, total, true)
  dv.setUint32(12, jsonBytes.length, true)
  dv.setUint32(16, 0x4e4f534a, true) // "JSON"
  out.set(jsonBytes, 20)
  if (binLength > 0) {
    let o = 20 + jsonBytes.length
    dv.setUint32(o, binLength, true)
    dv.setUint32(o + 4, 0x004e4942, true) // "BIN\0"
    o += 8
    for (const c of chunks) {
      out.set(c, o)
      o += c.length
    }
  }
  return out
}
