/**
 * `npm run bench -- model [runs] [--model DIR] [--quick]`: FastSAM3D through onnxruntime-node on this CPU
 * against the PyTorch reference (models/, same weights, same crop, same clicks) in the same run.
 * Prints one JSON document. Defaults to the golden-recipe export (timing does not depend on weight
 * values). Input: a real 128³ crop of the example CT around a liver point.
 *
 *  - encoder and decoder latency, median of `runs` (≥ 10) after warm-up, onnxruntime with 2 and 1
 *    intra-op threads; targets (issue 3): encoder ≤ 800 ms, decoder ≤ 35 ms with 2 threads;
 *  - PyTorch 1 and 2 threads (`bench/torch_model.py`, one process each with OMP_NUM_THREADS set),
 *    reported with ratios torch / onnxruntime;
 *  - pre/post-processing: prepareModelCrop, upsample + threshold (fused), paste-back;
 *  - peak RSS of this process and of the Python peer.
 * Medians on a shared 2-core machine: the load average at start is recorded with the numbers.
 */
import { pasteCropMask, prepareModelCrop } from '@fastsam-xr/volume'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { goldenModelDir } from '../../../test/support/goldenModel.ts'
import { repoRoot } from '../../../test/support/paths.ts'
import { promptsToDecoderPoints, type Prompt } from '../src/prompts.ts'
import { Segmenter } from '../src/segmenter.ts'
import { upsampleThreshold } from '../src/upsample.ts'
import { writeNpy } from '../test/npy.ts'
import { exampleCtPath, exampleCtSegPath, LIVER, labelPoint, readPair } from '../test/realData.ts'

const args = process.argv.slice(2)
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const quick = args.includes('--quick')
const runs = Math.max(10, Number(args.find((a) => /^\d+$/.test(a)) ?? 10))

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

/** Median and minimum of `n` timed calls after `warmup` untimed ones. The minimum is the least
 *  disturbed figure when other processes share the two cores. */
async function timeMs(
  fn: () => unknown,
  n: number,
  warmup: number,
): Promise<{ median: number; min: number }> {
  for (let i = 0; i < warmup; i++) await fn()
  const t: number[] = []
  for (let i = 0; i < n; i++) {
    const s = performance.now()
    await fn()
    t.push(performance.now() - s)
  }
  return { median: median(t), min: Math.min(...t) }
}

const round = (x: number, d = 2): number => Number(x.toFixed(d))

const modelDir = flag('--model') ?? (await goldenModelDir('fastsam3d'))
const loadAverage = loadavg()[0]
const { image: ct, seg: labels } = await readPair(exampleCtPath(), exampleCtSegPath())
const liver = labelPoint(labels, LIVER)
const prompts: Prompt[] = [
  { pointWorldRas: liver, positive: true },
  { pointWorldRas: [liver[0] + 24, liver[1] - 6, liver[2] + 9], positive: false },
]

// onnxruntime-node, 2 then 1 intra-op threads.
const ort: Record<string, Record<string, number>> = {}
let manifestName = ''
let upsampleMs = 0
let pasteMs = 0
let preprocessMs = 0
for (const threads of quick ? [2] : [2, 1]) {
  const seg = await Segmenter.load(modelDir, { intraOpNumThreads: threads, cacheBytes: 0 })
  manifestName = seg.manifest.name
  const { spacingMm, cropSize } = seg.manifest.input
  const input = prepareModelCrop(ct, liver, { spacingMm, size: cropSize }).input
  const encoded = await seg.encode(ct, liver)
  const first = await seg.decode(encoded, prompts.slice(0, 1))
  const enc = await timeMs(() => seg.runEncoder(input), runs, 2)
  const dec = await timeMs(() => seg.decode(encoded, prompts.slice(0, 1)), 3 * runs, 3)
  const refine = await timeMs(() => seg.decode(encoded, prompts, first.lowResLogits), 3 * runs, 3)
  ort[`threads${threads}`] = {
    encoderMs: round(enc.median),
    encoderMinMs: round(enc.min),
    decoderMs: round(dec.median),
    decoderMinMs: round(dec.min),
    decoderRefineMs: round(refine.median),
  }
  if (threads === 2) {
    preprocessMs = (await timeMs(() => prepareModelCrop(ct, liver, { spacingMm, size: cropSize }), runs, 2))
      .median
    upsampleMs = (await timeMs(() => upsampleThreshold(first.lowResLogits, 32, cropSize), 3 * runs, 5)).median
    const mask = upsampleThreshold(first.lowResLogits, 32, cropSize)
    pasteMs = (await timeMs(() => pasteCropMask(mask, encoded.crop, ct), 3 * runs, 5)).median
  }
  await seg.release()
}
const nodePeakRssMiB = process.resourceUsage().maxRSS / 1024

// The PyTorch peer on the same crop and crop indices.
const work = mkdtempSync(join(tmpdir(), 'fastsam-bench-'))
let torch:
  { torch: string; threads: Record<string, Record<string, number>>; peakRssMiB: number } | { error: string }
try {
  const crop = prepareModelCrop(ct, liver)
  writeNpy(join(work, 'crop.npy'), crop.input, [128, 128, 128])
  const pts = promptsToDecoderPoints(crop, prompts)
  const points = [0, 1].map((n) => Array.from(pts.coords.subarray(3 * n, 3 * n + 3)).join(',')).join(';')
  // One process per thread count: OpenMP sizes its pool from OMP_NUM_THREADS at start-up (a later
  // torch.set_num_threads(2) under OMP_NUM_THREADS=1 measured 8× slower decoders). OpenBLAS stays at 1.
  const merged: { torch: string; threads: Record<string, Record<string, number>>; peakRssMiB: number } = {
    torch: '',
    threads: {},
    peakRssMiB: 0,
  }
  for (const threads of quick ? [1] : [1, 2]) {
    const r = spawnSync(
      process.execPath,
      [
        'scripts/run-python.mjs',
        'packages/runtime/bench/torch_model.py',
        '--input',
        join(work, 'crop.npy'),
        '--points',
        points,
        '--labels',
        '1,0',
        '--threads',
        String(threads),
        '--runs',
        String(quick ? 3 : runs),
      ],
      {
        cwd: repoRoot,
        encoding: 'utf8',
        maxBuffer: 1 << 24,
        env: {
          ...process.env,
          OMP_NUM_THREADS: String(threads),
          MKL_NUM_THREADS: String(threads),
          OPENBLAS_NUM_THREADS: '1',
        },
      },
    )
    if (r.status !== 0)
      throw new Error(`PyTorch peer failed (${threads} threads): ${(r.stderr || r.stdout).slice(-2000)}`)
    const one = JSON.parse(r.stdout.trim().split('\n').pop()!)
    merged.torch = one.torch
    Object.assign(merged.threads, one.threads)
    merged.peakRssMiB = Math.max(merged.peakRssMiB, one.peakRssMiB)
  }
  torch = merged
} catch (err) {
  torch = { error: String((err as Error).message ?? err) }
} finally {
  rmSync(work, { recursive: true, force: true })
}

const ratio = (a: number | undefined, b: number | undefined): number | null => (a && b ? round(a / b) : null)
const t = 'threads' in torch ? torch.threads : {}
const o2 = ort.threads2
const doc = {
  suite: 'model',
  machine: {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    loadAverage1mAtStart: round(loadAverage),
    loadAverage1mAtEnd: round(loadavg()[0]),
  },
  model: { name: manifestName, dir: modelDir },
  input:
    'example CT, 128³ crop at 1.5 mm around a liver point; decoder: 1 click + zero mask, refine: 2 clicks + previous logits',
  runs,
  onnxruntime: ort,
  pytorch: torch,
  ratios: {
    'encoder torch1/ort2': ratio(t['1']?.encoderMs, o2.encoderMs),
    'encoder torch2/ort2': ratio(t['2']?.encoderMs, o2.encoderMs),
    'decoder torch1/ort2': ratio(t['1']?.decoderMs, o2.decoderMs),
    'decoder torch2/ort2': ratio(t['2']?.decoderMs, o2.decoderMs),
    'decoderRefine torch1/ort2': ratio(t['1']?.decoderRefineMs, o2.decoderRefineMs),
    'encoder ort1/ort2': ratio(ort.threads1?.encoderMs, o2.encoderMs),
    'decoder ort1/ort2': ratio(ort.threads1?.decoderMs, o2.decoderMs),
  },
  targets: {
    encoderMs: 800,
    decoderMs: 35,
    encoderMet: o2.encoderMs <= 800,
    decoderMet: o2.decoderMs <= 35,
  },
  pipelineMs: {
    prepareModelCrop: round(preprocessMs),
    upsampleThreshold: round(upsampleMs),
    pasteCropMask: round(pasteMs),
  },
  peakRssMiB: {
    node: round(nodePeakRssMiB, 1),
    python: 'peakRssMiB' in torch ? round(torch.peakRssMiB, 1) : null,
  },
}
process.stdout.write(JSON.stringify(doc, null, 2) + '\n')
