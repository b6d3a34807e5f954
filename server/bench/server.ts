/**
 * `npm run bench -- server [--model DIR] [--clicks n] [--clients n] [--no-big] [--crop-extension on|off]`:
 * the edge server as a
 * separate process (`fastsam-xr serve` on loopback), driven by socket.io-client from this process.
 * Prints one JSON document.
 *
 *  - first click (a new crop: preprocess + encode + decode + paste + mesh) → mesh received;
 *  - refine clicks in an encoded crop → mesh received, p50 / p95 (targets: p50 ≤ 15 ms, the server's
 *    postprocess stage ≤ 5 ms; its decode / postprocess / mesh stages reported), paced at ≤ 9/s
 *    (the server's prompt limit is 10/s per connection; a refused prompt is an error, never a wait);
 *  - peer: the same refine step done in-process with the runtime and mesh packages directly
 *    (decode with previous logits + upsample/paste + mask-kind encode), no network, no queue: the
 *    floor. Ratios server / direct;
 *  - second peer: the server's own fold (`@fastsam-xr/session`, with the same crop-extension setting, default
 *    on) + meshing, in-process: the same work as the server without network and queue. With crop
 *    extension on, a refine click also decodes (and, when the mask's face extent moves to another
 *    24 mm cell, encodes) up to two neighbouring crops: `refineServerExtendMs`;
 *  - fan-out with `clients` (default 50) connected to one room: per prompt, each client's arrival
 *    minus the first client's arrival (p50 / p99, target p99 ≤ 50 ms), and presence relay latency
 *    (receive − server relay time) p99;
 *  - server RSS (from /healthz) idle, with the demo CT open, and with a 512×512×300 int16 volume open.
 * Default model: models/weights/fastsam-xr-unet when present, else the golden-recipe export (the
 * same architecture: timing does not depend on weight values).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { io, type Socket } from 'socket.io-client'
import { encodeMaskMesh, meshReady } from '@fastsam-xr/mesh'
import type { ClientToServerEvents, MeshUpdate, ServerToClientEvents, Vec3 } from '@fastsam-xr/protocol'
import { Segmenter } from '@fastsam-xr/runtime'
import { encodeNifti, readVolume } from '@fastsam-xr/volume'
import { goldenModelDir } from '../../test/support/goldenModel.ts'
import { repoRoot, sharedData } from '../../test/support/paths.ts'
import type { PromptRecord } from '@fastsam-xr/protocol'
import { DEFAULT_MODEL_DIR } from '../src/config.ts'
import { EMPTY_MASK_STATE, foldPrompts, meshSegment, type MaskState } from '@fastsam-xr/session'
import type { VoxelBox } from '@fastsam-xr/geometry'
import { organPoint } from '../test/support.ts'

type Client = Socket<ServerToClientEvents, ClientToServerEvents>

const args = process.argv.slice(2)
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const clicks = Math.max(10, Number(flag('--clicks') ?? 30))
const clientCount = Math.max(2, Number(flag('--clients') ?? 50))
const withBig = !args.includes('--no-big')
const cropExtension = flag('--crop-extension') ?? 'on'
if (cropExtension !== 'on' && cropExtension !== 'off') throw new Error('--crop-extension expects on or off')

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]
}
const r2 = (x: number): number => Math.round(x * 100) / 100
const stats = (xs: number[]) => ({ p50: r2(quantile(xs, 0.5)), p95: r2(quantile(xs, 0.95)), n: xs.length })

function log(msg: string): void {
  process.stderr.write(`bench server: ${msg}\n`)
}

async function startServerProcess(
  modelDir: string,
  dataDir: string,
): Promise<{ child: ChildProcess; url: string; siteKey: string }> {
  const bin = join(repoRoot, 'apps', 'cli', 'bin', 'fastsam-xr.js')
  const child = spawn(
    process.execPath,
    [
      bin,
      'serve',
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--model',
      modelDir,
      '--data',
      dataDir,
      '--log-level',
      'warn',
      '--crop-extension',
      cropExtension,
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  let out = ''
  const [url, siteKey] = await new Promise<[string, string]>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d
      const m = /listening on (\S+)[\s\S]*model: /.exec(out)
      const key = /open: \S+[?&]key=([A-Za-z0-9_-]+)/.exec(out)
      if (m && key) resolve([m[1].replace(/\/$/, ''), key[1]])
    })
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)))
  })
  return { child, url, siteKey }
}

/** The bench's clients give the site key (the first one opens the case; the others join by token). */
let benchSiteKey = ''
function connect(url: string): Promise<Client> {
  const c: Client = io(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    auth: { siteKey: benchSiteKey },
  })
  return new Promise((resolve, reject) => {
    c.once('connect', () => resolve(c))
    c.once('connect_error', reject)
  })
}

function call<T>(c: Client, event: string, payload: unknown): Promise<T> {
  return (c.timeout(120_000) as unknown as { emitWithAck(e: string, p: unknown): Promise<T> }).emitWithAck(
    event,
    payload,
  )
}

/** Rejects with a clear message when `promise` has not settled within `ms` (a bench never hangs). */
function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`bench server: no ${what} within ${ms / 1000} s`)), ms)
  })
  return Promise.race([promise, late]).finally(() => clearTimeout(timer))
}

/**
 * Sends a prompt and resolves with the first mesh that folds it. The mesh listener is registered before
 * the prompt is sent (the mesh may arrive before the ack), and a refused prompt is an error: a
 * rate-limited ack has no seq, and waiting for its mesh was this bench's hang (30 refine clicks sent as
 * fast as meshes came back overran the server's 10 prompts/s bucket after its burst of 20).
 */
async function promptAndMesh(
  c: Client,
  segmentId: string,
  payload: { pointWorldRas: Vec3; positive: boolean },
): Promise<{ update: MeshUpdate; at: number; seq: number }> {
  const seen: { update: MeshUpdate; at: number }[] = []
  let wanted: number | null = null
  let found: (m: { update: MeshUpdate; at: number }) => void = () => {}
  const mesh = new Promise<{ update: MeshUpdate; at: number }>((resolve) => (found = resolve))
  const on = (u: MeshUpdate): void => {
    if (u.segmentId !== segmentId) return
    const m = { update: u, at: performance.now() }
    if (wanted === null) seen.push(m)
    else if (u.promptSeqs.includes(wanted)) found(m)
  }
  c.on('segment:mesh', on)
  try {
    const ack = await within(
      60_000,
      call<{ ok: boolean; seq: number; error?: { code: string; message: string } }>(c, 'segment:prompt', {
        segmentId,
        ...payload,
      }),
      'ack of segment:prompt',
    )
    if (!ack.ok)
      throw new Error(`bench server: segment:prompt refused: ${ack.error?.code}: ${ack.error?.message}`)
    wanted = ack.seq
    const early = seen.find((m) => m.update.promptSeqs.includes(ack.seq))
    if (early) found(early)
    return { ...(await within(120_000, mesh, `mesh for prompt ${ack.seq}`)), seq: ack.seq }
  } finally {
    c.off('segment:mesh', on)
  }
}

/** The server takes at most 10 prompts/s per connection (burst 20): clicks are paced below that, as a user's. */
const CLICK_INTERVAL_MS = 110
let lastClickAt = 0
async function paced(): Promise<void> {
  const wait = lastClickAt + CLICK_INTERVAL_MS - performance.now()
  if (wait > 0) await new Promise((r) => setTimeout(r, wait))
  lastClickAt = performance.now()
}

async function rssMb(url: string): Promise<number> {
  return ((await (await fetch(`${url}/healthz`)).json()) as { rssMb: number }).rssMb
}

/** A 512×512×300 int16 CT-like phantom (air, a body cylinder, bone rods) in `<data>/cases/`. */
function writeBigVolume(dataDir: string): void {
  const [nx, ny, nz] = [512, 512, 300]
  const data = new Int16Array(nx * ny * nz)
  for (let k = 0, q = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, q++) {
        const r = Math.hypot(i - 256, j - 256)
        const rod = Math.hypot(i - 256, j - 330) < 18 || Math.hypot(i - 180, j - 250) < 10
        data[q] = r > 230 ? -1000 : rod ? 700 : 40 + ((i * 7 + j * 13 + k * 17) % 30)
      }
  const affine = Float64Array.from([0.7, 0, 0, -179, 0, 0.7, 0, -179, 0, 0, 1, -150, 0, 0, 0, 1])
  mkdirSync(join(dataDir, 'cases'), { recursive: true })
  writeFileSync(
    join(dataDir, 'cases', 'big512.nii'),
    encodeNifti({ data, dims: [nx, ny, nz], affine, dtype: 'int16', meta: { modality: 'CT' } }),
  )
}

// `npm run bench` stops a suite that overruns with SIGTERM: take the server process down with us.
let serverChild: ChildProcess | null = null
process.on('SIGTERM', () => {
  serverChild?.kill('SIGKILL')
  process.exit(1)
})

async function main(): Promise<void> {
  const modelDir =
    flag('--model') ??
    (existsSync(join(DEFAULT_MODEL_DIR, 'model.json')) ? DEFAULT_MODEL_DIR : await goldenModelDir())
  const dataDir = mkdtempSync(join(tmpdir(), 'fastsam-bench-'))
  const load = loadavg()
  const { child, url, siteKey } = await startServerProcess(modelDir, dataDir)
  serverChild = child
  benchSiteKey = siteKey
  const clients: Client[] = []
  try {
    const rssIdle = await rssMb(url)
    const ct = await readVolume(join(repoRoot, 'server', 'demo', 'example_ct.nii.gz'))
    const liver = organPoint(
      await readVolume(sharedData('volumes', 'totalsegmentator', 'example_ct_seg.nii.gz')),
      5,
    )
    const a = await connect(url)
    clients.push(a)
    const opened = await call<{ ok: boolean; roomId: string; token: string }>(a, 'case:open', {
      caseId: 'demo',
    })
    const { roomId, token } = opened
    const rssDemo = await rssMb(url)
    const segmentId = (await call<{ segment: { segmentId: string } }>(a, 'segment:create', {})).segment
      .segmentId

    const prompt = async (point: Vec3, positive: boolean): Promise<{ ms: number; update: MeshUpdate }> => {
      await paced()
      const t = performance.now()
      const { update, at } = await promptAndMesh(a, segmentId, { pointWorldRas: point, positive })
      return { ms: at - t, update }
    }

    log('first click')
    const first = await prompt(liver, true)
    log(`first click ${first.ms.toFixed(0)} ms; refine clicks`)
    const refine: number[] = []
    const serverTotals: number[] = []
    const serverExtend: number[] = []
    const serverDecode: number[] = []
    const serverPostprocess: number[] = []
    const serverMesh: number[] = []
    const jitter = (n: number): Vec3 => [
      liver[0] + ((n * 7) % 21) - 10,
      liver[1] + ((n * 11) % 21) - 10,
      liver[2] + ((n * 5) % 13) - 6,
    ]
    for (let n = 0; n < clicks; n++) {
      const r = await prompt(jitter(n), n % 3 !== 2)
      refine.push(r.ms)
      serverTotals.push(r.update.timings.totalMs)
      serverExtend.push(r.update.timings.extendMs)
      serverDecode.push(r.update.timings.decodeMs)
      serverPostprocess.push(r.update.timings.postprocessMs)
      serverMesh.push(r.update.timings.meshMs)
    }

    log('peer: the same refine step in-process')
    await meshReady
    const segmenter = await Segmenter.load(modelDir)
    const encoded = await segmenter.encode(ct, liver)
    let logits = (await segmenter.decode(encoded, [{ pointWorldRas: liver, positive: true }])).lowResLogits
    const direct: number[] = []
    for (let n = 0; n < clicks; n++) {
      const t = performance.now()
      logits = (
        await segmenter.decode(encoded, [{ pointWorldRas: jitter(n), positive: n % 3 !== 2 }], logits)
      ).lowResLogits
      const mask = segmenter.toMask(encoded, logits, ct)
      encodeMaskMesh(mask, ct.dims, ct.affine)
      direct.push(performance.now() - t)
    }
    // Peer 2: the server's fold + meshing in-process, same clicks, same crop-extension setting.
    const records: PromptRecord[] = [{ seq: 0, pointWorldRas: liver, positive: true, clientId: 'bench' }]
    const extendCrops = cropExtension === 'on'
    let state: MaskState = (await foldPrompts(segmenter, ct, EMPTY_MASK_STATE, records, { extendCrops }))
      .state
    let box: VoxelBox | null = meshSegment(state.mask, ct, null, null, true).box
    const folded: number[] = []
    for (let n = 0; n < clicks; n++) {
      records.push({ seq: n + 1, pointWorldRas: jitter(n), positive: n % 3 !== 2, clientId: 'bench' })
      const t = performance.now()
      const fold = await foldPrompts(segmenter, ct, state, records, { extendCrops })
      box = meshSegment(fold.state.mask, ct, box, fold.changed, fold.whole).box
      state = fold.state
      folded.push(performance.now() - t)
    }
    await segmenter.release()

    log(`fan-out: ${clientCount} clients`)
    for (let n = 1; n < clientCount; n++) {
      const c = await connect(url)
      await call(c, 'room:join', { roomId, token })
      clients.push(c)
    }
    const spread: number[] = []
    for (let n = 0; n < 10; n++) {
      await paced()
      const arrivals = clients.map(
        (c) =>
          new Promise<number>((resolve) => {
            const on = (u: MeshUpdate): void => {
              if (u.segmentId !== segmentId) return
              c.off('segment:mesh', on)
              resolve(performance.now())
            }
            c.on('segment:mesh', on)
          }),
      )
      await promptAndMesh(a, segmentId, { pointWorldRas: jitter(n), positive: true })
      const at = await within(60_000, Promise.all(arrivals), `mesh on all ${clients.length} clients`)
      const firstAt = Math.min(...at)
      for (const x of at) spread.push(x - firstAt)
    }
    const presence: number[] = []
    let presenceDropped = 0 // relayed as volatile: a pose a client did not get within 1 s is dropped, not awaited
    const pose = {
      position: [0, 0, 0] as Vec3,
      orientation: [0, 0, 0, 1] as [number, number, number, number],
    }
    for (let n = 0; n < 20; n++) {
      const got = clients.slice(1).map(
        (c) =>
          new Promise<number | null>((resolve) => {
            const timer = setTimeout(() => {
              c.off('presence', on)
              resolve(null)
            }, 1000)
            const on = (p: { t: number }): void => {
              clearTimeout(timer)
              c.off('presence', on)
              resolve(Date.now() - p.t)
            }
            c.on('presence', on)
          }),
      )
      a.emit('presence:update', { head: pose })
      for (const ms of await Promise.all(got))
        if (ms === null) presenceDropped++
        else presence.push(ms)
      await new Promise((r) => setTimeout(r, 40))
    }

    let rssBig: number | null = null
    let bigOpenMs: number | null = null
    if (withBig) {
      log('RSS with a 512×512×300 volume open')
      writeBigVolume(dataDir)
      const t = performance.now()
      const big = await call<{ ok: boolean; error?: unknown }>(a, 'case:open', { caseId: 'data-big512' })
      if (!big.ok) throw new Error(`opening the big volume failed: ${JSON.stringify(big)}`)
      bigOpenMs = r2(performance.now() - t)
      rssBig = await rssMb(url)
    }

    const refineStats = stats(refine)
    const directStats = stats(direct)
    const foldStats = stats(folded)
    process.stdout.write(
      JSON.stringify(
        {
          suite: 'server',
          machine: { cpus: cpus().length, cpu: cpus()[0]?.model, loadavgAtStart: load.map(r2) },
          model: modelDir.replace(repoRoot + '/', ''),
          transport: 'socket.io websocket over loopback, server in its own process',
          firstClickMs: r2(first.ms),
          firstClickServerTimings: first.update.timings,
          refineClickMs: refineStats,
          refineServerTotalMs: stats(serverTotals),
          cropExtension,
          refineServerExtendMs: stats(serverExtend),
          refineServerStagesMs: {
            decode: stats(serverDecode),
            postprocess: stats(serverPostprocess),
            mesh: stats(serverMesh),
          },
          peer: {
            name: 'runtime + mesh in-process (decode, upsample/paste, mask encode)',
            refineMs: directStats,
          },
          peerFold: {
            name: `the server's fold + meshing in-process (crop extension ${cropExtension})`,
            refineMs: foldStats,
          },
          ratios: {
            refineP50ServerOverDirect: r2(refineStats.p50 / directStats.p50),
            refineP95ServerOverDirect: r2(refineStats.p95 / directStats.p95),
            refineP50ServerOverFold: r2(refineStats.p50 / foldStats.p50),
            refineP95ServerOverFold: r2(refineStats.p95 / foldStats.p95),
          },
          fanOut: {
            clients: clientCount,
            meshArrivalSpreadMs: {
              p50: r2(quantile(spread, 0.5)),
              p99: r2(quantile(spread, 0.99)),
              n: spread.length,
            },
            presenceRelayMs: {
              p50: r2(quantile(presence, 0.5)),
              p99: r2(quantile(presence, 0.99)),
              n: presence.length,
              dropped: presenceDropped,
            },
          },
          serverRssMb: { idle: rssIdle, demoOpen: rssDemo, big512x512x300Open: rssBig, bigOpenMs },
          targets: { refineP50Ms: 15, refinePostprocessP50Ms: 5, firstClickMs: 1000, fanOutP99Ms: 50 },
        },
        null,
        2,
      ) + '\n',
    )
  } finally {
    for (const c of clients) c.disconnect()
    child.kill('SIGINT')
    await new Promise((r) => child.once('exit', r))
    rmSync(dataDir, { recursive: true, force: true })
  }
}

await main()
