/**
 * `npm run bench -- client [seconds]`: the WebXR client in headless Debian chromium (SwiftShader WebGL2,
 * no GPU) against the real edge server (shipped model, demo CT), with three segment meshes (liver,
 * right kidney, spleen; placed by mouse clicks on the slice planes like a user) plus refining clicks.
 * Prints one JSON document:
 *  - frameMs / fps: frame time (requestAnimationFrame deltas) over `seconds` (default 3) with the case,
 *    its bone preview, the slice planes and the three meshes: median, p95;
 *  - scene: triangles and draw calls per frame (three's renderer.info via `__fsx.sceneStats()`);
 *  - meshUpdate: per prompt, `segment:mesh` received → first frame showing it (the app's PromptLatency
 *    shownAt − receivedAt), received → decoded by the worker, prompt sent → shown, the server's total;
 *    main-thread cost: ms inside the WebSocket and Worker 'message' handlers (timed by wrapping them
 *    before the app loads), long tasks (PerformanceObserver 'longtask') and the worst frame in the
 *    update window [receivedAt, shownAt + one frame]; idleBaseline: the same without an update;
 *  - peerMainThreadDecode (same run, same bytes): the `segment:mesh` payloads the page received
 *    (captured by a Socket.IO observer joined to the room) decoded ON the main thread with
 *    `@fastsam-xr/mesh/wire` decodeMesh; `mainThreadMsPerMesh` and `blockingRatio` = main-thread ms of
 *    that path (socket handler + decode) / the app's worker path (socket handler + worker reply);
 *    plus a full-size liver (the demo CT's ground-truth label as a mask mesh, what a well-trained
 *    model returns) decoded on the main thread.
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
/**
 * refining clicks (mm offsets from the spleen point, towards the patient's right: away from the panel
 * on the right of the page; they land on the planes or on the spleen mesh).
 */
const REFINES: Vec3[] = [
  [6, 0, 0],
  [10, 0, -6],
  [14, 0, 4],
]

interface BenchWindow {
  __bench: {
    longtasks: [number, number][]
    frames: number[]
    /** main-thread time in WebSocket and Worker 'message' handlers: [kind, start, ms]. */
    handlers: ['socket' | 'worker', number, number][]
    /** ms of 'message' handlers of each kind that started in [t0, t1]. */
    handlerMs(t0: number, t1: number): { socket: number; worker: number }
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
    handlers: [],
    handlerMs(t0, t1) {
      const ms = { socket: 0, worker: 0 }
      for (const [kind, s, d] of b.handlers) if (s >= t0 && s <= t1) ms[kind] += d
      return ms
    },
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
  // Time every 'message' handler of WebSockets (socket.io) and Workers (the mesh worker's replies): the
  // main-thread work of receiving a mesh, whoever registers the handler and however.
  const wrapped = new WeakMap<object, EventListener>()
  const wrap = (kind: 'socket' | 'worker', fn: EventListener): EventListener => {
    let w = wrapped.get(fn)
    if (!w) {
      w = function (this: unknown, ev: Event) {
        const t0 = performance.now()
        try {
          return fn.call(this, ev)
        } finally {
          b.handlers.push([kind, t0, performance.now() - t0])
        }
      }
      wrapped.set(fn, w)
    }
    return w
  }
  for (const [cls, kind] of [
    [WebSocket, 'socket'],
    [Worker, 'worker'],
  ] as const) {
    const proto = cls.prototype as unknown as EventTarget
    const on = Object.getOwnPropertyDescriptor(cls.prototype, 'onmessage')!
    Object.defineProperty(cls.prototype, 'onmessage', {
      configurable: true,
      enumerable: true,
      get() {
        return on.get!.call(this)
      },
      set(fn) {
        on.set!.call(this, typeof fn === 'function' ? wrap(kind, fn) : fn)
      },
    })
    const add = EventTarget.prototype.addEventListener
    const remove = EventTarget.prototype.removeEventListener
    proto.addEventListener = function (
      type: string,
      fn: EventListenerOrEventListenerObject | null,
      o?: unknown,
    ) {
      const f = type === 'message' && typeof fn === 'function' ? wrap(kind, fn) : fn
      return add.call(this, type, f, o as AddEventListenerOptions)
    }
    proto.removeEventListener = function (
      type: string,
      fn: EventListenerOrEventListenerObject | null,
      o?: unknown,
    ) {
      const f = type === 'message' && typeof fn === 'function' ? (wrapped.get(fn) ?? fn) : fn
      return remove.call(this, type, f, o as EventListenerOptions)
    }
  }
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
  const onCanvas = await app.page.evaluate(([x, y]) => document.elementFromPoint(x, y)?.tagName, px)
  if (onCanvas !== 'CANVAS')
    throw new Error(`the click point ${px.map(Math.round)} is covered by ${onCanvas}`)
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
  const viewport = { width: 800, height: 600 }
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
        // from just before receivedAt: it is stamped inside the socket handler that delivered the mesh
        handlerMs: b.handlerMs(l.receivedAt! - 30, l.shownAt!),
      }))
  })
  if (updates.length < ORGANS.length)
    throw new Error(`only ${updates.length} prompt latencies with receivedAt and shownAt in the store`)

  // the same scene state as the updates (slices + meshes, preview hidden) without an update: the
  // baseline for the per-update figures (long tasks and worst frame in windows of the same length)
  const windowMs = stats(updates.map((u) => u.receivedToShownMs)).median + 50
  const idle = await app.page.evaluate(
    async ({ ms, n }) => {
      const b = (window as unknown as BenchWindow).__bench
      const res = []
      for (let i = 0; i < n; i++) {
        const t0 = performance.now()
        await new Promise((r) => setTimeout(r, ms))
        res.push(b.cost(t0, performance.now()))
      }
      await new Promise((r) => setTimeout(r, 120)) // let the long-task observer report
      return res
    },
    { ms: windowMs, n: 6 },
  )

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
  // each decode in its own task right after a frame; its window as long as the worker path's median
  // update window; one warm-up decode first (JIT; the app's worker is warm after its first mesh too)
  const decodeOnMain = async (items: { key: string; bytes: number[] }[]) =>
    app.page.evaluate(
      async ({ items, windowMs }) => {
        const w = window as unknown as BenchWindow
        await w.FXRM.decoderReadyPromise
        w.FXRM.decodeMesh(Uint8Array.from(items[0].bytes))
        const res = []
        for (const it of items) {
          const bytes = Uint8Array.from(it.bytes)
          await new Promise((r) => requestAnimationFrame(r))
          await new Promise((r) => setTimeout(r, 0))
          const t0 = performance.now()
          const mesh = w.FXRM.decodeMesh(bytes)
          const t1 = performance.now()
          await new Promise((r) => setTimeout(r, Math.max(0, t0 + windowMs - performance.now())))
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
      },
      { items, windowMs },
    )
  const peer = await decodeOnMain(peerPayloads)

  // a full-size liver (ground-truth label as a mask mesh, encoded like the server does) on the main thread
  const seg = e2e.anatomy.seg
  const mask = new Uint8Array(seg.data.length)
  for (let q = 0; q < mask.length; q++) mask[q] = seg.data[q] === e2e.anatomy.labels.liver ? 1 : 0
  const fullLiver = encodeMaskMesh(mask, seg.dims, seg.affine)
  const [full] = await decodeOnMain([{ key: 'liver-label', bytes: Array.from(fullLiver) }])

  const frameTimesOver = (ms: number) =>
    app.page.evaluate(async (ms) => {
      const b = (window as unknown as BenchWindow).__bench
      const from = b.frames.length
      await new Promise((r) => setTimeout(r, ms))
      const f = b.frames.slice(from)
      return f.slice(1).map((t, i) => t - f[i])
    }, ms)
  // frame time without the bone preview (slice planes + the three meshes: the state prompts are placed in)
  const sceneLight = await app.page.evaluate(() => (window as unknown as FsxWindow).__fsx.sceneStats())
  const frameTimesLight = await frameTimesOver(seconds * 1000)
  // frame time and scene size with the whole case shown (bone preview back on, planes where they are)
  await app.page.evaluate(() => {
    const store = (window as unknown as FsxWindow).__fsx.store
    store.setState({ view: { ...store.getState().view, previewVisible: true, slicesVisible: true } })
  })
  await nextFrames(app.page, 10)
  const scene = await app.page.evaluate(() => (window as unknown as FsxWindow).__fsx.sceneStats())
  const frameTimes = await frameTimesOver(seconds * 1000)

  // main-thread ms per mesh: worker path = the socket handler that receives it + the worker-reply handler;
  // main-thread path = the same socket handler + decodeMesh of the same bytes (the reply handler's store
  // update and the frame that uploads the geometry are the same on both paths and left out of both)
  const socketMs = stats(updates.map((u) => u.handlerMs.socket)).median
  const workerPathMs = stats(updates.map((u) => u.handlerMs.socket + u.handlerMs.worker)).median
  const mainThreadPathMs = socketMs + stats(peer.map((p) => p.decodeMs)).median
  Object.assign(out, {
    frameMs: stats(frameTimes),
    fps: +(1000 / stats(frameTimes).median).toFixed(1),
    withoutPreview: {
      frameMs: stats(frameTimesLight),
      triangles: sceneLight.triangles,
      drawCalls: sceneLight.drawCalls,
    },
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
      socketHandlerMs: stats(updates.map((u) => u.handlerMs.socket)),
      workerReplyHandlerMs: stats(updates.map((u) => u.handlerMs.worker)),
      longtaskMsInUpdate: stats(updates.map((u) => u.longtaskMs)),
      worstFrameMsInUpdate: stats(updates.map((u) => u.worstFrameMs)),
    },
    idleBaseline: {
      what: 'same scene state, no update: windows as long as the median update window',
      windowMs: +windowMs.toFixed(1),
      longtaskMs: stats(idle.map((i) => i.longtaskMs)),
      worstFrameMs: stats(idle.map((i) => i.worstFrameMs)),
    },
    peerMainThreadDecode: {
      what: 'the same segment:mesh payloads decoded on the main thread (decodeMesh of @fastsam-xr/mesh/wire)',
      payloads: peer.length,
      triangles: stats(peer.map((p) => p.triangles)),
      decodeMs: stats(peer.map((p) => p.decodeMs)),
      longtaskMs: stats(peer.map((p) => p.longtaskMs)),
      worstFrameMs: stats(peer.map((p) => p.worstFrameMs)),
    },
    mainThreadMsPerMesh: {
      workerPath: +workerPathMs.toFixed(2),
      mainThreadDecodePath: +mainThreadPathMs.toFixed(2),
      fullSizeLiverMainThreadDecodePath: +(socketMs + full.decodeMs).toFixed(2),
    },
    blockingRatio: +(mainThreadPathMs / workerPathMs).toFixed(2),
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
