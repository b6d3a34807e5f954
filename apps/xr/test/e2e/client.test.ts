/**
 * The WebXR client end to end (issue 7, "Tests"): the real edge server with the shipped model and the
 * demo CT, the built client, Debian's chromium (SwiftShader WebGL2) and IWER as an emulated Quest 3.
 * One chromium for the whole file (two cores): desktop prompting, XR prompting with a controller and
 * hands plus grabbing the case, and two participants in one room. Screenshots of every state go to
 * test/e2e/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  inPage,
  nextFrames,
  openApp,
  planesThrough,
  screenshot,
  startE2E,
  stepLogger,
  waitFsx,
  type AppPage,
  type E2E,
  type FsxWindow,
} from './harness.ts'
import { parseHexColor, pixelsTowards } from './png.ts'
import { expectAimedAt, expectInside, readSegments, takeHits, waitForMesh } from './segments.ts'

type Vec3 = [number, number, number]

let e2e: E2E
/** deep inside the liver, and a second liver point 30 mm to the patient's left or right / up / down. */
let liver: Vec3
let liverSecond: Vec3

beforeAll(async () => {
  e2e = await startE2E()
  liver = e2e.anatomy.interiorPoint('liver').ras
  // The second point must be liver too, beside the first one as seen from the front; with a first mask that
  // covers most of the liver the ray may meet that mask's surface first (expectAimedAt accepts both).
  const offsets: Vec3[] = [
    [30, 0, 0],
    [-30, 0, 0],
    [0, 0, 30],
    [0, 0, -30],
  ]
  const second = offsets
    .map((d): Vec3 => [liver[0] + d[0], liver[1] + d[1], liver[2] + d[2]])
    .find((p) => e2e.anatomy.labelAt(p) === e2e.anatomy.labels.liver)
  if (!second) throw new Error('no second liver point 30 mm beside the first')
  liverSecond = second
}, 120_000)

afterAll(async () => {
  await e2e?.close()
})

/** Clicks the desktop canvas at a RAS point (planes moved through it first); returns the pixel. */
async function clickAt(app: AppPage, ras: Vec3, negative = false): Promise<[number, number]> {
  await planesThrough(app, ras)
  const px = await app.page.evaluate((p) => (window as unknown as FsxWindow).__fsx.rasToScreen(p), ras)
  expect(px, 'rasToScreen of a point inside the case').not.toBeNull()
  const [x, y] = px!
  const size = app.page.viewportSize()!
  expect(x).toBeGreaterThan(0)
  expect(y).toBeGreaterThan(0)
  expect(x).toBeLessThan(size.width)
  expect(y).toBeLessThan(size.height)
  const onCanvas = await app.page.evaluate(([px, py]) => document.elementFromPoint(px, py)?.tagName, [x, y])
  expect(onCanvas, `the point at (${x.toFixed(0)}, ${y.toFixed(0)}) is covered by the page`).toBe('CANVAS')
  await takeHits(app)
  if (negative) await app.page.keyboard.down('Shift')
  await app.page.mouse.click(x, y)
  if (negative) await app.page.keyboard.up('Shift')
  return [x, y]
}

/** Sets a segment's visibility in the page's store only (a local view change) and lets frames render. */
async function setSegmentVisible(app: AppPage, segmentId: string, visible: boolean): Promise<void> {
  await app.page.evaluate(
    ([id, v]) => {
      const store = (window as unknown as FsxWindow).__fsx.store
      const s = store.getState()
      const g = s.segments[id]
      store.setState({ segments: { ...s.segments, [id]: { ...g, info: { ...g.info, visible: v } } } })
    },
    [segmentId, visible] as const,
  )
  await nextFrames(app.page, 4)
}

describe('desktop', () => {
  it('a click inside the liver on a slice plane gives a rendered mesh; a negative click changes it; undo restores it', async () => {
    const step = stepLogger('desktop')
    const app = await openApp(e2e)
    try {
      step('page loaded')
      await screenshot(app.page, 'desktop-1-case-loaded')
      const stats = await app.page.evaluate(() => (window as unknown as FsxWindow).__fsx.sceneStats())
      expect(stats.drawCalls).toBeGreaterThan(0)

      // positive click
      const [x, y] = await clickAt(app, liver)
      const first = await waitForMesh(app)
      step('mesh shown')
      const hits = await takeHits(app)
      const press = hits.find((h) => h.type === 'pointerdown' || h.type === 'click')
      expect(press, `a pointer hit at (${x}, ${y}): ${JSON.stringify(hits)}`).toBeDefined()
      expectInside(e2e.anatomy, 'liver', press!.ras, 'the clicked point')
      expect(press!.objectName).toMatch(/slice/i)
      expect(first.prompts).toHaveLength(1)
      expect(first.prompts[0].positive).toBe(true)
      expectInside(e2e.anatomy, 'liver', first.prompts[0].pointWorldRas, 'the prompt sent')
      expect(first.voxels).toBeGreaterThan(0)
      expect(first.volumeMl).toBeGreaterThan(0)
      expect(first.sceneTriangles).toBeGreaterThan(0)
      await expect.poll(() => app.page.textContent('#latency')).toMatch(/\d+(\.\d+)?\s*(ms|s)\b/)
      const shown = await screenshot(app.page, 'desktop-2-liver-mesh')

      // the mesh is on screen: hiding it changes pixels around the click towards the segment's colour
      await setSegmentVisible(app, first.segmentId, false)
      const hidden = await screenshot(app.page, 'desktop-3-liver-mesh-hidden')
      await setSegmentVisible(app, first.segmentId, true)
      // (screenshots are in CSS pixels: device scale factor 1; the blob is ~25 mm, some 20–40 px)
      const near: [number, number, number, number] = [x - 60, y - 60, x + 60, y + 60]
      const seen = pixelsTowards(hidden, shown, parseHexColor(first.color), near)
      step(
        `${seen.count} pixels near (${x.toFixed(0)}, ${y.toFixed(0)}) in the segment colour ${first.color}`,
      )
      expect(seen.count, 'pixels drawn in the segment colour near the click').toBeGreaterThan(20)
      // and the rest of the canvas did not change colour that way (the mesh is where it was clicked)
      const elsewhere = pixelsTowards(hidden, shown, parseHexColor(first.color), [
        x + 120,
        0,
        shown.width - 1,
        shown.height - 1,
      ])
      expect(elsewhere.count, 'segment-coloured pixels far right of the click').toBeLessThan(seen.count / 4)

      // negative click (shift+click) in the liver beside the first mask: the segment is recomputed with it.
      // Not "shrinks": the shipped model refines from its previous logits on every pass and can grow the
      // mask elsewhere (5086 -> 5792 voxels here; MODEL_CARD.md, known limits)
      await clickAt(app, liverSecond, true)
      const afterNegative = await waitForMesh(app, {
        segmentId: first.segmentId,
        afterRevision: first.revision,
      })
      step(`negative click answered: ${first.voxels} → ${afterNegative.voxels} voxels`)
      const negHits = await takeHits(app)
      const negPress = negHits.find((h) => h.type === 'pointerdown' || h.type === 'click')
      expectAimedAt(e2e.anatomy, 'liver', negPress, 'the negative click')
      expect(afterNegative.prompts).toHaveLength(2)
      expect(afterNegative.prompts[1].positive).toBe(false)
      expect(afterNegative.voxels).not.toBe(first.voxels)
      expect(afterNegative.volumeMl).not.toBeCloseTo(first.volumeMl, 3)
      await screenshot(app.page, 'desktop-4-after-negative')

      // undo: the mask of the first prompt again, voxel for voxel in count
      await app.page.click('#undo')
      const restored = await waitForMesh(app, {
        segmentId: first.segmentId,
        afterRevision: afterNegative.revision,
      })
      step('undo answered')
      expect(restored.prompts).toHaveLength(1)
      expect(restored.voxels).toBe(first.voxels)
      expect(restored.volumeMl).toBeCloseTo(first.volumeMl, 6)
      await screenshot(app.page, 'desktop-5-after-undo')
      expect(app.errors.filter((e) => !/favicon/.test(e))).toEqual([])
    } finally {
      await app.context.close()
    }
  }, 120_000)
})

/** The case-frame group's world matrix decomposed (scale, position). */
async function caseFrame(app: AppPage): Promise<{ scale: number; position: Vec3 }> {
  return app.page.evaluate(() => {
    const f = (window as unknown as FsxWindow).__fsx
    // world positions of the RAS origin and a point 100 mm away: their distance is the scale
    const a = f.rasToWorld([0, 0, 0])!
    const b = f.rasToWorld([100, 0, 0])!
    return { scale: Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]) / 100, position: a }
  })
}

describe('XR (emulated Quest 3)', () => {
  it('controller trigger on a slice plane → mesh; hand pinch → second prompt; squeeze grabs and scales the case', async () => {
    const step = stepLogger('xr')
    const app = await openApp(e2e, { xr: true })
    try {
      step('page loaded')
      await app.page.click('#enter-vr')
      await waitFsx(
        app,
        'an immersive session with XR frames',
        () => {
          const f = (window as unknown as FsxWindow).__fsx
          return f.xrStore.getState().session != null && f.xrFrames > 20
        },
        undefined,
        30_000,
      )
      step('in XR')
      await screenshot(app.page, 'xr-1-entered')

      // controller: aim the right controller from in front of the case at the liver point, pull the trigger
      await planesThrough(app, liver)
      const target = await inPage(
        app,
        'rasToWorld',
        (p) => (window as unknown as FsxWindow).__fsx.rasToWorld(p),
        liver,
      )
      expect(target).not.toBeNull()
      await takeHits(app)
      await inPage(
        app,
        'aim the right controller',
        async (t) => {
          const x = (window as unknown as FsxWindow).__xrTest
          x.aim('controller', 'right', [t[0] + 0.15, t[1] + 0.1, t[2] + 0.45], t)
          await x.frames(4)
        },
        target!,
      )
      await inPage(
        app,
        'trigger',
        () => (window as unknown as FsxWindow).__xrTest.trigger('right'),
        undefined,
      )
      step('trigger pulled')
      const first = await waitForMesh(app, { timeout: 40_000 })
      step('mesh shown')
      const hits = await takeHits(app)
      const rayHit = hits.find(
        (h) => h.pointerType === 'ray' && (h.type === 'pointerdown' || h.type === 'click'),
      )
      expect(rayHit, JSON.stringify(hits)).toBeDefined()
      expectInside(e2e.anatomy, 'liver', rayHit!.ras, 'the controller ray hit')
      expect(first.prompts).toHaveLength(1)
      expect(first.prompts[0].positive).toBe(true)
      expectInside(e2e.anatomy, 'liver', first.prompts[0].pointWorldRas, 'the XR prompt sent')
      expect(first.sceneTriangles).toBeGreaterThan(0)
      await screenshot(app.page, 'xr-2-controller-prompt-mesh')

      // hands: pinch with the right hand's ray at the second liver point → a second prompt
      await inPage(
        app,
        'switch to hands',
        async () => {
          const w = window as unknown as FsxWindow
          w.__xrDevice.primaryInputMode = 'hand'
          await w.__xrTest.frames(10)
        },
        undefined,
      )
      step('hands')
      await planesThrough(app, liverSecond)
      const target2 = await inPage(
        app,
        'rasToWorld',
        (p) => (window as unknown as FsxWindow).__fsx.rasToWorld(p),
        liverSecond,
      )
      await takeHits(app)
      await inPage(
        app,
        'aim the right hand',
        async (t) => {
          const x = (window as unknown as FsxWindow).__xrTest
          x.aim('hand', 'right', [t[0] + 0.15, t[1] + 0.05, t[2] + 0.4], t)
          await x.frames(4)
        },
        target2!,
      )
      await inPage(app, 'pinch', () => (window as unknown as FsxWindow).__xrTest.pinch('right'), undefined)
      step('pinched')
      const second = await waitForMesh(app, { segmentId: first.segmentId, afterRevision: first.revision })
      step('second mesh shown')
      const handHits = await takeHits(app)
      const pinchHit = handHits.find((h) => h.type === 'pointerdown' || h.type === 'click')
      expectAimedAt(e2e.anatomy, 'liver', pinchHit, 'the hand ray hit')
      expect(second.prompts).toHaveLength(2)
      // the prompt sent is the point the ray hit (on the plane in the liver, or on the first mask's surface)
      const sent = second.prompts[1].pointWorldRas
      pinchHit!.ras!.forEach((v, a) => expect(sent[a]).toBeCloseTo(v, 1))
      await screenshot(app.page, 'xr-3-hand-pinch-prompt')

      // grab and scale: both controllers squeeze (from anywhere), move apart and sideways, release
      await inPage(
        app,
        'switch to controllers',
        async () => {
          const w = window as unknown as FsxWindow
          w.__xrDevice.primaryInputMode = 'controller'
          await w.__xrTest.frames(10)
        },
        undefined,
      )
      const before = await caseFrame(app)
      const grabbing = await inPage(
        app,
        'two-controller grab',
        async (c) => {
          const w = window as unknown as FsxWindow & { __fsxXr?: { grabbing(): number } }
          const t = w.__xrTest
          let most = 0
          // both controllers just in front of the case, pointing at its centre
          t.aim('controller', 'left', [c[0] - 0.08, c[1], c[2] + 0.3], c)
          t.aim('controller', 'right', [c[0] + 0.08, c[1], c[2] + 0.3], c)
          await t.frames(4)
          t.press('left', 'squeeze', 1)
          t.press('right', 'squeeze', 1)
          await t.frames(4)
          // pull the hands apart (×2 distance) and move both 10 cm to the right
          for (let s = 1; s <= 8; s++) {
            const spread = 0.08 * (1 + s / 8)
            const shift = 0.1 * (s / 8)
            const z = c[2] + 0.3
            t.aim('controller', 'left', [c[0] - spread + shift, c[1], z], [c[0] - spread + shift, c[1], c[2]])
            t.aim(
              'controller',
              'right',
              [c[0] + spread + shift, c[1], z],
              [c[0] + spread + shift, c[1], c[2]],
            )
            await t.frames(2)
            most = Math.max(most, w.__fsxXr?.grabbing() ?? 0)
          }
          t.press('left', 'squeeze', 0)
          t.press('right', 'squeeze', 0)
          await t.frames(4)
          return most
        },
        before.position,
      )
      step(`grabbed (${grabbing} sources squeezing)`)
      const after = await caseFrame(app)
      await screenshot(app.page, 'xr-4-case-grabbed-scaled')
      expect(after.scale / before.scale, `two-hand scale (${grabbing} grabbing)`).toBeGreaterThan(1.3)
      expect(Math.hypot(...after.position.map((v, i) => v - before.position[i])), 'moved').toBeGreaterThan(
        0.02,
      )
      expect(app.errors.filter((e) => !/favicon/.test(e))).toEqual([])
    } finally {
      await app.context.close()
    }
  }, 150_000)
})

describe('collaboration', () => {
  it('two pages in one room: a prompt in one appears as a mesh in the other; the other is visible as an avatar', async () => {
    const step = stepLogger('collab')
    const a = await openApp(e2e)
    let b: AppPage | undefined
    try {
      step('page A loaded')
      const roomA = await a.page.evaluate(
        () => (window as unknown as FsxWindow).__fsx.store.getState().room!.roomId,
      )
      // the share link (#share-link), or the page's own URL which carries ?room=&token=
      const share = await a.page.evaluate(() => {
        const el = document.querySelector('#share-link')
        const href =
          el?.getAttribute('href') ?? (el as HTMLInputElement | null)?.value ?? el?.textContent ?? ''
        return /room=/.test(href) ? href : location.href
      })
      expect(share).toContain(roomA)
      b = await openApp(e2e, { url: new URL(share, e2e.url).href, viewport: { width: 640, height: 480 } })
      const roomB = await b.page.evaluate(
        () => (window as unknown as FsxWindow).__fsx.store.getState().room!.roomId,
      )
      expect(roomB).toBe(roomA)
      step('page B joined')

      // a prompt in A → a mesh in B
      await clickAt(a, liver)
      const inA = await waitForMesh(a)
      step('mesh in A')
      const inB = await waitForMesh(b, { segmentId: inA.segmentId, timeout: 30_000 })
      step('mesh in B')
      expect(inB.voxels).toBe(inA.voxels)
      expect(inB.sceneTriangles).toBeGreaterThan(0)

      // B's presence (its camera as a head, its pointer as a ray) shows in A: B orbits its camera away
      // from the shared start pose (drag = rotate), then hovers over the case
      const box = (await b.page.locator('canvas').first().boundingBox())!
      // (bottom right: the panels cover the top and the left)
      const cx = box.x + box.width * 0.82
      const cy = box.y + box.height * 0.78
      expect(await b.page.evaluate(([x, y]) => document.elementFromPoint(x, y)?.tagName, [cx, cy])).toBe(
        'CANVAS',
      )
      await b.page.mouse.move(cx, cy)
      await b.page.mouse.down()
      for (let i = 1; i <= 3; i++) await b.page.mouse.move(cx - i * 55, cy - i * 10)
      await b.page.mouse.up()
      for (let i = 0; i < 2; i++)
        await b.page.mouse.move(box.x + box.width * (0.5 + i * 0.03), box.y + box.height * 0.6)
      await waitFsx(
        a,
        "the other participant's avatar",
        () => (window as unknown as FsxWindow).__fsx.sceneStats().avatars >= 1,
        undefined,
        20_000,
      )
      step('avatar in A')
      const segmentsB = await readSegments(b)
      expect(segmentsB.map((s) => s.segmentId)).toContain(inA.segmentId)
      await screenshot(a.page, 'collab-1-page-a-with-avatar')
      await screenshot(b.page, 'collab-2-page-b-mesh-from-a')
    } finally {
      await b?.context.close()
      await a.context.close()
    }
  }, 150_000)
})
