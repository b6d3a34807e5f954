/** scipy's distance_transform_edt as the independent reference (Debian's /usr/bin/python3, one thread). */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const PYTHON = process.env.FASTSAM_PYTHON ?? '/usr/bin/python3'

const SCRIPT = `
import sys, numpy as np
from scipy import ndimage
src, dst, n0, n1, n2 = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
m = np.fromfile(src, dtype=np.uint8).reshape(n0, n1, n2)
# edt.edt(np.pad(m, 1), black_border=True) cropped back, as the official eval (spec 9.1)
d = ndimage.distance_transform_edt(np.pad(m, 1))[1:-1, 1:-1, 1:-1]
np.ascontiguousarray(d, dtype=np.float64).tofile(dst)
`

/** Distance of each voxel of a C-order (a0, a1, a2) mask to the nearest background or the outside. */
export function scipyEdtBlackBorder(mask: Uint8Array, dims: readonly [number, number, number]): Float64Array {
  const dir = mkdtempSync(join(tmpdir(), 'fastsam-edt-'))
  try {
    const src = join(dir, 'mask.u8')
    const dst = join(dir, 'dist.f64')
    writeFileSync(src, mask)
    const r = spawnSync(PYTHON, ['-c', SCRIPT, src, dst, ...dims.map(String)], {
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: '1' },
    })
    if (r.status !== 0) throw new Error(`scipy EDT failed (${r.status}): ${r.stderr}`)
    const buf = readFileSync(dst)
    return new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8).slice()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
