/**
 * Binary STL writer for a set of named, coloured meshes (all triangles in one solid).
 * Units: millimetres, world RAS, as the meshes are. Colours use the VisCAM/SolidView convention
 * (per-facet attribute: bit 15 = 0 means "colour valid", R in bits 0–4, G 5–9, B 10–14).
 */
import type { NamedMesh } from '../types.ts'
import { MeshInputError } from '../types.ts'

function stlColour(c: NamedMesh['color']): number {
  if (!c) return 0x8000 // bit 15 set: no per-facet colour
  const q = (x: number): number => Math.max(0, Math.min(31, Math.round(x * 31)))
  return q(c[0]) | (q(c[1]) << 5) | (q(c[2]) << 10)
}

/** Encode meshes as one binary STL (80-byte header naming the parts, uint32 count, 50 bytes per triangle). */
export function writeStl(meshes: NamedMesh[], header = 'fastsam-xr'): Uint8Array {
  let total = 0
  for (const m of meshes) {
    if (m.mesh.indices.length % 3 !== 0)
      throw new MeshInputError(`${m.name}: indices length is not a multiple of 3`)
    total += m.mesh.indices.length / 3
  }
  const out = new Uint8Array(84 + 50 * total)
  const dv = new DataView(out.buffer)
  // Header: ASCII only, must not start with "solid" (readers would take it for ASCII STL).
  const text = `${header} RAS mm: ${meshes.map((m) => m.name).join(', ')}`
    .replace(/[^\x20-\x7e]/g, '?')
    .replace(/^solid/i, 'Solid_')
  for (let i = 0; i < Math.min(80, text.length); i++) out[i] = text.charCodeAt(i)
  dv.setUint32(80, total, true)
  let o = 84
  for (const { mesh, color } of meshes) {
    const p = mesh.positions
    const ix = mesh.indices
    const attr = stlColour(color)
    for (let t = 0; t < ix.length; t += 3) {
      const a = 3 * ix[t],
        b = 3 * ix[t + 1],
        c = 3 * ix[t + 2]
      if (c + 2 >= p.length || a + 2 >= p.length || b + 2 >= p.length)
        throw new MeshInputError('index out of range')
      const ux = p[b] - p[a],
        uy = p[b + 1] - p[a + 1],
        uz = p[b + 2] - p[a + 2]
      const vx = p[c] - p[a],
        vy = p[c + 1] - p[a + 1],
        vz = p[c + 2] - p[a + 2]
      let nx = uy * vz - uz * vy,
        ny = uz * vx - ux * vz,
        nz = ux * vy - uy * vx
      const l = Math.sqrt(nx * nx + ny * ny + nz * nz)
      if (l > 0) {
        nx /= l
        ny /= l
        nz /= l
      }
      dv.setFloat32(o, nx, true)
      dv.setFloat32(o + 4, ny, true)
      dv.setFloat32(o + 8, nz, true)
      for (const [q, v] of [
        [12, a],
        [24, b],
        [36, c],
      ] as const) {
        dv.setFloat32(o + q, p[v], true)
        dv.setFloat32(o + q + 4, p[v + 1], true)
        dv.setFloat32(o + q + 8, p[v + 2], true)
      }
      dv.setUint16(o + 48, attr, true)
      o += 50
    }
  }
  return out
}
