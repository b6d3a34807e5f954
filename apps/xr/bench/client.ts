/**
 * `npm run bench -- client [seconds]`: the WebXR client in headless Debian chromium (SwiftShader WebGL2,
 * no GPU) against the real edge server (shipped model, demo CT), with three segment meshes (liver,
 * right kidney, spleen; placed by mouse clicks on the slice planes like a user) plus refining clicks.
 * Prints one JSON document:
 *  - frameMs: frame time (requestAnimationFrame deltas) over `seconds` (default 3) with the case, its
 *    bone preview, the slice planes and the three meshes: median, p95;
 *  - meshUpdate: per prompt, `segment:mesh` received → first frame showing it (the app's PromptLatency
 *    shownAt − receivedAt), received → decoded by the worker, prompt sent → shown, the server's total;
 *    main-thread blocking in each update window [receivedAt, shownAt + one frame]: long tasks
 *    (PerformanceObserver 'longtask', ms overlapping the window) and the worst frame in the window;
 *  - peer (same run, same bytes): the same `segment:mesh` payloads (captured by a Socket.IO observer
 *    joined to the room) decoded ON the main thread with `@fastsam-xr/mesh/wire` decodeMesh, timed in
 *    a task between frames: decode ms, long tasks and worst frame in that window; `blockingRatio` =
 *    peer worst frame / worker-path worst frame (medians). Also a full-size liver (the ground-truth
 *    label of the demo CT as a mask mesh, what a well-trained model returns) decoded on the main thread;
 *  - scene: triangles and draw calls per frame (three's renderer info via `__fsx.sceneStats()`).
 */
import { build } from 'esbuild'
import { cpus } from 'node:os'
import { io, type Socket } from 'socket.io-client'
import { encodeMaskMesh } from '@fastsam-xr/mesh'
import type { ClientToServerEvents, MeshUpdate, ServerToClientEvents } from '@fastsam-xr/protocol'
import { repoRoot } from '@fastsam-xr/test/paths'
import {
  nextFrames,
  openApp,
  planesThrough,
  startE2E,
  waitFsx,
  type AppPage,
  type FsxWindow,
} from '../test/e2e/harness.ts'
import { readSegments, waitForMesh } from '../test/e2e/segments.ts'

type Vec3 = [number, number, number]
const seconds = Number(process.argv[2] ?? 3)
const ORGANS = ['liver', 'kidney_right', 'spleen'] as const
/** refining clicks (mm offsets from the spleen point; they land on the planes or the spleen mesh). */
const REFINES: Vec3[] = [
  [6, 0, 0],
  [0, 0, 6],
  [-6, 0, -6],
]

interface BenchWindow {
  __bench: {
    longtasks: [number, number][]
    frames: number[]
    /** long-task ms overlapping [t0, t1] and the longest frame interval touching it. */
    cost(t0: number, t1: number): { longtaskMs: number; worstFrameMs: number }
  }
  FXRM: typeof import('@fastsam-xr/mesh/wire')
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const q = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN)
  const r = (v: number) => +v.toFixed(2)
  return { n: s.length, median: r(q(0.5)), p95: r(q(0.95)), max: r(s[s.length - 1] ?? NaN) }
}

/** In the page before the app: long tasks and rAF timestamps from the first script on. */
function observers(): void {
  const b: BenchWindow['__bench'] = {
    longtasks: [],
    frames: [],
    cost(t0, t1) {
      let longtaskMs = 0
      for (const [s, d] of b.longtasks) longtaskMs += Math.max(0, Math.min(s + d, t1) - Math.max(s, t0))
      let worstFrameMs = 0
      for (let i = 1; i < b.frames.length; i++)
        if (b.frames[i] >= t0 && b.frames[i - 1] <= t1)
          worstFrameMs = Math.max(worstFrameMs, b.frames[i] - b.frames[i - 1])
      return { longtaskMs, worstFrameMs }
    },
  }
  ;(window as unknown as BenchWindow).__bench = b
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) b.longtasks.push([e.startTime, e.duration])
  }).observe({ type: 'longtask', buffered: true })
  const tick = (t: number) => {
    b.frames.push(t)
    requestAnimationFrame(tick)
  }
  requestAnimationFrame(tick)
}

async function clickOrgan(app: AppPage, ras: Vec3): Promise<void> {
  await planesThrough(app, ras)
  const px = await app.page.evaluate((p) => (window as unknown as FsxWindow).__fsx.rasToScreen(p), ras)
  if (!px) throw new Error('rasToScreen returned null')
  await app.page.mouse.click(px[0], px[1])
}

const e2e = await startE2E()
const out: Record<string, unknown> = {
  suite: 'client',
  cpus: cpus().length,
  browser: `chromium ${e2e.browser.version()} headless (SwiftShader WebGL2)`,
  seconds,
}
let observer: Socket<ServerToClientEvents, ClientToServerEvents> | undefined
try {
  const viewport = { width: 1280, height: 720 }
  const app = await openApp(e2e, {
    viewport,
    init: async (page) => void (await page.addInitScript(observers)),
  })
  const renderer = await app.page.evaluate(() => {
    const gl = document.createElement('canvas').getContext('webgl2')
    const ext = gl?.getExtension('WEBGL_debug_renderer_info')
    return ext ? String(gl!.getParameter(ext.UNMASKED_RENDERER_WEBGL)) : 'unknown'
  })
  out.renderer = renderer
  out.viewport = viewport

  // an observer in the same room records every segment:mesh payload (the bytes the page received)
  const room = await app.page.evaluate(() => {
    const r = (window as unknown as FsxWindow).__fsx.store.getState().room!
    return { roomId: r.roomId, token: r.token }
  })
  observer = io(e2e.url, { transports: ['websocket'], forceNew: true, reconnection: false })
  const payloads = new Map<string, Uint8Array>()
  observer.on('segment:mesh', (m: MeshUpdate) => {
    const b = m.mesh as Uint8Array
    payloads.set(`${m.segmentId}#${m.revision}`, new Uint8Array(b.buffer, b.byteOffset, b.byteLength).slice())
  })
  await new Promise<void>((resolve, reject) => {
    observer!.once('connect', () => resolve())
    observer!.once('connect_error', reject)
  })
  const joined = await observer.timeout(30_000).emitWithAck('room:join', { ...room, displayName: 'bench' })
  if (!joined.ok) throw new Error(`observer could not join: ${JSON.stringify(joined)}`)

  // three segments, one click each, then refining clicks on the last one
  for (const [n, organ] of ORGANS.entries()) {
    if (n > 0) {
      const before = await app.page.evaluate(
        () => (window as unknown as FsxWindow).__fsx.store.getState().activeSegmentId,
      )
      await app.page.click('#new-segment')
      await waitFsx(
        app,
        'a new active segment',
        (prev) => {
          const id = (window as unknown as FsxWindow).__fsx.store.getState().activeSegmentId
          return id !== null && id !== prev
        },
        before,
      )
    }
    await clickOrgan(app, e2e.anatomy.interiorPoint(organ).ras)
    const id = await app.page.evaluate(
      () => (window as unknown as FsxWindow).__fsx.store.getState().activeSegmentId!,
    )
    await waitForMesh(app, { segmentId: id })
  }
  const spleen = e2e.anatomy.interiorPoint('spleen').ras
  for (const d of REFINES) {
    const id = await app.page.evaluate(
      () => (window as unknown as FsxWindow).__fsx.store.getState().activeSegmentId!,
    )
    const [g] = (await readSegments(app)).filter((s) => s.segmentId === id)
    await clickOrgan(app, [spleen[0] + d[0], spleen[1] + d[1], spleen[2] + d[2]])
    await waitForMesh(app, { segmentId: id, afterRevision: g.revision })
  }
  await nextFrames(app.page, 5)

  // per-update latencies and main-thread cost (worker path: what the app does)
  const updates = await app.page.evaluate(() => {
    const s = (window as unknown as FsxWindow).__fsx.store.getState()
    const b = (window as unknown as BenchWindow).__bench
    const frame = (b.frames[b.frames.length - 1] - b.frames[0]) / Math.max(1, b.frames.length - 1)
    return s.latencies
      .filter((l) => l.receivedAt !== undefined && l.shownAt !== undefined)
      .map((l) => ({
        segmentId: l.segmentId,
        seq: l.seq,
        receivedToShownMs: l.shownAt! - l.receivedAt!,
        receivedToDecodedMs: l.decodedAt !== undefined ? l.decodedAt - l.receivedAt! : NaN,
        promptToShownMs: l.shownAt! - l.sentAt,
        serverTotalMs: l.server?.totalMs ?? NaN,
        ...b.cost(l.receivedAt!, l.shownAt! + frame),
      }))
  })
  if (updates.length < ORGANS.length)
    throw new Error(`only ${updates.length} prompt latencies with receivedAt and shownAt in the store`)

  // frame time and scene size with the whole case shown (preview back on, planes where they are)
  await app.page.evaluate(() => {
    const store = (window as unknown as FsxWindow).__fsx.store
    store.setState({ view: { ...store.getState().view, previewVisible: true, slicesVisible: true } })
  })
  await nextFrames(app.page, 10)
  const scene = await app.page.evaluate(() => (window as unknown as FsxWindow).__fsx.sceneStats())
  const frameTimes = await app.page.evaluate(async (ms) => {
    const b = (window as unknown as BenchWindow).__bench
    const from = b.frames.length
    await new Promise((r) => setTimeout(r, ms))
    const f = b.frames.slice(from)
    return f.slice(1).map((t, i) => t - f[i])
  }, seconds * 1000)

  // the peer: the same payloads decoded on the main thread (one task each, between frames)
  const bundle = await build({
    entryPoints: [`${repoRoot}/packages/mesh/src/wire/browser.ts`],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'FXRM',
    write: false,
    logLevel: 'silent',
  })
  await app.page.addScriptTag({ content: bundle.outputFiles[0].text })
  const peerPayloads = [...payloads.entries()].map(([key, v]) => ({ key, bytes: Array.from(v) }))
  const decodeOnMain = async (items: { key: string; bytes: number[] }[]) =>
    app.page.evaluate(async (items) => {
      const w = window as unknown as BenchWindow
      await w.FXRM.decoderReadyPromise
      const frame = () => new Promise<number>((r) => requestAnimationFrame((t) => r(t)))
      const res = []
      for (const it of items) {
        const bytes = Uint8Array.from(it.bytes)
        await frame()
        await new Promise((r) => setTimeout(r, 0))
        const t0 = performance.now()
        const mesh = w.FXRM.decodeMesh(bytes)
        const t1 = performance.now()
        await frame()
        await frame()
        const t2 = performance.now()
        await new Promise((r) => setTimeout(r, 120)) // let the long-task observer report
        res.push({
          key: it.key,
          bytes: bytes.length,
          triangles: mesh.indices.length / 3,
          decodeMs: t1 - t0,
          ...w.__bench.cost(t0, t2),
        })
      }
      return res
    }, items)
  const peer = await decodeOnMain(peerPayloads)

  // a full-size liver (ground-truth label as a mask mesh, encoded like the server does) on the main thread
  const seg = e2e.anatomy.seg
  const mask = new Uint8Array(seg.data.length)
  for (let q = 0; q < mask.length; q++) mask[q] = seg.data[q] === e2e.anatomy.labels.liver ? 1 : 0
  const fullLiver = encodeMaskMesh(mask, seg.dims, seg.affine)
  const [full] = await decodeOnMain([{ key: 'liver-label', bytes: Array.from(fullLiver) }])

  const workerWorst = stats(updates.map((u) => u.worstFrameMs)).median
  const peerWorst = stats(peer.map((p) => p.worstFrameMs)).median
  Object.assign(out, {
    frameMs: stats(frameTimes),
    fps: +(1000 / stats(frameTimes).median).toFixed(1),
    scene: {
      triangles: scene.triangles,
      drawCalls: scene.drawCalls,
      previewTriangles: scene.previewTriangles,
      segmentMeshes: scene.segmentMeshes.length,
      segmentTriangles: scene.segmentMeshes.reduce((n, m) => n + m.triangles, 0),
      markers: scene.markers,
    },
    meshUpdate: {
      updates: updates.length,
      receivedToShownMs: stats(updates.map((u) => u.receivedToShownMs)),
      receivedToDecodedMs: stats(updates.map((u) => u.receivedToDecodedMs).filter((v) => !Number.isNaN(v))),
      promptToShownMs: stats(updates.map((u) => u.promptToShownMs)),
      serverTotalMs: stats(updates.map((u) => u.serverTotalMs).filter((v) => !Number.isNaN(v))),
      longtaskMsInUpdate: stats(updates.map((u) => u.longtaskMs)),
      worstFrameMsInUpdate: stats(updates.map((u) => u.worstFrameMs)),
    },
    peerMainThreadDecode: {
      what: 'the same segment:mesh payloads decoded on the main thread (decodeMesh of @fastsam-xr/mesh/wire)',
      payloads: peer.length,
      triangles: stats(peer.map((p) => p.triangles)),
      decodeMs: stats(peer.map((p) => p.decodeMs)),
      longtaskMs: stats(peer.map((p) => p.longtaskMs)),
      worstFrameMs: stats(peer.map((p) => p.worstFrameMs)),
    },
    blockingRatio: +(peerWorst / workerWorst).toFixed(2),
    fullSizeLiverOnMainThread: {
      what: 'ground-truth liver label of the demo CT as a mask mesh (what a well-trained model returns)',
      voxels: mask.reduce((n, v) => n + v, 0),
      bytes: full.bytes,
      triangles: full.triangles,
      decodeMs: +full.decodeMs.toFixed(2),
      longtaskMs: +full.longtaskMs.toFixed(2),
      worstFrameMs: +full.worstFrameMs.toFixed(2),
    },
    pageErrors: app.errors.filter((e) => !/favicon/.test(e)).slice(0, 5),
  })
  await app.context.close()
} finally {
  observer?.disconnect()
  await e2e.close()
}
console.log(JSON.stringify(out, null, 2))
