/**
 * `npm run bench -- volume [runs]`: load + resample (1.5 mm, trilinear) + crop times against
 * nibabel + scipy (`scipy.ndimage.zoom`, order 1) doing the same in the same run, 1 thread each.
 * Prints one JSON document. Cases:
 *  (a) the example CT (122×101×112, 3 mm, int16 .nii.gz) — an upsampling to 244×202×224;
 *  (b) a synthetic 512×512×300 int16 CT-like volume (0.8×0.8×1 mm, written once to a tmp .nii.gz) —
 *      a downsampling to 274×274×200.
 * "crop" = RAS+ reorientation + 128³ crop/pad + z-normalisation of the resampled volume (the peer does
 * nib.as_closest_canonical + slicing + numpy z-norm). `prepareModelCrop` is our app path, which samples
 * only the 128³ window straight from the source (no whole-volume resample); it is compared with the
 * peer's resample + crop. Times are medians over `runs` runs after a warm-up.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot, sharedData } from '@fastsam-xr/test/paths'
import {
  applyAffine,
  canonicalResampledGrid,
  canonicalWindow,
  invert4,
  prepareModelCrop,
  readVolume,
  resample,
  writeNifti,
  zNormalise,
  type Vec3,
} from '../src/index.ts'

const runs = Number(process.argv[2] ?? 3)

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

async function timeMs<T>(f: () => T | Promise<T>): Promise<{ ms: number; result: T }> {
  const t0 = performance.now()
  const result = await f()
  return { ms: performance.now() - t0, result }
}

/** A CT-like int16 volume: air, an elliptic body of soft tissue with texture, a spine-like bone. */
async function syntheticPath(): Promise<string> {
  const dir = join(tmpdir(), 'fastsam-xr-bench')
  mkdirSync(dir, { recursive: true })
  const path = join(dir, 'synthetic_512x512x300_int16.nii.gz')
  if (existsSync(path)) return path
  const [nx, ny, nz] = [512, 512, 300]
  const data = new Int16Array(nx * ny * nz)
  let q = 0
  let h = 12345
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, q++) {
        const x = (i - 256) / 200
        const y = (j - 256) / 150
        h = (h * 1103515245 + 12345) & 0x7fffffff
        const noise = ((h >> 16) & 31) - 16
        if (x * x + y * y > 1) data[q] = -1000 + (noise >> 2)
        else if ((i - 256) ** 2 + (j - 330) ** 2 < 900) data[q] = 700 + noise * 4
        else data[q] = 40 + noise + Math.round(20 * Math.sin(i / 9) * Math.cos(k / 13))
      }
  const affine = Float64Array.from([-0.8, 0, 0, 204.4, 0, -0.8, 0, 204.4, 0, 0, 1, -150, 0, 0, 0, 1])
  await writeNifti({ data, dims: [nx, ny, nz], affine, dtype: 'int16', meta: {} }, path)
  return path
}

const PEER = String.raw`
import json, sys, time
import numpy as np, nibabel as nib, scipy
from scipy import ndimage
path, runs, cx, cy, cz = sys.argv[1], int(sys.argv[2]), *map(float, sys.argv[3:6])
def one():
    t0 = time.perf_counter()
    img = nib.load(path); data = np.asanyarray(img.dataobj); aff = img.affine
    t1 = time.perf_counter()
    old = np.sqrt((aff[:3, :3] ** 2).sum(axis=0))
    res = ndimage.zoom(data.astype(np.float32), old / 1.5, order=1)
    res_aff = aff.copy(); res_aff[:3, :3] = aff[:3, :3] * (1.5 / old)
    t2 = time.perf_counter()
    can = nib.as_closest_canonical(nib.Nifti1Image(res, res_aff))
    arr = np.asanyarray(can.dataobj)
    idx = np.floor(np.linalg.solve(can.affine, [cx, cy, cz, 1])[:3] + 0.5).astype(int) - 64
    out = np.zeros((128, 128, 128), np.float32)
    lo = np.maximum(idx, 0); hi = np.minimum(idx + 128, arr.shape)
    out[tuple(slice(l - i, h - i) for l, h, i in zip(lo, hi, idx))] = arr[tuple(slice(l, h) for l, h in zip(lo, hi))]
    fg = out[out > 0]; out = (out - fg.mean()) / fg.std(ddof=1)
    t3 = time.perf_counter()
    return (t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3, list(res.shape)
one()
r = [one() for _ in range(runs)]
med = lambda xs: float(np.median(xs))
print(json.dumps({'loadMs': med([x[0] for x in r]), 'resampleMs': med([x[1] for x in r]), 'cropMs': med([x[2] for x in r]),
                  'resampledShape': r[0][3], 'versions': {'nibabel': nib.__version__, 'scipy': scipy.__version__, 'numpy': np.__version__}}))
`

function peer(path: string, centre: Vec3) {
  const r = spawnSync(
    process.execPath,
    [join(repoRoot, 'scripts', 'run-python.mjs'), '-c', PEER, path, String(runs), ...centre.map(String)],
    {
      cwd: repoRoot,
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    },
  )
  if (r.status !== 0) throw new Error(`peer failed: ${r.stderr}`)
  return JSON.parse(r.stdout) as {
    loadMs: number
    resampleMs: number
    cropMs: number
    resampledShape: number[]
    versions: Record<string, string>
  }
}

async function ours(path: string, centre: Vec3) {
  const one = async () => {
    const load = await timeMs(() => readVolume(path))
    const res = await timeMs(() => resample(load.result, 1.5, 'linear'))
    const crop = await timeMs(() => {
      // RAS+ window around the voxel nearest the centre (index 64), then z-norm: like the peer's
      // as_closest_canonical view + slicing, we read through the axis flips instead of copying.
      const { canonical } = canonicalResampledGrid(load.result, 1.5)
      const idx = applyAffine(invert4(canonical.affine), centre)
      const start = idx.map((x) => Math.floor(x + 0.5) - 64) as Vec3
      const input = canonicalWindow(res.result, start, 128)
      return zNormalise(input)
    })
    const windowed = await timeMs(() => prepareModelCrop(load.result, centre))
    return {
      load: load.ms,
      resample: res.ms,
      crop: crop.ms,
      window: windowed.ms,
      shape: res.result.dims,
      src: load.result,
    }
  }
  await one() // warm-up (JIT)
  const r = []
  for (let q = 0; q < runs; q++) r.push(await one())
  return {
    loadMs: median(r.map((x) => x.load)),
    resampleMs: median(r.map((x) => x.resample)),
    cropMs: median(r.map((x) => x.crop)),
    prepareModelCropMs: median(r.map((x) => x.window)),
    resampledShape: r[0].shape,
    source: r[0].src,
  }
}

const round = (x: number, d = 1) => Number(x.toFixed(d))

async function benchCase(path: string) {
  const probe = await readVolume(path)
  const centre = applyAffine(probe.affine, [
    probe.dims[0] / 2 + 0.3,
    probe.dims[1] / 2 + 0.3,
    probe.dims[2] / 2 + 0.3,
  ])
  const a = await ours(path, centre)
  const p = peer(path, centre)
  const oursTotal = a.loadMs + a.resampleMs + a.cropMs
  const peerTotal = p.loadMs + p.resampleMs + p.cropMs
  return {
    shape: a.source.dims,
    resampledShape: { ours: a.resampledShape, peer: p.resampledShape },
    oursMs: {
      load: round(a.loadMs),
      resample: round(a.resampleMs),
      crop: round(a.cropMs),
      total: round(oursTotal),
      prepareModelCrop: round(a.prepareModelCropMs),
    },
    peerMs: {
      load: round(p.loadMs),
      resample: round(p.resampleMs),
      crop: round(p.cropMs),
      total: round(peerTotal),
    },
    ratios: {
      load: round(p.loadMs / a.loadMs, 2),
      resample: round(p.resampleMs / a.resampleMs, 2),
      crop: round(p.cropMs / a.cropMs, 2),
      total: round(peerTotal / oursTotal, 2),
      prepareModelCropVsPeerResamplePlusCrop: round((p.resampleMs + p.cropMs) / a.prepareModelCropMs, 2),
      appPathVsPeerTotal: round(peerTotal / (a.loadMs + a.prepareModelCropMs), 2),
    },
    peerVersions: p.versions,
  }
}

const loadBefore = loadavg()[0]
const exampleCt = await benchCase(sharedData('volumes', 'totalsegmentator', 'example_ct_img.nii.gz'))
const synthetic = await benchCase(await syntheticPath())
process.stdout.write(
  JSON.stringify(
    {
      suite: 'volume',
      peer: 'nibabel load + scipy.ndimage.zoom(order=1) + nib.as_closest_canonical + numpy crop/z-norm, 1 thread, same run',
      ratio: 'peer time / our time (> 1: we are faster)',
      runs,
      node: process.version,
      // The CPU is shared: a load average above the core count means the times are inflated (both sides).
      loadAverage1m: { before: round(loadBefore, 2), after: round(loadavg()[0], 2) },
      cases: { exampleCt, synthetic512x512x300: synthetic },
    },
    null,
    2,
  ) + '\n',
)
