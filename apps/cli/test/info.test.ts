/** `fastsam-xr info` as a user runs it: a real process, real files, exit codes and stdout/stderr. */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { repoRoot, sharedData } from '@fastsam-xr/test/paths'
const fixtures = join(repoRoot, 'test', 'fixtures', 'volume')

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [join(repoRoot, 'apps', 'cli', 'bin', 'fastsam-xr.js'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('fastsam-xr info', () => {
  it('--json prints exactly one JSON object matching nibabel for a NIfTI file', () => {
    const rel = 'volumes/totalsegmentator/example_ct_img.nii.gz'
    const r = cli('info', sharedData(...rel.split('/')), '--json')
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    expect(r.stdout.trim().split('\n')).toHaveLength(1)
    const info = JSON.parse(r.stdout)
    const ref = JSON.parse(readFileSync(join(fixtures, 'nibabel.json'), 'utf8')).real[rel]
    expect(info.shape).toEqual(ref.shape)
    expect(info.affine).toEqual(ref.affine)
    expect(info.spacing).toEqual([3, 3, 3])
    expect(info.dtype).toBe('int16')
    expect([info.min, info.max]).toEqual([ref.min, ref.max])
    expect(info).toHaveProperty('modality')
  })

  it('--json on the DICOM folder: CT, RAS affine, HU range', () => {
    const r = cli('info', sharedData('dicom', 'totalsegmentator_example_ct_series'), '--json')
    expect(r.code).toBe(0)
    const info = JSON.parse(r.stdout)
    expect(info).toMatchObject({
      shape: [512, 512, 20],
      dtype: 'int16',
      modality: 'CT',
      min: -1024,
      max: 1839,
    })
    expect(info.affine[0]).toEqual([-0.9765625, 0, 0, 249.51171875])
    expect(info.spacing).toEqual([0.9765625, 0.9765625, 2])
  })

  it('prints a human summary without --json', () => {
    const r = cli('info', join(fixtures, 'mt1_qform_only.nii.gz'))
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/shape\s+40 × 40 × 5/)
    expect(r.stdout).toMatch(/affine from qform/)
  })

  it('bad input: exit 1 and one line on stderr; bad usage: exit 2', () => {
    const bad = cli('info', sharedData('MANIFEST.md'), '--json')
    expect(bad.code).toBe(1)
    expect(bad.stdout).toBe('')
    expect(bad.stderr.trim().split('\n')).toHaveLength(1)
    expect(bad.stderr).toMatch(/^fastsam-xr info: .*neither NIfTI/)
    const missing = cli('info', join(fixtures, 'does-not-exist.nii'))
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/no such file/)
    expect(cli('info').code).toBe(2)
    expect(cli('info', 'a', 'b').code).toBe(2)
  })
})
