/**
 * End-to-end harness: the REAL edge server in this process (port 0, no TLS, temporary data folder, the
 * shipped model, the built-in demo CT) serving the test build of the client (`apps/xr/dist-test`) at `/`, and Debian's
 * chromium driven by playwright-core (headless, SwiftShader WebGL2). For XR tests IWER (an emulated
 * Quest 3) is installed into the page before the app loads (`installRuntime({ forceInstall: true })`,
 * see shared/docs/browser-xr-testing.md). The app's test hooks (`window.__fsx`, src/testHooks.ts) are
 * how the tests read the store and the scene.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { loadConfig, startServer, type RunningServer } from '@fastsam-xr/server'
import { repoRoot } from '@fastsam-xr/test/paths'
import { loadAnatomy, type Anatomy } from './anatomy.ts'
import { decodePng, type Image } from './png.ts'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const DEMO_CT = join(repoRoot, 'server', 'demo', 'example_ct.nii.gz')
export const SCREENSHOTS = join(repoRoot, 'apps', 'xr', 'test', 'e2e', 'screenshots')
// the test build (page hooks on, src/testBuild.ts); `npm start` serves apps/xr/dist, which has none
const CLIENT_DIR = join(repoRoot, 'apps', 'xr', 'dist-test')
const DIST_INDEX = join(CLIENT_DIR, 'index.html')

type Vec3 = [number, number, number]

/** The test-side view of `window.__fsx` (the contract in src/testHooks.ts). */
export interface FsxHooks {
  store: { getState(): AppStateView; setState(partial: unknown): void }
  xrStore: { getState(): { session: unknown } & Record<string, unknown>; enterVR(): Promise<unknown> }
  frames: number
  xrFrames: number
  rasToWorld(ras: Vec3): Vec3 | null
  worldToRas(world: Vec3): Vec3 | null
  rasToScreen(ras: Vec3): [number, number] | null
  sceneStats(): SceneStats
  shown: Record<string, { revision: number; at: number }>
  hits: { type: string; point: Vec3; pointerType: string; objectName: string }[]
  decodeOnMainThread?(bytes: Uint8Array): unknown
}

export interface SceneStats {
  triangles: number
  drawCalls: number
  segmentMeshes: { segmentId: string; revision: number; triangles: number; visible: boolean }[]
  markers: number
  avatars: number
  previewTriangles: number
}

/** The parts of the app store (src/state/store.ts) the tests read. */
export interface AppStateView {
  connection: { status: string; clientId: string | null; error: string | null }
  loading: { label: string; progress: number | null } | null
  room: {
    roomId: string
    token: string
    caseInfo: { caseId: string; dims: Vec3; affine: number[] }
    slices: { dims: Vec3; affine: number[] }
    preview: { threshold: number } | null
  } | null
  segments: Record<
    string,
    {
      info: { segmentId: string; name: string; color: string; visible: boolean }
      prompts: { seq: number; pointWorldRas: Vec3; positive: boolean; clientId: string }[]
      revision: number
      voxels: number
      volumeMl: number
      mesh: { triangles: number } | null
      pendingSeqs: number[]
    }
  >
  segmentOrder: string[]
  activeSegmentId: string | null
  presence: Record<string, unknown>
  view: { slicePosition: Vec3; previewVisible: boolean; slicesVisible: boolean }
  latencies: {
    segmentId: string
    seq: number
    sentAt: number
    receivedAt?: number
    decodedAt?: number
    shownAt?: number
    server?: { totalMs: number }
  }[]
  messages: { level: string; text: string }[]
}

/** `window` in the page, as the tests see it. */
export type FsxWindow = Window & {
  __fsx: FsxHooks
  __xrDevice: IwerDevice
  __xrTest: XrTestHelpers
}

/** The few IWER members the tests use (iwer 2.5 XRDevice). */
export interface IwerDevice {
  primaryInputMode: 'controller' | 'hand'
  activeSession: unknown
  position: { set(x: number, y: number, z: number): void }
  quaternion: { set(x: number, y: number, z: number, w: number): void }
  controllers: Record<'left' | 'right', IwerPose & { updateButtonValue(id: string, v: number): void }>
  hands: Record<'left' | 'right', IwerPose & { updatePinchValue(v: number): void }>
  remote: { dispatch(action: string, params: unknown): Promise<unknown> }
}
interface IwerPose {
  position: { x: number; y: number; z: number; set(x: number, y: number, z: number): void }
  quaternion: { set(x: number, y: number, z: number, w: number): void }
}
export interface XrTestHelpers {
  frames(n?: number): Promise<void>
  /** trigger press, `hold` XR frames, release, inside one call (the 300 ms click threshold). */
  trigger(hand?: 'left' | 'right', hold?: number): Promise<void>
  pinch(hand?: 'left' | 'right', hold?: number): Promise<void>
  /** sets a button (e.g. 'squeeze', 'trigger') on a controller without releasing it. */
  press(hand: 'left' | 'right', button: string, value: number): void
  /** points a controller or hand (its -Z) from `from` at `to` (world metres). */
  aim(device: 'controller' | 'hand', hand: 'left' | 'right', from: Vec3, to: Vec3): void
}

export interface E2E {
  server: RunningServer
  url: string
  /** the server's site key (what `?key=` of the printed address carries). */
  siteKey: string
  browser: Browser
  anatomy: Anatomy
  close(): Promise<void>
}

/** Builds apps/xr/dist-test if it is missing or older than its sources (a no-op when fresh). */
export function ensureClientBuilt(): void {
  const r = spawnSync(process.execPath, ['scripts/build-client.mjs', '--test'], {
    cwd: repoRoot,
    encoding: 'utf8',
  })
  if (r.status !== 0 || !existsSync(DIST_INDEX))
    throw new Error(
      `apps/xr/dist-test is not built: run \`node scripts/build-client.mjs --test\` at the repository root\n${r.stdout}${r.stderr}`,
    )
}

/** Server + chromium for one test file. */
export async function startE2E(): Promise<E2E> {
  ensureClientBuilt()
  if (!existsSync(CHROMIUM))
    throw new Error(`chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`)
  const dataDir = mkdtempSync(join(tmpdir(), 'fastsam-e2e-'))
  const config = {
    ...loadConfig(['--port', '0', '--host', '127.0.0.1', '--data', dataDir, '--tls', 'off'], {
      FASTSAM_LOG_LEVEL: 'silent',
    }),
    clientDir: CLIENT_DIR,
  }
  const [server, anatomy] = await Promise.all([startServer(config), loadAnatomy(DEMO_CT)])
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      // keep requestAnimationFrame running at full rate in background pages (collaboration test)
      '--disable-background-timer-throttling',
      '--disable-renderer-backgrounding',
      '--disable-backgrounding-occluded-windows',
    ],
  })
  return {
    server,
    url: `http://127.0.0.1:${server.port}/`,
    siteKey: server.siteKey,
    browser,
    anatomy,
    async close() {
      await browser.close().catch(() => {})
      await server.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export interface AppPage {
  page: Page
  context: BrowserContext
  /** console errors and uncaught exceptions of the page, for failure messages. */
  errors: string[]
}

const require = createRequire(import.meta.url)

/** Opens the app (optionally with IWER installed) and waits until the room is loaded and frames run. */
export async function openApp(
  e2e: E2E,
  opts: {
    xr?: boolean
    url?: string
    viewport?: { width: number; height: number }
    /** runs before navigation (e.g. page.addInitScript for observers that must see the load). */
    init?: (page: Page) => Promise<void>
  } = {},
): Promise<AppPage> {
  const context = await e2e.browser.newContext({ viewport: opts.viewport ?? { width: 960, height: 600 } })
  const page = await context.newPage()
  const errors: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text())
  })
  page.on('pageerror', (e) => errors.push(String(e)))
  // Under tsx (the benchmark) functions handed to the page are compiled with esbuild's keepNames, which
  // calls a `__name` helper that exists only in Node: give the page an identity one.
  await page.addInitScript({ content: 'globalThis.__name = globalThis.__name || ((f) => f)' })
  if (opts.xr) await installIwer(page)
  if (opts.init) await opts.init(page)
  // the address the server prints carries the site key; a shared room link (opts.url) does not
  await page.goto(opts.url ?? `${e2e.url}?key=${e2e.siteKey}`)
  await waitForRoom({ page, context, errors })
  return { page, context, errors }
}

/** `window.__fsx` exists, the room (case, slices) is in the store and the frame loop runs. */
export async function waitForRoom(app: AppPage, timeout = 45_000): Promise<void> {
  try {
    await app.page.waitForFunction(
      () => {
        const f = (window as unknown as FsxWindow).__fsx
        return !!f && f.store.getState().room !== null && f.frames > 5
      },
      undefined,
      { timeout, polling: 100 },
    )
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${await describePage(app)}`, { cause: err })
  }
}

/** What the page shows, for failure messages. */
export async function describePage(app: AppPage): Promise<string> {
  const state = await app.page
    .evaluate(() => {
      const f = (window as unknown as FsxWindow).__fsx
      if (!f) return 'window.__fsx is missing (src/testHooks.ts installTestHooks)'
      const s = f.store.getState()
      return JSON.stringify({
        connection: s.connection,
        loading: s.loading,
        room: s.room?.roomId ?? null,
        segments: Object.values(s.segments).map((g) => ({
          id: g.info.segmentId,
          revision: g.revision,
          voxels: g.voxels,
          prompts: g.prompts.length,
          pending: g.pendingSeqs,
        })),
        messages: s.messages,
        frames: f.frames,
        xrFrames: f.xrFrames,
        hits: f.hits?.slice(-4),
      })
    })
    .catch((e: Error) => `page not readable: ${e.message}`)
  return `page state: ${state}\npage errors: ${app.errors.slice(-8).join(' | ') || 'none'}`
}

/** Waits on a condition over `window.__fsx` (evaluated in the page), with the page state on failure. */
export async function waitFsx<A>(
  app: AppPage,
  what: string,
  predicate: (arg: A) => unknown,
  arg: A,
  timeout = 20_000,
): Promise<void> {
  try {
    // (playwright's Unboxed<A> argument type does not unify with a generic A)
    await app.page.waitForFunction(predicate as (arg: unknown) => unknown, arg as unknown, {
      timeout,
      polling: 50,
    })
  } catch (err) {
    throw new Error(
      `waiting for ${what}: ${(err as Error).message.split('\n')[0]}\n${await describePage(app)}`,
      {
        cause: err,
      },
    )
  }
}

/** A screenshot of the page, written to test/e2e/screenshots/<name>.png, decoded. */
export async function screenshot(page: Page, name: string): Promise<Image> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  const png = await page.screenshot({ type: 'png' })
  writeFileSync(join(SCREENSHOTS, `${name}.png`), png)
  return decodePng(png)
}

/** RAS mm → fractions 0..1 of the slice grid (voxel index / (dims − 1)), as `view.slicePosition`. */
export function slicePositionThrough(slices: { dims: Vec3; affine: number[] }, ras: Vec3): Vec3 {
  const m = slices.affine
  // Solve affine · (i, j, k, 1) = ras for the 3×3 part (Cramer's rule; the grid is never singular).
  const a = [
    [m[0], m[1], m[2]],
    [m[4], m[5], m[6]],
    [m[8], m[9], m[10]],
  ]
  const b = [ras[0] - m[3], ras[1] - m[7], ras[2] - m[11]]
  const det = (x: number[][]): number =>
    x[0][0] * (x[1][1] * x[2][2] - x[1][2] * x[2][1]) -
    x[0][1] * (x[1][0] * x[2][2] - x[1][2] * x[2][0]) +
    x[0][2] * (x[1][0] * x[2][1] - x[1][1] * x[2][0])
  const d = det(a)
  const ijk = [0, 1, 2].map((c) => det(a.map((row, r) => row.map((v, k) => (k === c ? b[r] : v)))) / d)
  return ijk.map((v, axis) => Math.min(1, Math.max(0, v / (slices.dims[axis] - 1)))) as Vec3
}

/**
 * Moves all three slice planes through `ras` and hides the bone preview, so a ray from anywhere at
 * that point meets a slice plane there first (every plane contains the point).
 */
export async function planesThrough(app: AppPage, ras: Vec3): Promise<void> {
  const slices = await app.page.evaluate(() => {
    const s = (window as unknown as FsxWindow).__fsx.store.getState()
    return s.room!.slices
  })
  const slicePosition = slicePositionThrough(slices, ras)
  await app.page.evaluate((pos) => {
    const store = (window as unknown as FsxWindow).__fsx.store
    const view = store.getState().view
    store.setState({ view: { ...view, slicePosition: pos, slicesVisible: true, previewVisible: false } })
  }, slicePosition)
  // two frames so the planes moved before anyone aims at them
  await nextFrames(app.page, 3)
}

/** Waits until the page rendered `n` more frames (desktop or XR). */
export async function nextFrames(page: Page, n: number, timeout = 15_000): Promise<void> {
  const start = await page.evaluate(() => {
    const f = (window as unknown as FsxWindow).__fsx
    return f.frames + f.xrFrames
  })
  await page.waitForFunction(
    ([s, k]) => {
      const f = (window as unknown as FsxWindow).__fsx
      return f.frames + f.xrFrames >= s + k
    },
    [start, n] as const,
    { timeout, polling: 20 },
  )
}

/** IWER (emulated Quest 3) before any app script, plus in-page helpers that run on XR frames. */
async function installIwer(page: Page): Promise<void> {
  await page.addInitScript({ path: require.resolve('iwer/build/iwer.min.js') })
  await page.addInitScript(() => {
    type V3 = [number, number, number]
    const IWER = (window as unknown as { IWER: Record<string, unknown> }).IWER as unknown as {
      XRDevice: new (cfg: unknown, opts: unknown) => IwerDevice & { installRuntime(o: unknown): void }
      metaQuest3: unknown
    }
    const device = new IWER.XRDevice(IWER.metaQuest3, { stereoEnabled: false })
    device.installRuntime({ forceInstall: true })
    const w = window as unknown as FsxWindow
    w.__xrDevice = device
    const frames = async (n = 1): Promise<void> => {
      const s = device.activeSession as { requestAnimationFrame(cb: () => void): void } | null
      if (!s) throw new Error('no active XR session')
      for (let i = 0; i < n; i++) await new Promise<void>((r) => s.requestAnimationFrame(() => r()))
    }
    /** quaternion turning -Z towards `dir` (unit), shortest arc. */
    const lookQuat = (dir: V3): [number, number, number, number] => {
      const f: V3 = [0, 0, -1]
      const dot = f[0] * dir[0] + f[1] * dir[1] + f[2] * dir[2]
      if (dot < -0.999999) return [0, 1, 0, 0]
      const axis: V3 = [
        f[1] * dir[2] - f[2] * dir[1],
        f[2] * dir[0] - f[0] * dir[2],
        f[0] * dir[1] - f[1] * dir[0],
      ]
      const q = [axis[0], axis[1], axis[2], 1 + dot]
      const n = Math.hypot(q[0], q[1], q[2], q[3])
      return [q[0] / n, q[1] / n, q[2] / n, q[3] / n]
    }
    w.__xrTest = {
      frames,
      async trigger(hand = 'right', hold = 2) {
        const c = device.controllers[hand]
        c.updateButtonValue('trigger', 1)
        await frames(hold)
        c.updateButtonValue('trigger', 0)
        await frames(2)
      },
      async pinch(hand = 'right', hold = 2) {
        const h = device.hands[hand]
        h.updatePinchValue(1)
        await frames(hold)
        h.updatePinchValue(0)
        await frames(2)
      },
      press(hand, button, value) {
        device.controllers[hand].updateButtonValue(button, value)
      },
      aim(kind, hand, from, to) {
        const pose = kind === 'controller' ? device.controllers[hand] : device.hands[hand]
        const d: V3 = [to[0] - from[0], to[1] - from[1], to[2] - from[2]]
        const len = Math.hypot(d[0], d[1], d[2])
        const q = lookQuat([d[0] / len, d[1] / len, d[2] / len])
        pose.position.set(from[0], from[1], from[2])
        pose.quaternion.set(q[0], q[1], q[2], q[3])
      },
    }
  })
}

/**
 * page.evaluate with a time limit (an in-page wait on XR frames never returns if the session stops
 * rendering) and the page state in the error.
 */
export async function inPage<A, R>(
  app: AppPage,
  what: string,
  fn: (arg: A) => R | Promise<R>,
  arg: A,
  timeout = 20_000,
): Promise<R> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${timeout} ms`)), timeout)
  })
  try {
    return await Promise.race([
      app.page.evaluate(fn as (arg: unknown) => R | Promise<R>, arg as unknown) as Promise<R>,
      limit,
    ])
  } catch (err) {
    throw new Error(`${(err as Error).message.split('\n')[0]}\n${await describePage(app)}`, { cause: err })
  } finally {
    clearTimeout(timer)
  }
}

/** Logs a test step with the seconds since `start` (stderr; shows where a slow or stuck run is). */
export function stepLogger(name: string): (step: string) => void {
  const start = performance.now()
  return (step) => console.error(`[${name} ${((performance.now() - start) / 1000).toFixed(1)} s] ${step}`)
}
