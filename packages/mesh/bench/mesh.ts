/**
 * `npm run bench -- mesh [runs]`: meshing speed and wire size against vtk.js ImageMarchingCubes, same
 * inputs, same run. Prints one JSON document. Cases:
 *  (a) liver mask, 128³ crop of the example CT label resampled (nearest) to 1.5 mm — the decoder crop;
 *  (b) liver label of the example CT at full resolution (122×101×112, 3 mm);
 *  (c) CT bone isosurface (250 HU) of the example CT at full resolution (+ our 2× / 4× LODs).
 * Times are medians over several runs after warm-up (the CPU is shared).
 */
import vtkDataArray from '@kitware/vtk.js/Common/Core/DataArray.js'
import vtkImageData from '@kitware/vtk.js/Common/DataModel/ImageData.js'
import vtkImageMarchingCubes from '@kitware/vtk.js/Filters/General/ImageMarchingCubes.js'
import { sharedData } from '@fastsam-xr/test/paths'
import { cpus } from 'node:os'
import {
  decodeMesh,
  encodeMaskMesh,
  encodeMesh,
  isosurface,
  maskToMesh,
  meshReady,
  meshVolumeMl,
  simplify,
  voxelVolumeMl,
  type Mesh,
  type Vec3,
} from '../src/index.ts'
import { cropBox, readNiftiForTests, resampleLabelNearest } from '../test/readNiftiForTests.ts'
import { surfaceNets } from './surfaceNets.ts'
import { startBrowserDecoder } from '../test/browserHarness.ts'

/** Undirected edges not shared by exactly two triangles (0 for a closed 2-manifold). */
function nonManifoldEdges(indices: Uint32Array): number {
  const count = new Map<number, number>()
  for (let t = 0; t < indices.length; t += 3)
    for (let e = 0; e < 3; e++) {
      const a = indices[t + e]
      const b = indices[t + ((e + 1) % 3)]
      const key = a < b ? a * 4294967296 + b : b * 4294967296 + a
      count.set(key, (count.get(key) ?? 0) + 1)
    }
  let bad = 0
  for (const n of count.values()) if (n !== 2) bad++
  return bad
}

/** The measured alternative: surface nets (fewer triangles, but not manifold on ambiguous faces). */
function surfaceNetsStats(mask: Uint8Array, dims: Vec3, n: number): Record<string, number> {
  const sn = time(() => surfaceNets(mask, dims), n, 1)
  return {
    surfaceNetsMs: +sn.ms.toFixed(2),
    surfaceNetsTriangles: sn.result.indices.length / 3,
    surfaceNetsNonManifoldEdges: nonManifoldEdges(sn.result.indices),
  }
}

const runs = Number(process.argv[2] ?? 15)

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

function time<T>(fn: () => T, n: number, warm = 5): { ms: number; minMs: number; result: T } {
  let result = fn()
  for (let i = 1; i < warm; i++) result = fn()
  const ts: number[] = []
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    result = fn()
    ts.push(performance.now() - t0)
  }
  return { ms: median(ts), minMs: Math.min(...ts), result }
}

interface VtkOut {
  triangles: number
  points: number
}

/** vtk.js ImageMarchingCubes on the same grid (axis-aligned spacing/origin), shared points + normals like ours. */
function vtkMarch(
  values: ArrayLike<number> & { constructor: unknown },
  dims: Vec3,
  affine: Float64Array,
  level: number,
  computeNormals = true,
): VtkOut {
  const image = vtkImageData.newInstance()
  image.setDimensions([dims[0], dims[1], dims[2]])
  image.setSpacing([Math.abs(affine[0]), Math.abs(affine[5]), Math.abs(affine[10])])
  image.setOrigin([affine[3], affine[7], affine[11]])
  image
    .getPointData()
    .setScalars(vtkDataArray.newInstance({ numberOfComponents: 1, values: values as never }))
  // vtk.js prints console.time lines on stdout; keep stdout one JSON document.
  const { time: t, timeEnd: te } = console
  console.time = console.timeEnd = () => {}
  const mc = vtkImageMarchingCubes.newInstance({
    contourValue: level,
    computeNormals,
    mergePoints: true,
  })
  mc.setInputData(image)
  const out = mc.getOutputData()
  console.time = t
  console.timeEnd = te
  return { triangles: out.getPolys().getNumberOfCells(), points: out.getPoints().getNumberOfPoints() }
}

/** The mask kind of the wire format: the mask travels, the receiver re-meshes it (same output). */
function maskWireStats(
  mesh: Mesh,
  mask: Uint8Array,
  dims: Vec3,
  affine: Float64Array,
  label?: number,
): Record<string, number> {
  const raw = mesh.positions.byteLength + mesh.indices.byteLength
  const enc = time(() => encodeMaskMesh(mask, dims, affine, { label }), 5, 1)
  const dec = time(() => decodeMesh(enc.result), 9, 2)
  return {
    maskKindEncodedBytes: enc.result.length,
    rawOverMaskKindEncoded: +(raw / enc.result.length).toFixed(1),
    maskKindEncodeMs: +enc.ms.toFixed(2),
    maskKindDecodeMs: +dec.ms.toFixed(2),
  }
}

/** Decode time in headless Chromium (the browser bundle of `@fastsam-xr/mesh/wire`), both kinds. */
async function browserDecodeStats(buffers: Uint8Array[]): Promise<Record<string, number | string>> {
  try {
    const dec = await startBrowserDecoder()
    try {
      const r = await dec.decode(buffers, 9)
      return { chromiumDecodeMeshKindMs: +r.ms[0].toFixed(2), chromiumDecodeMaskKindMs: +r.ms[1].toFixed(2) }
    } finally {
      await dec.close()
    }
  } catch (e) {
    return { chromiumDecode: `unavailable: ${(e as Error).message.split('\n')[0]}` }
  }
}

function wireStats(mesh: Mesh, keepManifold = true): Record<string, number> {
  const raw = mesh.positions.byteLength + mesh.indices.byteLength
  const enc = time(() => encodeMesh(mesh), 5, 1)
  const dec = time(() => decodeMesh(enc.result), 9, 2)
  const light = simplify(mesh, { targetTriangles: 0, maxErrorMm: 0.5, keepManifold })
  const lightBytes = encodeMesh(light.mesh).length
  return {
    rawFloat32Uint32Bytes: raw,
    encodedBytes: enc.result.length,
    rawOverEncoded: +(raw / enc.result.length).toFixed(1),
    encodeMs: +enc.ms.toFixed(2),
    decodeMs: +dec.ms.toFixed(2),
    simplified05mmTriangles: light.mesh.indices.length / 3,
    simplified05mmErrorMm: +light.errorMm.toFixed(3),
    simplified05mmEncodedBytes: lightBytes,
    rawOverSimplified05mmEncoded: +(raw / lightBytes).toFixed(1),
  }
}

async function main(): Promise<void> {
  await meshReady
  const dir = ['volumes', 'totalsegmentator']
  const seg = readNiftiForTests(sharedData(...dir, 'example_ct_seg.nii.gz'))
  const ct = readNiftiForTests(sharedData(...dir, 'example_ct_img.nii.gz'))
  const LIVER = 5
  const results: Record<string, unknown>[] = []

  // (a) 128³ liver crop at 1.5 mm.
  const fine = resampleLabelNearest(seg, 1.5)
  const lo = [Infinity, Infinity, Infinity]
  const hi = [-Infinity, -Infinity, -Infinity]
  for (let k = 0; k < fine.dims[2]; k++)
    for (let j = 0; j < fine.dims[1]; j++)
      for (let i = 0; i < fine.dims[0]; i++)
        if (fine.data[i + fine.dims[0] * (j + fine.dims[1] * k)] === LIVER)
          [i, j, k].forEach((x, d) => ((lo[d] = Math.min(lo[d], x)), (hi[d] = Math.max(hi[d], x))))
  const origin = [0, 1, 2].map((d) => Math.round((lo[d] + hi[d]) / 2) - 64) as Vec3
  const crop = cropBox(fine, origin, [128, 128, 128])
  const cropMask = new Uint8Array(crop.data.length)
  for (let i = 0; i < cropMask.length; i++) cropMask[i] = crop.data[i] === LIVER ? 1 : 0
  {
    const ours = time(() => maskToMesh(cropMask, crop.dims, crop.affine), runs)
    const oursNoNormals = time(() => maskToMesh(cropMask, crop.dims, crop.affine, { normals: false }), runs)
    // Incremental question: re-meshing the 128³ crop inside the whole 1.5 mm volume (region option).
    const fullMask = new Uint8Array(fine.data.length)
    for (let i = 0; i < fullMask.length; i++) fullMask[i] = fine.data[i] === LIVER ? 1 : 0
    const region = {
      origin: origin.map((x) => Math.max(0, x)) as Vec3,
      size: [0, 1, 2].map((d) => Math.min(128, fine.dims[d] - Math.max(0, origin[d]))) as Vec3,
    }
    const inPlace = time(() => maskToMesh(fullMask, fine.dims, fine.affine, { region }), runs)
    const wholeVolume = time(
      () => maskToMesh(fullMask, fine.dims, fine.affine),
      Math.max(3, Math.ceil(runs / 3)),
    )
    const vtk = time(
      () => vtkMarch(cropMask, crop.dims, crop.affine, 0.5),
      Math.max(3, Math.ceil(runs / 3)),
      1,
    )
    const vtkNoNormals = time(
      () => vtkMarch(cropMask, crop.dims, crop.affine, 0.5, false),
      Math.max(3, Math.ceil(runs / 3)),
      1,
    )
    const m = ours.result
    results.push({
      case: 'a: liver mask, 128³ crop at 1.5 mm (nearest-neighbour resampled label)',
      dims: crop.dims,
      oursMs: +ours.ms.toFixed(2),
      oursMinMs: +ours.minMs.toFixed(2),
      oursNoNormalsMs: +oursNoNormals.ms.toFixed(2),
      oursNoNormalsMinMs: +oursNoNormals.minMs.toFixed(2),
      oursRegionOfFullVolumeMs: +inPlace.ms.toFixed(2),
      oursWholeFullVolumeMs: +wholeVolume.ms.toFixed(2),
      fullVolumeDims: fine.dims,
      vtkMs: +vtk.ms.toFixed(2),
      speedupVsVtk: +(vtk.ms / ours.ms).toFixed(1),
      vtkNoNormalsMs: +vtkNoNormals.ms.toFixed(2),
      speedupVsVtkNoNormals: +(vtkNoNormals.ms / oursNoNormals.ms).toFixed(1),
      triangles: m.indices.length / 3,
      vertices: m.positions.length / 3,
      vtkTriangles: vtk.result.triangles,
      vtkPoints: vtk.result.points,
      meshVolumeMl: +meshVolumeMl(m).toFixed(2),
      voxelVolumeMl: +voxelVolumeMl(cropMask, crop.dims, crop.affine).toFixed(2),
      nonManifoldEdges: nonManifoldEdges(m.indices),
      ...surfaceNetsStats(cropMask, crop.dims, 5),
      ...wireStats(m),
      ...maskWireStats(m, cropMask, crop.dims, crop.affine),
      ...(await browserDecodeStats([encodeMesh(m), encodeMaskMesh(cropMask, crop.dims, crop.affine)])),
    })
  }

  // (b) full-resolution liver label.
  {
    const seg8 = seg.data as Uint8Array
    const binary = new Uint8Array(seg8.length)
    for (let i = 0; i < binary.length; i++) binary[i] = seg8[i] === LIVER ? 1 : 0
    const ours = time(() => maskToMesh(seg8, seg.dims, seg.affine, { label: LIVER }), runs)
    const vtk = time(() => vtkMarch(binary, seg.dims, seg.affine, 0.5), Math.max(3, Math.ceil(runs / 3)), 1)
    const m = ours.result
    results.push({
      case: 'b: liver label, full resolution 122×101×112 at 3 mm',
      dims: seg.dims,
      oursMs: +ours.ms.toFixed(2),
      vtkMs: +vtk.ms.toFixed(2),
      speedupVsVtk: +(vtk.ms / ours.ms).toFixed(1),
      triangles: m.indices.length / 3,
      vertices: m.positions.length / 3,
      vtkTriangles: vtk.result.triangles,
      vtkPoints: vtk.result.points,
      meshVolumeMl: +meshVolumeMl(m).toFixed(2),
      voxelVolumeMl: +voxelVolumeMl(seg8, seg.dims, seg.affine, LIVER).toFixed(2),
      nonManifoldEdges: nonManifoldEdges(m.indices),
      ...surfaceNetsStats(binary, seg.dims, 5),
      ...wireStats(m),
      ...maskWireStats(m, seg8, seg.dims, seg.affine, LIVER),
    })
  }

  // (c) CT bone isosurface.
  {
    const HU = 250
    const ours = time(() => isosurface(ct, HU), Math.max(5, Math.ceil(runs / 2)))
    const lod2 = time(() => isosurface(ct, HU, { downsample: 2 }), Math.max(5, Math.ceil(runs / 2)))
    const lod4 = time(() => isosurface(ct, HU, { downsample: 4 }), Math.max(5, Math.ceil(runs / 2)))
    const vtk = time(() => vtkMarch(ct.data, ct.dims, ct.affine, HU), Math.max(3, Math.ceil(runs / 3)), 1)
    const m = ours.result
    results.push({
      case: `c: CT isosurface at ${HU} HU (bone), full resolution 122×101×112 at 3 mm`,
      dims: ct.dims,
      oursMs: +ours.ms.toFixed(2),
      vtkMs: +vtk.ms.toFixed(2),
      speedupVsVtk: +(vtk.ms / ours.ms).toFixed(1),
      triangles: m.indices.length / 3,
      vertices: m.positions.length / 3,
      vtkTriangles: vtk.result.triangles,
      vtkPoints: vtk.result.points,
      lod2: { ms: +lod2.ms.toFixed(2), triangles: lod2.result.indices.length / 3 },
      lod4: { ms: +lod4.ms.toFixed(2), triangles: lod4.result.indices.length / 3 },
      ...wireStats(m, false),
    })
  }

  console.log(
    JSON.stringify(
      {
        suite: 'mesh',
        peer: '@kitware/vtk.js ImageMarchingCubes (mergePoints + computeNormals), same inputs, same process',
        ours: '@fastsam-xr/mesh marchingCubes (+ world affine, smooth normals)',
        node: process.version,
        cpu: cpus()[0]?.model,
        runs,
        timing: 'median ms after warm-up; speedupVsVtk = vtkMs / oursMs',
        targets: { speedupVsVtkAB: '>= 3', caseAMs: '< 10', rawOverEncoded: '>= 20' },
        results,
      },
      null,
      2,
    ),
  )
}

await main()
