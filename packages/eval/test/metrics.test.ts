/** Dice (spec §9.2), the region-growing baseline, and the interaction loop with an oracle predictor. */
import { describe, expect, it } from 'vitest'
import { regionGrow } from '../src/baseline.ts'
import { dice } from '../src/dice.ts'
import { groupOf } from '../src/groups.ts'
import type { Dims3 } from '../src/edt.ts'
import { simulateInteraction } from '../src/interaction.ts'
import { Rng } from '../src/rng.ts'

describe('dice', () => {
  it('1 for a perfect prediction, 0 for disjoint, NaN when both are empty, 2|G∩P|/(|G|+|P|) otherwise', () => {
    const g = Uint8Array.from([1, 1, 1, 1, 0, 0, 0, 0])
    expect(dice(g, g)).toBe(1)
    expect(dice(Uint8Array.from([0, 0, 0, 0, 1, 1, 1, 1]), g)).toBe(0)
    expect(dice(new Uint8Array(8), new Uint8Array(8))).toBeNaN()
    expect(dice(new Uint8Array(8), g)).toBe(0)
    // |G| = 4, |P| = 2, overlap 1 → 2/6
    expect(dice(Uint8Array.from([1, 0, 0, 0, 1, 0, 0, 0]), g)).toBeCloseTo(1 / 3, 15)
    expect(() => dice(new Uint8Array(3), g)).toThrow(RangeError)
  })
})

describe('regionGrow', () => {
  it('the 6-connected component within ±tolerance of the seed, not crossing an edge or a diagonal', () => {
    const dims: Dims3 = [4, 4, 4]
    const img = new Float32Array(64)
    const at = (a0: number, a1: number, a2: number): number => 16 * a0 + 4 * a1 + a2
    // plateau 1.0 on a0 ≤ 1, a step to 3.0 beyond; one far voxel of 1.0 touching only diagonally
    for (let q = 0; q < 64; q++) img[q] = Math.floor(q / 16) <= 1 ? 1 : 3
    img[at(2, 0, 0)] = 1.2 // connected to the plateau through its face with (1,0,0)
    img[at(3, 3, 3)] = 1.0 // isolated
    const r = regionGrow(img, dims, [0, 0, 0], 0.5)
    let n = 0
    for (const v of r) n += v
    expect(n).toBe(32 + 1)
    expect(r[at(2, 0, 0)]).toBe(1)
    expect(r[at(3, 3, 3)]).toBe(0)
    expect(r[at(2, 1, 0)]).toBe(0)
    expect(() => regionGrow(img, dims, [4, 0, 0])).toThrow(RangeError)
  })
})

describe('simulateInteraction', () => {
  const dims: Dims3 = [8, 8, 8]
  const gt = new Uint8Array(512)
  for (let q = 0; q < 512; q++) gt[q] = +(Math.floor(q / 64) >= 2 && Math.floor(q / 64) < 6 && q % 8 < 5)

  it('an oracle reaches Dice 1 on click 1; then nothing is left to click and Dice stays 1', async () => {
    let calls = 0
    const records = await simulateInteraction({
      gt,
      dims,
      clicks: 5,
      rng: new Rng(1),
      predict: async () => {
        calls++
        return { forClicks: gt, shown: gt }
      },
      wholeDice: (shown) => dice(shown, gt),
    })
    expect(calls).toBe(1)
    expect(records.map((r) => r.dice)).toEqual([1, 1, 1, 1, 1])
    expect(records.map((r) => r.diceWhole)).toEqual([1, 1, 1, 1, 1])
    expect(records[0].click).not.toBeNull()
    expect(records.slice(1).every((r) => r.click === null)).toBe(true)
  })

  it('clicks follow the errors at the CLICK threshold, Dice is measured on the shown mask', async () => {
    const empty = new Uint8Array(512)
    const seen: boolean[] = []
    const records = await simulateInteraction({
      gt,
      dims,
      clicks: 3,
      rng: new Rng(2),
      // shown = perfect, but the click-threshold mask is empty: clicking must go on (all FN → positive)
      predict: async (click) => {
        seen.push(click.positive)
        return { forClicks: empty, shown: gt }
      },
    })
    expect(seen).toEqual([true, true, true])
    expect(records.map((r) => r.dice)).toEqual([1, 1, 1])
    expect(records.map((r) => r.click?.method)).toEqual(['ritm', 'ritm', 'random'])
    expect(records[0].diceWhole).toBeNaN()
  })

  it('a given first click replaces the simulated one', async () => {
    const first = { point: [3, 3, 3] as [number, number, number], positive: true, method: 'ritm' as const }
    const records = await simulateInteraction({
      gt,
      dims,
      clicks: 1,
      rng: new Rng(3),
      firstClick: first,
      predict: async () => ({ forClicks: gt, shown: gt }),
    })
    expect(records[0].click).toBe(first)
  })
})

describe('groupOf (the shared data set, as in the Python evaluation)', () => {
  it('brain tumours, MS lesions, CT organs split at 10 000 voxels, the rest', () => {
    expect(groupOf('brats2013_deepmedic/pat0003_t1c', 10)).toBe('brain tumour')
    expect(groupOf('tcia_brain_tumor_progression/PGBM-006_12-10-1996_T1post', 10)).toBe('brain tumour')
    expect(groupOf('pyradiomics/brain1', 10)).toBe('brain tumour')
    expect(groupOf('open_ms_data/patient19_flair', 10)).toBe('MS lesion')
    expect(groupOf('totalsegmentator/example_ct_dicom', 10_000)).toBe('CT organ (large)')
    expect(groupOf('totalsegmentator/example_ct_dicom', 9_999)).toBe('CT organ')
    expect(groupOf('totalsegmentator/example_mr_sm', 50_000)).toBe('other')
  })
})
