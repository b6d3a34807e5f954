/**
 * The XR layer in a real browser (Debian chromium + IWER as a Quest 3, the real server and model,
 * through the e2e harness): what the e2e suite does not cover — the in-headset panel's
 * buttons under a ray, the handle bar held by two rays (scale), a squeeze turning the case, a trigger
 * click on the case placing a prompt without moving it, and presence sent in the case's RAS frame
 * (a participant who moves their own copy of the case is seen moved relative to the patient).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FsxXrHooks } from '../../src/xr/xrTestHooks.ts'
import {
  inPage,
  openApp,
  screenshot,
  startE2E,
  stepLogger,
  waitFsx,
  type AppPage,
  type E2E,
  type FsxWindow,
} from '../e2e/harness.ts'

type Vec3 = [number, number, number]
type XrWindow = FsxWindow & { __fsxXr: FsxXrHooks }
/** A participant as another page sees them, in that page's world (installed in the page by the test). */
type SeenPose = { head: Vec3; pointer: Vec3; right: Vec3 }
type Seen = { __seen(id: string): SeenPose | null }

let e2e: E2E

beforeAll(async () => {
  e2e = await startE2E()
}, 120_000)

afterAll(async () => {
  await e2e?.close()
})

async function enterVR(app: AppPage): Promise<void> {
  await inPage(app, 'enterVR', () => void (window as unknown as XrWindow).__fsx.xrStore.enterVR(), null)
  await waitFsx(app, '20 XR frames', () => (window as unknown as XrWindow).__fsx.xrFrames > 20, null, 40_000)
}

const placement = (app: AppPage) =>
  inPage(app, 'placement', () => (window as unknown as XrWindow).__fsxXr.placement()!, null)

/** Aims the right controller from near the user's right hip at a world point and clicks. */
async function clickAtWorld(app: AppPage, target: Vec3): Promise<void> {
  await inPage(
    app,
    'trigger click',
    async (t) => {
      const x = (window as unknown as XrWindow).__xrTest
      x.aim('controller', 'right', [0.12, 1.4, -0.05], t)
      await x.frames(3)
      await x.trigger('right', 1)
    },
    target,
  )
}

const panelButton = (app: AppPage, id: Parameters<FsxXrHooks['panelButtonWorld']>[0]) =>
  inPage(app, `panel button ${id}`, (b) => (window as unknown as XrWindow).__fsxXr.panelButtonWorld(b)!, id)

describe('XR layer', () => {
  it('panel buttons under a ray, the bar scales with two rays, squeeze turns the case, a trigger click places a prompt without moving the case', async () => {
    const step = stepLogger('xr layer')
    const app = await openApp(e2e, { xr: true })
    await enterVR(app)
    step('in VR')
    expect(await placement(app)).toEqual({ position: [0, 1.3, -0.6], quaternion: [0, 0, 0, 1], scale: 1 })

    // panel: the prompt sign toggles, a new segment appears
    const positive = await inPage(
      app,
      'sign',
      () =>
        (
          (window as unknown as XrWindow).__fsx.store.getState().view as unknown as {
            promptPositive: boolean
          }
        ).promptPositive,
      null,
    )
    await clickAtWorld(app, await panelButton(app, 'prompt-sign'))
    await waitFsx(
      app,
      'sign flipped',
      (p) =>
        (
          (window as unknown as XrWindow).__fsx.store.getState().view as unknown as {
            promptPositive: boolean
          }
        ).promptPositive === !p,
      positive,
    )
    await clickAtWorld(app, await panelButton(app, 'new-segment'))
    await waitFsx(
      app,
      'a segment created from the panel',
      () => (window as unknown as XrWindow).__fsx.store.getState().segmentOrder.length === 1,
      null,
    )
    await screenshot(app.page, 'xr-layer-panel')
    step('panel buttons')

    // the bar: both controllers hold it with their triggers and move apart → the case grows
    const bar = await inPage(app, 'bar', () => (window as unknown as XrWindow).__fsxXr.handleWorld()!, null)
    await inPage(
      app,
      'two rays on the bar',
      async (h) => {
        const x = (window as unknown as XrWindow).__xrTest
        const d = (window as unknown as XrWindow).__xrDevice
        x.aim('controller', 'left', [-0.1, 1.2, -0.2], [h[0] - 0.08, h[1], h[2]])
        x.aim('controller', 'right', [0.1, 1.2, -0.2], [h[0] + 0.08, h[1], h[2]])
        await x.frames(3)
        d.controllers.left.updateButtonValue('trigger', 1)
        d.controllers.right.updateButtonValue('trigger', 1)
        await x.frames(3)
        x.aim('controller', 'left', [-0.2, 1.2, -0.2], [h[0] - 0.16, h[1], h[2]])
        x.aim('controller', 'right', [0.2, 1.2, -0.2], [h[0] + 0.16, h[1], h[2]])
        await x.frames(4)
        d.controllers.left.updateButtonValue('trigger', 0)
        d.controllers.right.updateButtonValue('trigger', 0)
        await x.frames(2)
      },
      bar,
    )
    const scaled = await placement(app)
    expect(scaled.scale).toBeGreaterThan(1.5)
    await screenshot(app.page, 'xr-layer-bar-scaled')
    step(`bar: scale ${scaled.scale.toFixed(2)}`)

    // panel: reset view puts it back
    await clickAtWorld(app, await panelButton(app, 'reset-view'))
    await waitFsx(
      app,
      'reset view',
      () => (window as unknown as XrWindow).__fsxXr.placement()!.scale === 1,
      null,
    )
    expect((await placement(app)).position).toEqual([0, 1.3, -0.6])

    // squeeze one controller and turn it a quarter turn about +Y: the case turns with it
    await inPage(
      app,
      'squeeze and turn',
      async () => {
        const x = (window as unknown as XrWindow).__xrTest
        const c = (window as unknown as XrWindow).__xrDevice.controllers.right
        c.position.set(0.2, 1.3, -0.3)
        c.quaternion.set(0, 0, 0, 1)
        await x.frames(2)
        c.updateButtonValue('squeeze', 1)
        await x.frames(3)
        c.quaternion.set(0, Math.SQRT1_2, 0, Math.SQRT1_2)
        await x.frames(3)
        c.updateButtonValue('squeeze', 0)
        await x.frames(2)
      },
      null,
    )
    const turned = await placement(app)
    // rotation +90° about Y; the case centre swings about the grip (which sits a few mm off the pose)
    expect(Math.abs(turned.quaternion[1])).toBeCloseTo(Math.SQRT1_2, 3)
    expect(Math.abs(turned.quaternion[3])).toBeCloseTo(Math.SQRT1_2, 3)
    expect(turned.position[0]).toBeLessThan(-0.05)
    step('squeeze turned the case')

    // a trigger click on the case: a prompt, and the case stays where it is
    await inPage(app, 'reset', () => (window as unknown as XrWindow).__fsxXr.resetView(), null)
    const before = await inPage(
      app,
      'latencies',
      () => (window as unknown as XrWindow).__fsx.store.getState().latencies.length,
      null,
    )
    const centre = await inPage(
      app,
      'case centre',
      () => {
        const info = (window as unknown as XrWindow).__fsx.store.getState().room!.caseInfo
        const a = info.affine
        const c = info.dims.map((d) => (d - 1) / 2)
        const ras = [0, 1, 2].map(
          (r) => a[r * 4] * c[0] + a[r * 4 + 1] * c[1] + a[r * 4 + 2] * c[2] + a[r * 4 + 3],
        )
        return (window as unknown as XrWindow).__fsx.rasToWorld(ras as Vec3)!
      },
      null,
    )
    await clickAtWorld(app, [centre[0] + 0.02, centre[1] + 0.02, centre[2]])
    await waitFsx(
      app,
      'a prompt from the trigger',
      (b) => (window as unknown as XrWindow).__fsx.store.getState().latencies.length > b,
      before,
    )
    expect(await placement(app)).toEqual({ position: [0, 1.3, -0.6], quaternion: [0, 0, 0, 1], scale: 1 })
    await app.context.close()
  }, 240_000)

  it('presence goes out in RAS: the other page sees our head, hands and pointer relative to the patient, also after we moved our copy of the case', async () => {
    const a = await openApp(e2e, { xr: true })
    const shared = await inPage(a, 'share url', () => location.href, null)
    const aId = await inPage(
      a,
      'client id',
      () => (window as unknown as XrWindow).__fsx.store.getState().connection.clientId!,
      null,
    )
    const b = await openApp(e2e, { url: shared })
    await enterVR(a)
    // A's right controller aims at the case centre (home placement: world [0, 1.3, -0.6])
    await inPage(
      a,
      'aim at the centre',
      async () => {
        ;(window as unknown as XrWindow).__xrTest.aim(
          'controller',
          'right',
          [0.15, 1.4, -0.1],
          [0, 1.3, -0.6],
        )
        await (window as unknown as XrWindow).__xrTest.frames(6)
      },
      null,
    )
    // in B's page: A as B sees it, converted through B's own (unmoved) case into B's world
    await inPage(
      b,
      'install seen()',
      () => {
        const win = window as unknown as XrWindow & { __seen?: (id: string) => unknown }
        win.__seen = (id: string) => {
          const p = win.__fsx.store.getState().presence[id] as
            { head: { position: Vec3 }; hands?: { position: Vec3 }[]; pointer?: Vec3 } | undefined
          if (!p || !p.pointer || !p.hands || p.hands.length < 2) return null
          const f = win.__fsx
          return {
            head: f.rasToWorld(p.head.position)!,
            pointer: f.rasToWorld(p.pointer)!,
            right: f.rasToWorld(p.hands[1].position)!,
          }
        }
      },
      null,
    )
    await waitFsx(
      b,
      "A's presence with a pointer",
      (id) => (window as unknown as Seen).__seen(id) !== null,
      aId,
    )
    await waitFsx(
      b,
      "A's pointer at the case centre",
      (id) => {
        const s = (window as unknown as Seen).__seen(id)!
        return Math.hypot(s.pointer[0], s.pointer[1] - 1.3, s.pointer[2] + 0.6) < 0.01
      },
      aId,
    )
    const first = (await inPage(b, 'A seen', (id) => (window as unknown as Seen).__seen(id), aId))!
    // IWER's headset stands at about (0, 1.6, 0) (mono view: one eye, half an IPD to the side)
    expect(Math.abs(first.head[0])).toBeLessThan(0.05)
    expect(first.head[1]).toBeCloseTo(1.6, 2)

    // A squeezes with the left controller and carries ITS case 0.1 m to the right (+x)
    await inPage(
      a,
      'move own case',
      async () => {
        const c = (window as unknown as XrWindow).__xrDevice.controllers.left
        c.updateButtonValue('squeeze', 1)
        await (window as unknown as XrWindow).__xrTest.frames(3)
        c.position.set(c.position.x + 0.1, c.position.y, c.position.z)
        await (window as unknown as XrWindow).__xrTest.frames(3)
        c.updateButtonValue('squeeze', 0)
        await (window as unknown as XrWindow).__xrTest.frames(6)
      },
      null,
    )
    expect((await placement(a)).position[0]).toBeCloseTo(0.1, 3)
    // relative to the patient A's head, right hand and pointer are now 0.1 m further to −x
    await waitFsx(
      b,
      "A's head shifted",
      ([id, x]) => Math.abs((window as unknown as Seen).__seen(id)!.head[0] - (x - 0.1)) < 0.005,
      [aId, first.head[0]] as const,
    )
    const moved = (await inPage(b, 'A seen', (id) => (window as unknown as Seen).__seen(id), aId))!
    expect(moved.right[0]).toBeCloseTo(first.right[0] - 0.1, 2)
    expect(moved.pointer[0]).toBeCloseTo(first.pointer[0] - 0.1, 2)
    await screenshot(b.page, 'xr-layer-presence-seen-by-desktop')
    await a.context.close()
    await b.context.close()
  }, 240_000)
})
