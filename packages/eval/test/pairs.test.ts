/** Pair discovery (both layouts), case and split selection, and their typed errors. */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { sharedData } from '../../../test/support/paths.ts'
import { EvalError } from '../src/errors.ts'
import { findPairs } from '../src/pairs.ts'
import { selectCases, selectSplit } from '../src/split.ts'

const work = mkdtempSync(join(tmpdir(), 'fastsam-pairs-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

function expectEvalError(f: () => unknown, code: string, message: RegExp): void {
  try {
    f()
  } catch (err) {
    expect(err).toBeInstanceOf(EvalError)
    expect((err as EvalError).code).toBe(code)
    expect((err as Error).message).toMatch(message)
    return
  }
  throw new Error('expected an EvalError')
}

describe('findPairs', () => {
  it('finds <case>_img/<case>_seg pairs, keyed <dataset>/<case>, sorted', () => {
    const pairs = findPairs(sharedData('volumes', 'monai'))
    expect(pairs.map((p) => p.key)).toEqual(['monai/anatomical', 'monai/reoriented_anat_moved'])
    expect(pairs[0].image.endsWith('anatomical_img.nii.gz')).toBe(true)
    expect(pairs[0].label.endsWith('anatomical_seg.nii.gz')).toBe(true)
    const all = findPairs(sharedData('volumes'))
    expect(all.length).toBeGreaterThan(30)
    expect(all.map((p) => p.key)).toContain('sct_spine/t2_vertlevels')
  })

  it('finds nnU-Net imagesTr/labelsTr pairs and ignores images without labels', () => {
    const root = join(work, 'nnunet')
    mkdirSync(join(root, 'Dataset001_Brain', 'imagesTr'), { recursive: true })
    mkdirSync(join(root, 'Dataset001_Brain', 'labelsTr'), { recursive: true })
    const img = sharedData('volumes', 'monai', 'anatomical_img.nii.gz')
    const seg = sharedData('volumes', 'monai', 'anatomical_seg.nii.gz')
    copyFileSync(img, join(root, 'Dataset001_Brain', 'imagesTr', 'brain_001_0000.nii.gz'))
    copyFileSync(seg, join(root, 'Dataset001_Brain', 'labelsTr', 'brain_001.nii.gz'))
    copyFileSync(img, join(root, 'Dataset001_Brain', 'imagesTr', 'brain_002_0000.nii.gz')) // no label
    const pairs = findPairs(root)
    expect(pairs).toEqual([
      {
        key: 'Dataset001_Brain/brain_001',
        image: join(root, 'Dataset001_Brain', 'imagesTr', 'brain_001_0000.nii.gz'),
        label: join(root, 'Dataset001_Brain', 'labelsTr', 'brain_001.nii.gz'),
      },
    ])
  })

  it('a missing folder is a typed error', () => {
    expectEvalError(() => findPairs(join(work, 'nope')), 'data-missing', /data folder not found/)
  })
})

describe('selection', () => {
  const pairs = findPairs(sharedData('volumes', 'sct_spine')).concat(
    findPairs(sharedData('volumes', 'monai')),
  )

  it('--cases: exact keys or whole datasets; a filter matching nothing is an error', () => {
    expect(selectCases(pairs, ['monai']).map((p) => p.key)).toEqual([
      'monai/anatomical',
      'monai/reoriented_anat_moved',
    ])
    expect(selectCases(pairs, ['sct_spine/t2', 'monai/anatomical']).map((p) => p.key)).toEqual([
      'sct_spine/t2',
      'monai/anatomical',
    ])
    expectEvalError(() => selectCases(pairs, ['monai/anatomicl']), 'no-pairs', /matches no pair/)
  })

  it('split.json: keeps the side asked for; malformed files and unknown sides are typed errors', () => {
    const split = join(work, 'split.json')
    writeFileSync(
      split,
      JSON.stringify({
        subjects: {
          'MONAI-anatomical': {
            side: 'held_out',
            pairs: ['monai/anatomical', 'monai/reoriented_anat_moved'],
          },
          'SCT errsm_30': { side: 'train', pairs: ['sct_spine/t2'] },
        },
      }),
    )
    expect(selectSplit(pairs, split, 'held_out').map((p) => p.key)).toEqual([
      'monai/anatomical',
      'monai/reoriented_anat_moved',
    ])
    expect(selectSplit(pairs, split, 'train').map((p) => p.key)).toEqual(['sct_spine/t2'])
    expectEvalError(() => selectSplit(pairs, split, 'test'), 'split-invalid', /no side 'test'/)
    writeFileSync(split, '{"subjects": {"x": {"side": 1}}}')
    expectEvalError(() => selectSplit(pairs, split, 'held_out'), 'split-invalid', /subject 'x'/)
    writeFileSync(split, 'not json')
    expectEvalError(() => selectSplit(pairs, split, 'held_out'), 'split-invalid', /not JSON/)
    expectEvalError(
      () => selectSplit(pairs, join(work, 'none.json'), 'held_out'),
      'split-invalid',
      /not found/,
    )
  })
})
