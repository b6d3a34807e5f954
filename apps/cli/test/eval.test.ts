/**
 * `fastsam-xr eval` as CI runs it: the real bin, a child process, on a small shared subset (the two
 * MONAI pairs) with the golden export. The table goes to stdout, `--json` writes the report, and two
 * runs with one seed write byte-identical JSON. Bad input: one line on stderr, exit 2 (usage) or 1.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { goldenModelDir } from '../../../test/support/goldenModel.ts'
import { repoRoot, sharedData } from '../../../test/support/paths.ts'

const bin = join(repoRoot, 'apps', 'cli', 'bin', 'fastsam-xr.js')

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, 'eval', ...args], { cwd: repoRoot, encoding: 'utf8' })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.replace(/npm warn.*\n/g, '') }
}

let work: string
let model: string

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'fastsam-eval-cli-'))
  model = await goldenModelDir('fastsam3d')
})

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true })
})

describe('fastsam-xr eval', () => {
  it('runs on a small subset: table on stdout, --json report, identical JSON for one seed', () => {
    const data = sharedData('volumes')
    const args = (out: string): string[] => [
      '--data',
      data,
      '--cases',
      'monai',
      '--model',
      model,
      '--clicks',
      '1,3,5',
      '--json',
      out,
    ]
    const a = cli(args(join(work, 'a.json')))
    expect(a.stderr).toMatch(/monai\/anatomical label 1 \(mask\): 1:[\d.]+ 3:[\d.]+ 5:[\d.]+/)
    expect(a.status).toBe(0)
    const lines = a.stdout.split('\n')
    expect(lines[0]).toMatch(/^case\s+label\s+voxels\s+@1 crop\/whole\/base\s+@3 crop\/whole\/base\s+@5/)
    expect(lines.some((l) => /^monai\/anatomical\s+1 mask\s+586(\s+[\d.]+ [\d.]+ [\d.]+){3}$/.test(l))).toBe(
      true,
    )
    expect(lines.some((l) => /^mean \(2 targets\)(\s+[\d.]+ [\d.]+ [\d.]+){3}$/.test(l))).toBe(true)

    const json = readFileSync(join(work, 'a.json'), 'utf8')
    const report = JSON.parse(json)
    expect(report.clicks).toEqual([1, 3, 5])
    expect(Object.keys(report.mean)).toEqual(['1', '3', '5'])
    expect(Object.keys(report.baseline.mean)).toEqual(['1', '3', '5'])
    expect(report.cases).toHaveLength(2)
    expect(report.skipped).toEqual([])
    expect(report.protocol).toMatchObject({
      seed: 2023,
      crop: 'gt-center',
      model: { name: 'golden-fastsam3d' },
    })

    const b = cli(args(join(work, 'b.json')))
    expect(b.status).toBe(0)
    expect(readFileSync(join(work, 'b.json'), 'utf8')).toBe(json)
    expect(b.stdout).toBe(a.stdout)
  })

  it('another seed gives other clicks', () => {
    const r = cli([
      '--data',
      sharedData('volumes', 'monai'),
      '--cases',
      'monai/anatomical',
      '--model',
      model,
      '--clicks',
      '3',
      '--seed',
      '11',
      '--no-baseline',
      '--quiet',
      '--json',
      join(work, 'seed11.json'),
    ])
    expect(r.status).toBe(0)
    expect(r.stderr).toBe('')
    const other = JSON.parse(readFileSync(join(work, 'seed11.json'), 'utf8'))
    const first = JSON.parse(readFileSync(join(work, 'a.json'), 'utf8'))
    expect(other.baseline).toBeNull()
    expect(other.cases[0].clicks).not.toEqual(first.cases[0].clicks.slice(0, 3))
  })

  it('without --model: the shipped default model', () => {
    const out = join(work, 'shipped.json')
    const r = cli([
      '--data',
      sharedData('volumes', 'monai'),
      '--cases',
      'monai/anatomical',
      '--clicks',
      '1',
      '--no-baseline',
      '--quiet',
      '--json',
      out,
    ])
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(JSON.parse(readFileSync(out, 'utf8')).protocol.model.name).toBe('fastsam-xr-unet')
  })

  it("--fold session runs the clicks through the server's fold: same first click, Dice@1 close to the one-crop loop", () => {
    const run = (
      fold: string[],
    ): { cases: { dicePerClick: number[]; clicks: unknown[] }[]; protocol: object } => {
      const out = join(work, `fold-${fold.join('-') || 'crop'}.json`)
      const r = cli([
        '--data',
        sharedData('volumes', 'monai'),
        '--cases',
        'monai',
        '--crop',
        'first-click',
        ...fold,
        '--clicks',
        '1,3',
        '--no-baseline',
        '--quiet',
        '--json',
        out,
      ])
      expect(r.stderr).toBe('')
      expect(r.status).toBe(0)
      return JSON.parse(readFileSync(out, 'utf8'))
    }
    const crop = run([])
    const session = run(['--fold', 'session'])
    const off = run(['--fold', 'session', '--crop-extension', 'off'])
    expect(crop.protocol).toMatchObject({ fold: 'crop', cropExtension: null })
    expect(session.protocol).toMatchObject({ fold: 'session', cropExtension: true })
    expect(off.protocol).toMatchObject({ fold: 'session', cropExtension: false })
    expect(session.cases).toHaveLength(2)
    session.cases.forEach((c, n) => {
      // the first click is the crop centre in both; the masks differ only by the paste onto the image's
      // grid and the read back (a flipped axis in either would drop Dice far below)
      expect(c.clicks[0]).toEqual(crop.cases[n].clicks[0])
      expect(Math.abs(off.cases[n].dicePerClick[0] - crop.cases[n].dicePerClick[0])).toBeLessThan(0.05)
      expect(c.dicePerClick[0]).toBeGreaterThan(0)
    })
  })

  it('bad input: one line on stderr, exit 2 for usage, 1 otherwise', () => {
    const usage: string[][] = [
      ['--model', model],
      ['--data', work],
      ['--data', work, '--model', model, '--crop', 'centre'],
      ['--data', work, '--model', model, '--clicks', '1,0'],
      ['--data', work, '--model', model, '--seed', '-1'],
      ['--data', work, '--model', model, '--bogus'],
      ['--data', work, '--model', model, '--side', 'train'],
      ['--data', work, '--model', model, '--fold', 'session'],
      ['--data', work, '--model', model, '--fold', 'paper'],
      ['--data', work, '--model', model, '--crop-extension', 'on'],
      ['--data', work, '--model', model, '--json', join(work, 'no', 'such', 'dir', 'x.json')],
    ]
    for (const args of usage) {
      const r = cli(args)
      expect(r.status, args.join(' ')).toBe(2)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toMatch(/^fastsam-xr eval: /)
    }
    const missing = cli(['--data', join(work, 'nope'), '--model', model])
    expect(missing.status).toBe(1)
    expect(missing.stderr).toMatch(/^fastsam-xr eval: data folder not found: .*nope\n$/)
    const empty = cli(['--data', work, '--model', model])
    expect(empty.status).toBe(2)
    expect(empty.stderr).toMatch(/no image\/label pairs under/)
    const badModel = cli(['--data', sharedData('volumes', 'monai'), '--model', work])
    expect(badModel.status).toBe(1)
    expect(badModel.stderr.trim().split('\n')).toHaveLength(1)
  })
})
