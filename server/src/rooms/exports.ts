/**
 * A room's segments as files: a NIfTI label map on the case's own grid (uint8, each segment's
 * `label` value; a later segment wins where two overlap) and meshes (binary STL, GLB) built from
 * the same masks with the mesh package.
 */
import { gzipSync } from 'fflate'
import { maskToMesh, meshReady, writeGlb, writeStl, type NamedMesh } from '@fastsam-xr/mesh'
import { encodeNifti } from '@fastsam-xr/volume'
import type { Room } from './rooms.ts'

export type ExportFormat = 'labels.nii.gz' | 'segments.stl' | 'segments.glb'
export const EXPORT_FORMATS: readonly ExportFormat[] = ['labels.nii.gz', 'segments.stl', 'segments.glb']

export function labelMap(room: Room): Uint8Array {
  const { dims } = room.loaded.volume
  const out = new Uint8Array(dims[0] * dims[1] * dims[2])
  for (const s of room.segments.values()) {
    const mask = s.state.mask
    if (!mask) continue
    const label = s.info.label
    for (let q = 0; q < mask.length; q++) if (mask[q]) out[q] = label
  }
  return out
}

function hexColor(hex: string): [number, number, number] {
  return [1, 3, 5].map((o) => parseInt(hex.slice(o, o + 2), 16) / 255) as [number, number, number]
}

function namedMeshes(room: Room): NamedMesh[] {
  const { dims, affine } = room.loaded.volume
  const meshes: NamedMesh[] = []
  for (const s of room.segments.values()) {
    if (!s.state.mask || !s.box) continue
    meshes.push({
      name: s.info.name,
      color: hexColor(s.info.color),
      mesh: maskToMesh(s.state.mask, dims, affine, { region: s.box, normals: true }),
    })
  }
  return meshes
}

export async function exportRoom(
  room: Room,
  format: ExportFormat,
): Promise<{ body: Uint8Array; contentType: string }> {
  const { volume } = room.loaded
  switch (format) {
    case 'labels.nii.gz': {
      const nifti = encodeNifti(
        {
          data: labelMap(room),
          dims: volume.dims,
          affine: volume.affine,
          dtype: 'uint8',
          meta: { modality: 'SEG' },
        },
        'fastsam-xr label map',
      )
      return { body: gzipSync(nifti, { level: 6 }), contentType: 'application/gzip' }
    }
    case 'segments.stl':
      return { body: writeStl(namedMeshes(room)), contentType: 'model/stl' }
    case 'segments.glb':
      await meshReady
      return { body: writeGlb(namedMeshes(room)), contentType: 'model/gltf-binary' }
  }
}
