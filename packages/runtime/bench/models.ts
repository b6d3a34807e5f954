/**
 * `npm run bench -- models [runs] [--model DIR] [--peer DIR] [--threads N]`: the model issue's budgets for a
 * model folder, against a peer model folder in the same run (defaults: the promptable U-Net
 * `models/weights/fastsam-xr-unet` vs the earlier default `models/weights/fastsam3d-xr-small`), both
 * through the runtime's Segmenter on one real 128³ crop of the example CT around a liver point.
 *
 * Per model: encoder ms per crop, decoder ms per click after 1, 3 and 5 clicks (the prompts each pass
 * takes follow its model.json: every click for the U-Net, the newest for FastSAM3D), upsample + threshold
 * ms, cached embedding bytes per crop, ONNX bytes on disk. Budgets (issue 17, onnxruntime 2 threads):
 * decoder ≤ 30 ms, encoder ≤ 1000 ms, cache ≤ 20 MB, ONNX ≤ 40 MB. Medians (and minima, the least
 * disturbed figure on a shared machine) of `runs` calls after warm-up; ratios model / peer.
 */
import { statSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { repoRoot } from '../../../test/support/paths.ts'
import { readModelFolder } from '../src/nodeModel.ts'
import type { Prompt } from '../src/prompts.ts'
import { Segmenter } from '../src/segmenter.ts'
import { exampleCtPath, exampleCtSegPath, LIVER, labelPoint, readPair } from '../test/realData.ts'

const args = process.argv.slice(2)
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const runs = Math.max(5, Number(args.find((a) => /^\d+$/.test(a)) ?? 15))
const threads = Number(flag('--threads') ?? 2)
const weights = join(repoRoot, 'models', 'weights')
const modelDir = flag('--model') ?? join(weights, 'fastsam-xr-unet')
const peerDir = flag('--peer') ?? join(weights, 'fastsam3d-xr-small')

const round = (x: number, d = 2): number => Number(x.toFixed(d))
function stats(xs: number[]): { median: number; min: number } {
  const s = [...xs].sort((a, b) => a - b)
  const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
  return { median: round(median), min: round(s[0]) }
}
async function timed(fn: () => Promise<unknown> | unknown, n: number, warmup = 2) {
  for (let i = 0; i < warmup; i++) await fn()
  const t: number[] = []
  for (let i = 0; i < n; i++) {
    const s = performance.now()
    await fn()
    t.push(performance.now() - s)
  }
  return stats(t)
}

const { image: ct, seg: label } = await readPair(exampleCtPath(), exampleCtSegPath())
const liver = labelPoint(label, LIVER)
// Clicks around the liver point (positive, then a negative and more positives), all inside the crop.
const clicks: Prompt[] = [
  { pointWorldRas: liver, positive: true },
  { pointWorldRas: [liver[0] + 30, liver[1], liver[2]], positive: false },
  { pointWorldRas: [liver[0] - 15, liver[1] + 10, liver[2]], positive: true },
  { pointWorldRas: [liver[0], liver[1] - 12, liver[2] + 9], positive: true },
  { pointWorldRas: [liver[0] + 6, liver[1], liver[2] - 15], positive: false },
]

async function measure(dir: string) {
  const folder = await readModelFolder(dir)
  const bytes = [folder.encoderPath, folder.decoderPath].reduce((s, p) => s + statSync(p).size, 0)
  const seg = await Segmenter.load(dir, { intraOpNumThreads: threads, cacheBytes: 0 })
  const encoded = await seg.encode(ct, liver)
  const encodeMs = await timed(
    () => seg.runEncoder(new Float32Array(seg.manifest.input.cropSize ** 3)),
    Math.max(5, runs / 3),
    1,
  )
  const decodeMs: Record<string, { median: number; min: number }> = {}
  let logits: Float32Array | undefined
  for (const k of [1, 3, 5]) {
    const history = clicks.slice(0, k)
    const prev = logits
    decodeMs[`${k} clicks`] = await timed(() => seg.decode(encoded, seg.promptsForPass(history), prev), runs)
    logits = (await seg.decode(encoded, seg.promptsForPass(history), prev)).lowResLogits
  }
  const upsampleMs = await timed(() => seg.cropMask(logits!), runs)
  const out = {
    name: seg.manifest.name,
    prompts: seg.manifest.decoder.prompts,
    encodeMs,
    decodeMs,
    upsampleMs,
    embeddingBytes: encoded.embedding.byteLength,
    onnxBytes: bytes,
    lowResLogits: seg.manifest.lowResLogits.shape.slice(2).join('×'),
  }
  await seg.release()
  return out
}

const load = loadavg()[0]
const model = await measure(modelDir)
const peer = await measure(peerDir)
const budgets = {
  'decoder ≤ 30 ms (5 clicks, median)': model.decodeMs['5 clicks'].median <= 30,
  'encoder ≤ 1000 ms (median)': model.encodeMs.median <= 1000,
  'cached encoding ≤ 20 MB': model.embeddingBytes <= 20e6,
  'ONNX ≤ 40 MB': model.onnxBytes <= 40e6,
}
console.log(
  JSON.stringify(
    {
      suite: 'models',
      threads,
      runs,
      loadAverageAtStart: round(load),
      model,
      peer,
      ratios: {
        encoder: round(model.encodeMs.median / peer.encodeMs.median),
        decoder5: round(model.decodeMs['5 clicks'].median / peer.decodeMs['5 clicks'].median),
        embeddingBytes: round(model.embeddingBytes / peer.embeddingBytes),
        onnxBytes: round(model.onnxBytes / peer.onnxBytes),
      },
      budgets,
    },
    null,
    2,
  ),
)
