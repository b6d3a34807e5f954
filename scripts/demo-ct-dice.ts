/**
 * The demo-CT check of the model issue, through the product's own runtime (what `fastsam-xr segment`
 * runs): ONE positive click at each organ's most interior voxel (the maximum of its distance transform),
 * the crop centred there, the mask pasted back on the CT's grid, Dice against the TotalSegmentator label.
 * The demo CT is a TRAINING subject of every shipped model: this is a sanity check, not a held-out result.
 * Then, per organ, five negative clicks (one at a time, each after the same first click) at background
 * voxels 9–30 mm outside the predicted mask: the fraction of the mask each one removes (the "a
 * negative click outside the mask never removes more than a small fraction of it").
 *
 * `--fold crop` (default; the model card's historical figures): the first click's crop alone, no crop
 * extension. `--fold session`: the clicks through the server's own fold (`@fastsam-xr/session`, crop
 * extension on, its default) — exactly what `fastsam-xr segment` and the app give for the same clicks.
 *
 *   npx tsx scripts/demo-ct-dice.ts [--model DIR] [--threads N] [--fold crop|session]   (one JSON document)
 */
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { edtBlackBorder } from '@fastsam-xr/eval'
import { Segmenter, type Prompt } from '@fastsam-xr/runtime'
import { SegmentSession } from '@fastsam-xr/session'
import { SHIPPED_MODEL_DIR } from '@fastsam-xr/runtime/node'
import { applyAffine, readVolume, worldToCropIndex, type ModelCrop, type Vec3 } from '@fastsam-xr/volume'

const insideCrop = (crop: ModelCrop, w: Vec3): boolean =>
  worldToCropIndex(crop, w).every((v) => v >= 0 && v <= crop.size - 1)
const ORGANS: Record<string, number> = { liver: 5, spleen: 1, kidney_right: 2, kidney_left: 3, aorta: 52 }
const shared = process.env.FASTSAM_SHARED ?? join(import.meta.dirname, '..', '..', 'shared')

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: SHIPPED_MODEL_DIR },
    threads: { type: 'string', default: '2' },
    fold: { type: 'string', default: 'crop' },
  },
})
if (values.fold !== 'crop' && values.fold !== 'session') throw new Error('--fold expects crop or session')
const dir = join(shared, 'data', 'volumes', 'totalsegmentator')
const [ct, label] = await Promise.all([
  readVolume(join(dir, 'example_ct_img.nii.gz')),
  readVolume(join(dir, 'example_ct_seg.nii.gz')),
])
const seg = await Segmenter.load(values.model!, { intraOpNumThreads: Number(values.threads) })
const [nx, ny, nz] = label.dims
const results: Record<
  string,
  { dice: number; clickRas: Vec3; voxels: number; predicted: number; negativeOutsideRemoved: number[] }
> = {}
for (const [organ, value] of Object.entries(ORGANS)) {
  const gt = new Uint8Array(label.data.length)
  for (let q = 0; q < gt.length; q++) gt[q] = +(label.data[q] === value)
  // Volume order is i fastest: C-order over (k, j, i).
  const dist = edtBlackBorder(gt, [nz, ny, nx])
  let best = 0
  for (let q = 1; q < dist.length; q++) if (dist[q] > dist[best]) best = q
  const idx: Vec3 = [best % nx, Math.floor(best / nx) % ny, Math.floor(best / (nx * ny))]
  const click = applyAffine(label.affine, idx)
  const encoded = await seg.encode(ct, click)
  const r = await seg.decode(encoded, [{ pointWorldRas: click, positive: true }])
  /** The mask the clicks give: one crop (fold 'crop'), or the server's fold with crop extension. */
  const maskOf = async (prompts: Prompt[]): Promise<Uint8Array> => {
    if (values.fold === 'session') {
      const session = new SegmentSession(seg, ct, { extendCrops: true })
      for (const p of prompts) await session.add(p)
      return session.mask!.slice()
    }
    if (prompts.length === 1) return seg.toMask(encoded, r.lowResLogits, ct)
    const r2 = await seg.decode(encoded, seg.promptsForPass(prompts), r.lowResLogits)
    return seg.toMask(encoded, r2.lowResLogits, ct)
  }
  const mask = await maskOf([{ pointWorldRas: click, positive: true }])
  let inter = 0
  let p = 0
  let g = 0
  for (let q = 0; q < mask.length; q++) {
    inter += mask[q] & gt[q]
    p += mask[q]
    g += gt[q]
  }
  // Negative clicks outside the mask: background voxels 3–10 voxels (9–30 mm) from it, inside the crop.
  const outside = new Uint8Array(mask.length)
  for (let q = 0; q < mask.length; q++) outside[q] = 1 - mask[q]
  const toMask = edtBlackBorder(outside, [nz, ny, nx])
  const candidates: number[] = []
  for (let q = 0; q < mask.length; q++)
    if (!gt[q] && toMask[q] >= 3 && toMask[q] <= 10) {
      const w = applyAffine(label.affine, [q % nx, Math.floor(q / nx) % ny, Math.floor(q / (nx * ny))])
      if (insideCrop(encoded.crop, w)) candidates.push(q)
    }
  const removed: number[] = []
  for (let n = 0; n < 5 && candidates.length > 0; n++) {
    const q = candidates[Math.floor(((n + 0.5) / 5) * candidates.length)]
    const w = applyAffine(label.affine, [q % nx, Math.floor(q / nx) % ny, Math.floor(q / (nx * ny))])
    const history = [
      { pointWorldRas: click, positive: true },
      { pointWorldRas: w, positive: false },
    ]
    const after = await maskOf(history)
    let lost = 0
    for (let v = 0; v < mask.length; v++) lost += mask[v] & (1 - after[v])
    removed.push(Number((lost / Math.max(1, p)).toFixed(4)))
  }
  results[organ] = {
    negativeOutsideRemoved: removed,
    dice: Number(((2 * inter) / (p + g)).toFixed(4)),
    clickRas: click.map((v) => Number(v.toFixed(1))) as Vec3,
    voxels: g,
    predicted: p,
  }
}
await seg.release()
console.log(
  JSON.stringify(
    { model: seg.manifest.name, fold: values.fold, subject: 'TS-example-CT (training subject)', results },
    null,
    2,
  ),
)
