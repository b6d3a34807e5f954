/**
 * The desktop panels in a real browser against the real server (the e2e harness: the built client,
 * the shipped model, the demo CT, Debian's chromium): every control goes through the server and is
 * checked in the store the server's answers fill, the feedback (status, latency, messages) against
 * what really happened. Screenshots: test/e2e/screenshots/ui-*.png.
 */
import type { WebSocketRoute } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppState } from '../../src/state/store.ts'
import { formatMs } from '../../src/ui/format.ts'
import { sliceAxes } from '../../src/ui/sliceAxes.ts'
import { NO_WEBXR_TEXT } from '../../src/ui/labels.ts'
import {
  nextFrames,
  openApp,
  planesThrough,
  screenshot,
  startE2E,
  stepLogger,
  type AppPage,
  type E2E,
} from '../e2e/harness.ts'

type Vec3 = [number, number, number]
type PageWindow = Window & {
  __fsx: { store: { getState(): AppState }; rasToScreen(ras: Vec3): [number, number] | null }
}

/** The compact layout (below 1100 px): the size the other browser tests use, and cheaper frames. */
const VIEWPORT = { width: 960, height: 600 }

let e2e: E2E

beforeAll(async () => {
  e2e = await startE2E()
})

afterAll(async () => {
  await e2e?.close()
})

/** The page's store, read in the page (a JSON-safe part of it). */
function state<R>(app: AppPage, pick: (s: AppState) => R): Promise<R> {
  return app.page.evaluate((source) => {
    const s = (window as unknown as PageWindow).__fsx.store.getState()
    return (0, eval)(source)(s)
  }, `(${pick.toString()})`)
}

/** Waits (polling in the page) until `pick` of the page's store returns something truthy. */
async function until<R>(app: AppPage, what: string, pick: (s: AppState) => R, timeout = 20_000): Promise<R> {
  try {
    const handle = await app.page.waitForFunction(
      (source) => (0, eval)(source)((window as unknown as PageWindow).__fsx.store.getState()),
      `(${pick.toString()})`,
      { timeout, polling: 50 },
    )
    return (await handle.jsonValue()) as R
  } catch (err) {
    throw new Error(`timed out waiting for ${what}`, { cause: err })
  }
}

/** Takes focus off any control, so a key goes to the page (as after a click in the 3D view). */
const blur = (app: AppPage) => app.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())

describe('desktop panels', () => {
  it('status, share link, and every segment control round-trips through the server', async () => {
    const step = stepLogger('ui panels')
    const app = await openApp(e2e, { viewport: VIEWPORT })
    const { page } = app
    step('page loaded')
    try {
      const room = await state(app, (s) => ({
        roomId: s.room!.roomId,
        token: s.room!.token,
        label: s.room!.caseInfo.label,
        model: s.room!.model,
        presets: s.room!.caseInfo.windowPresets,
        sliceAffine: s.room!.slices.affine,
      }))
      await page.waitForSelector('#status[data-connection="connected"][data-busy="false"]')
      const status = await page.textContent('#status')
      expect(status).toContain('connected')
      expect(status).toContain(room.label)
      expect(status).toContain(room.model!)
      // no IWER here: chromium's own navigator.xr offers no immersive-vr
      await page.waitForSelector('#enter-vr:disabled')
      expect(await page.textContent('#enter-vr')).toBe(NO_WEBXR_TEXT)
      const share = new URL((await page.getAttribute('#share-link', 'href'))!)
      expect(share.searchParams.get('room')).toBe(room.roomId)
      expect(share.searchParams.get('token')).toBe(room.token)
      expect(await page.isDisabled('#undo')).toBe(true)
      expect(await page.isDisabled('#redo')).toBe(true)

      step('status checked')
      // new segment: the button, then the N key
      await page.click('#new-segment')
      const first = await until(app, 'the first segment', (s) => s.segmentOrder[0])
      await blur(app)
      await page.keyboard.press('n')
      const second = await until(app, 'the second segment', (s) => s.segmentOrder[1])
      expect(await state(app, (s) => s.activeSegmentId)).toBe(second)
      expect(
        await page.$$eval('.segment-row', (rows) => rows.map((r) => (r as HTMLElement).dataset.segmentId)),
      ).toEqual([first, second])
      await page.waitForSelector(`.segment-row.active[data-segment-id="${second}"]`)

      step('segments created')
      // rename (typing an 'n' in the name must not create a segment), recolour, hide, show
      const row = page.locator(`.segment-row[data-segment-id="${first}"]`)
      await row.locator('.segment-name').dblclick()
      await page.keyboard.press('Control+a')
      await page.keyboard.type('Liver nodule')
      await page.keyboard.press('Enter')
      await until(app, 'the new name', (s) => s.segments[s.segmentOrder[0]].info.name === 'Liver nodule')
      expect(await state(app, (s) => s.segmentOrder.length)).toBe(2)
      await row.locator('input[type=color]').evaluate((el) => {
        const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!
        setValue.call(el, '#00ff88')
        el.dispatchEvent(new Event('input', { bubbles: true }))
      })
      await until(app, 'the new colour', (s) => s.segments[s.segmentOrder[0]].info.color === '#00ff88')
      await row.locator('.eye').click()
      await until(app, 'hidden', (s) => !s.segments[s.segmentOrder[0]].info.visible)
      await page.waitForSelector(`.segment-row.hidden-segment[data-segment-id="${first}"]`)
      await row.locator('.eye').click()
      await until(app, 'shown again', (s) => s.segments[s.segmentOrder[0]].info.visible)

      step('renamed, recoloured, hidden')
      // a click on the row selects it
      await row.locator('.segment-volume').click()
      await until(app, 'the first segment active', (s) => s.activeSegmentId === s.segmentOrder[0])

      // delete asks first: 'keep' keeps it, 'delete' deletes it for everyone
      const other = page.locator(`.segment-row[data-segment-id="${second}"]`)
      await other.locator('.delete').click()
      await other.locator('.confirm-delete button:not(.danger)').click()
      expect(await state(app, (s) => s.segmentOrder.length)).toBe(2)
      await other.locator('.delete').click()
      await screenshot(page, 'ui-1-confirm-delete')
      await other.locator('.confirm-delete .danger').click()
      await until(app, 'the second segment deleted', (s) => s.segmentOrder.length === 1)
      expect(await state(app, (s) => Object.keys(s.segments))).toEqual([first])
      await page.waitForSelector(`.segment-row[data-segment-id="${second}"]`, { state: 'detached' })

      step('deleted')
      // view controls write the view settings the scene draws from (the panel starts folded here)
      expect(await page.isVisible('#slice-axial')).toBe(false)
      await page.click('#view-controls summary')
      const bone = room.presets.find((p) => /bone/i.test(p.name)) ?? room.presets[room.presets.length - 1]
      await page.click(`.presets button:text-is("${bone.name}")`)
      expect(await state(app, (s) => s.view.window)).toEqual(bone)
      const axial = sliceAxes(room.sliceAffine).find((a) => a.plane === 'axial')!
      await page.locator('#slice-axial').fill('0.25')
      const position = await state(app, (s) => s.view.slicePosition)
      expect(position[axial.gridAxis]).toBeCloseTo(0.25, 1)
      await page.locator('#preview-opacity').fill('0.6')
      expect(await state(app, (s) => s.view.previewOpacity)).toBeCloseTo(0.6, 6)

      step('view set')
      // the export links download from the server
      const href = await page.getAttribute('.export-link[data-format="labels.nii.gz"]', 'href')
      const download = await app.context.request.get(href!)
      expect(download.status()).toBe(200)
      expect((await download.body()).length).toBeGreaterThan(348) // a NIfTI header and then some

      step('exported')
      // an upload the server refuses shows its reason, in red, until dismissed
      await page.setInputFiles('#upload', {
        name: 'not-a-volume.nii',
        mimeType: 'application/octet-stream',
        buffer: Buffer.from('this is not a NIfTI file'),
      })
      const message = await page.waitForSelector('#messages .message.error')
      expect(await message.textContent()).toMatch(/upload refused: .*NIfTI/)
      await screenshot(page, 'ui-2-panels-and-message')
      await page.click('#messages .message.error .dismiss')
      await page.waitForSelector('#messages .message.error', { state: 'detached' })
      expect(app.errors.filter((e) => !/favicon/.test(e))).toEqual([])
    } finally {
      await app.context.close()
    }
  }, 120_000)

  it('a prompt shows "segmenting…", then its round trip in #latency; Ctrl+Z / Ctrl+Shift+Z undo and redo it; reset view', async () => {
    const app = await openApp(e2e, {
      viewport: VIEWPORT,
      // notes whether the status ever said "segmenting…" (it may last less than a poll)
      init: async (page) => {
        await page.addInitScript(() => {
          const w = window as unknown as { __sawSegmenting: boolean }
          w.__sawSegmenting = false
          new MutationObserver(() => {
            if (document.querySelector('#status .busy-label')?.textContent === 'segmenting…')
              w.__sawSegmenting = true
          }).observe(document, { subtree: true, childList: true, characterData: true })
        })
      },
    })
    const { page } = app
    try {
      const liver = e2e.anatomy.interiorPoint('liver').ras
      await planesThrough(app, liver)
      const [x, y] = (await page.evaluate(
        (ras) => (window as unknown as PageWindow).__fsx.rasToScreen(ras),
        liver,
      ))!
      expect(await page.evaluate(([px, py]) => document.elementFromPoint(px, py)?.tagName, [x, y])).toBe(
        'CANVAS',
      )
      await page.mouse.click(x, y)
      await page.waitForSelector('#latency[data-ms]', { timeout: 60_000 })
      const latency = await state(app, (s) => s.latencies[s.latencies.length - 1])
      expect(latency.shownAt, 'the scene reported the frame that showed the mesh').toBeDefined()
      const ms = latency.shownAt! - latency.sentAt
      expect(Number(await page.getAttribute('#latency', 'data-ms'))).toBe(Math.round(ms))
      expect(await page.textContent('#latency strong')).toBe(formatMs(ms))
      expect(await page.textContent('#latency')).toMatch(/encode \d+ ms · decode \d+ ms/)
      expect(
        await page.evaluate(() => (window as unknown as { __sawSegmenting: boolean }).__sawSegmenting),
      ).toBe(true)
      await page.waitForSelector('#status[data-busy="false"]')
      const row = await page.textContent('.segment-row.active')
      const volume = await state(app, (s) => s.segments[s.activeSegmentId!].volumeMl)
      expect(volume).toBeGreaterThan(0)
      expect(row).toContain(`${volume.toFixed(1)} mL`)
      expect(row).toContain('+1 −0 points')
      await nextFrames(page, 2)
      await screenshot(page, 'ui-3-after-prompt')

      await blur(app)
      expect(await page.isEnabled('#undo')).toBe(true)
      await page.keyboard.press('Control+z')
      await until(app, 'the prompt undone', (s) => {
        const seg = s.segments[s.activeSegmentId!]
        return seg.prompts.length === 0 && seg.redoCount === 1
      })
      await page.waitForSelector('#redo:enabled')
      await page.waitForSelector('#undo:disabled')
      await page.keyboard.press('Control+Shift+Z')
      await until(app, 'the prompt redone', (s) => {
        const seg = s.segments[s.activeSegmentId!]
        return seg.prompts.length === 1 && seg.redoCount === 0
      })
      await page.waitForSelector('#redo:disabled')

      // a drag turns the orbit camera; "reset view" brings it back to where it started
      const liverOnScreen = async () =>
        (await page.evaluate((ras) => (window as unknown as PageWindow).__fsx.rasToScreen(ras), liver))!
      const before = await liverOnScreen()
      await page.mouse.move(480, 540)
      await page.mouse.down()
      await page.mouse.move(600, 520, { steps: 8 })
      await page.mouse.up()
      await nextFrames(page, 2)
      const turned = await liverOnScreen()
      expect(Math.hypot(turned[0] - before[0], turned[1] - before[1])).toBeGreaterThan(10)
      await page.click('#view-controls summary')
      await page.click('#reset-view')
      await nextFrames(page, 2)
      const back = await liverOnScreen()
      expect(Math.hypot(back[0] - before[0], back[1] - before[1])).toBeLessThan(1)
      expect(app.errors.filter((e) => !/favicon/.test(e))).toEqual([])
    } finally {
      await app.context.close()
    }
  }, 120_000)

  it('when the server becomes unreachable the status says so, edits are disabled, and it recovers', async () => {
    // the WebSocket goes through the test: it passes traffic to the real server, or refuses it
    let reachable = true
    const routes: WebSocketRoute[] = []
    const app = await openApp(e2e, {
      viewport: VIEWPORT,
      init: (page) =>
        page.routeWebSocket(/\/socket\.io\//, (ws) => {
          if (!reachable) {
            // fail at once, as a refused connection does: a frame that is no Engine.IO packet is an
            // error the client reports right away (a silent socket would wait out its 20 s timeout)
            ws.send('not an engine.io packet')
            return void ws.close({ code: 1011, reason: 'unreachable' })
          }
          ws.connectToServer()
          routes.push(ws)
        }),
    })
    const { page } = app
    const step = stepLogger('ui offline')
    try {
      await page.waitForSelector('#status[data-connection="connected"]')
      expect(await page.isEnabled('#new-segment')).toBe(true)
      step('connected')
      reachable = false
      for (const ws of routes.splice(0)) await ws.close()
      await page.waitForSelector('#status[data-connection="disconnected"]', { timeout: 20_000 })
      step('disconnected')
      expect(await page.textContent('#status .connection')).toBe('offline')
      expect(await page.isDisabled('#new-segment')).toBe(true)
      await page.waitForSelector('#messages .message.error', { timeout: 30_000 })
      expect(await page.textContent('#messages')).toMatch(/retrying/)
      step('message shown')
      await screenshot(page, 'ui-4-offline')

      reachable = true
      await page.waitForSelector('#status[data-connection="connected"]', { timeout: 30_000 })
      step('reconnected')
      await page.waitForSelector('#new-segment:enabled')
      expect(await page.textContent('#status .connection')).toBe('connected')
      // the outage's error gives way to a notice
      await page.waitForSelector('#messages .message.error', { state: 'detached' })
      expect(await page.textContent('#messages .message.info')).toMatch(/reconnected/)
    } finally {
      await app.context.close()
    }
  }, 120_000)
})
