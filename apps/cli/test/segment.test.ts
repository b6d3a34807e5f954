/**
 * `fastsam-xr segment` as a user runs it (the real bin, a child process) on the shared example CT with
 * the golden export: the mask NIfTI lands on the CT's grid, `--json` reports the timings, and with crop
 * extension off the mask is exactly what the Segmenter API gives for the same clicks in one crop (the
 * full fold, extension and re-centring included, is checked against the server and the evaluation in
 * test/sameClicksSameMask.test.ts). Bad input: one line, non-zero.
 */
import { readVolume, type Vec3, type Volume } from '@fastsam-xr/volume'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { goldenModelDir } from '../../../test/support/goldenModel.ts'
import { repoRoot, sharedData } from '../../../test/support/paths.ts'
import { Segmenter } from '@fastsam-xr/runtime'
import { labelPoint } from '../../../test/support/labelPoint.ts'

const LIVER = 5
const exampleCtPath = (): string => sharedData('volumes', 'totalsegmentator', 'example_ct_img.nii.gz')
const exampleCtSegPath = (): string => sharedData('volumes', 'totalsegmentator', 'example_ct_seg.nii.gz')
const bin = join(repoRoot, 'apps', 'cli', 'bin', 'fastsam-xr.js')

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, 'segment', ...args], { cwd: repoRoot, encoding: 'utf8' })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

let work: string
let model: string
let ct: Volume
let liver: Vec3
let negative: Vec3

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'fastsam-cli-'))
  model = await goldenModelDir('fastsam3d')
  ct = await readVolume(exampleCtPath())
  liver = labelPoint(await readVolume(exampleCtSegPath()), LIVER)
  negative = [liver[0] + 24, liver[1], liver[2] - 9]
})

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true })
})

describe('fastsam-xr segment', () => {
  it('writes the mask on the CT grid, --json reports timings, and (extension off) matches the Segmenter API', async () => {
    const out = join(work, 'mask.nii.gz')
    const r = cli([
      exampleCtPath(),
      '--model',
      model,
      '--point',
      liver.join(','),
      '--negative',
      negative.join(','),
      '--out',
      out,
      '--crop-extension',
      'off',
      '--json',
    ])
    expect(r.stderr.replace(/npm warn.*\n/g, '')).toBe('')
    expect(r.status).toBe(0)
    const report = JSON.parse(r.stdout)
    for (const k of ['load', 'preprocess', 'encode', 'decode', 'postprocess']) {
      expect(typeof report.timingsMs[k]).toBe('number')
      expect(report.timingsMs[k]).toBeGreaterThan(0)
    }
    expect(report.mode).toBe('sequential')
    expect(report.timingsMs.decodePasses).toBe(2)
    expect(report.crops).toBe(1)
    expect(report.cropExtension).toBe(false)

    const mask = await readVolume(out)
    expect(mask.dims).toEqual(ct.dims)
    expect(mask.dtype).toBe('uint8')
    for (let q = 0; q < 16; q++) expect(mask.affine[q]).toBeCloseTo(ct.affine[q], 4)
    let voxels = 0
    for (const v of mask.data) voxels += v
    expect(voxels).toBe(report.voxels)
    expect(voxels).toBeGreaterThan(0)
    expect(report.volumeMl).toBeCloseTo((voxels * 27) / 1000, 6) // 3 mm voxels

    // The same two clicks through the API: first alone, then the negative with the previous logits.
    const seg = await Segmenter.load(model)
    try {
      const enc = await seg.encode(ct, liver)
      const a = await seg.decode(enc, [{ pointWorldRas: liver, positive: true }])
      const b = await seg.decode(enc, [{ pointWorldRas: negative, positive: false }], a.lowResLogits)
      const expected = seg.toMask(enc, b.lowResLogits, ct)
      expect(Buffer.from(mask.data as Uint8Array).equals(Buffer.from(expected))).toBe(true)
    } finally {
      await seg.release()
    }
  })

  it('--joint decodes all points in one pass (human-readable output)', () => {
    const out = join(work, 'joint.nii')
    const r = cli([
      exampleCtPath(),
      '--model',
      model,
      '--point',
      liver.join(','),
      '--negative',
      negative.join(','),
      '--out',
      out,
      '--joint',
    ])
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^wrote .*joint\.nii: \d+ voxels, [\d.]+ mL/)
    expect(r.stdout).toMatch(/decode [\d.]+ ms \(1 pass\)/)
  })

  it('--provider cuda: a mask where CUDA exists, else one line naming the provider and exit 1', () => {
    const out = join(work, 'cuda.nii.gz')
    const r = cli([
      exampleCtPath(),
      '--model',
      model,
      '--point',
      liver.join(','),
      '--out',
      out,
      '--provider',
      'cuda',
    ])
    if (r.status === 0) expect(r.stdout).toMatch(/^wrote /)
    else {
      expect(r.status).toBe(1)
      const ours = r.stderr.split('\n').filter((l) => l.startsWith('fastsam-xr'))
      expect(ours).toHaveLength(1)
      expect(ours[0]).toMatch(/execution provider 'cuda'/)
    }
  })

  it.each([
    [
      'a missing model folder',
      (out: string) => [exampleCtPath(), '--model', join(work, 'nope'), '--point', '1,2,3', '--out', out],
      1,
      /model folder not found/,
    ],
    [
      'a malformed point',
      (out: string) => [exampleCtPath(), '--model', model, '--point', '1,2', '--out', out],
      2,
      /--point expects x,y,z/,
    ],
    [
      'a non-numeric point',
      (out: string) => [exampleCtPath(), '--model', model, '--point', '1,a,3', '--out', out],
      2,
      /--point expects x,y,z/,
    ],
    [
      'no positive point',
      (out: string) => [exampleCtPath(), '--model', model, '--negative', '1,2,3', '--out', out],
      2,
      /at least one --point/,
    ],
    [
      'a point outside the volume',
      (out: string) => [
        exampleCtPath(),
        '--model',
        model,
        '--point',
        liver.join(','),
        '--point',
        `${liver[0]},${liver[1]},${liver[2] + 2000}`,
        '--out',
        out,
      ],
      2,
      /lies outside the volume/,
    ],
    [
      'a missing volume',
      (out: string) => [join(work, 'none.nii.gz'), '--model', model, '--point', '1,2,3', '--out', out],
      1,
      /no such file/,
    ],
    [
      'an unknown option',
      (out: string) => [exampleCtPath(), '--model', model, '--point', '1,2,3', '--out', out, '--fast'],
      2,
      /unknown option --fast/,
    ],
    [
      'a bad --crop-extension',
      (out: string) => [
        exampleCtPath(),
        '--model',
        model,
        '--point',
        '1,2,3',
        '--out',
        out,
        '--crop-extension',
        'maybe',
      ],
      2,
      /--crop-extension expects on or off/,
    ],
    [
      'a bad thread count',
      (out: string) => [
        exampleCtPath(),
        '--model',
        model,
        '--point',
        '1,2,3',
        '--out',
        out,
        '--threads',
        '0',
      ],
      2,
      /--threads expects a positive integer/,
    ],
  ])('refuses %s with one line and a non-zero exit', (_what, args, status, message) => {
    const out = join(work, 'bad.nii.gz')
    const r = cli(args(out))
    expect(r.status).toBe(status)
    const lines = r.stderr.split('\n').filter((l) => l && !l.startsWith('npm warn'))
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(message)
    expect(r.stdout).toBe('')
  })
})
