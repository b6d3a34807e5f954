import { describe, expect, it } from 'vitest'
import {
  PANEL_BUTTONS,
  PANEL_HEIGHT_PX,
  PANEL_WIDTH_PX,
  buttonAtUv,
  buttonCentreUv,
} from '../../src/xr/panelLayout.ts'

describe('XR panel layout', () => {
  it('every button lies inside the panel and no two overlap', () => {
    for (const { rect } of PANEL_BUTTONS) {
      const [x, y, w, h] = rect
      expect(x).toBeGreaterThanOrEqual(0)
      expect(y).toBeGreaterThanOrEqual(0)
      expect(x + w).toBeLessThanOrEqual(PANEL_WIDTH_PX)
      expect(y + h).toBeLessThanOrEqual(PANEL_HEIGHT_PX)
    }
    for (const a of PANEL_BUTTONS) {
      for (const b of PANEL_BUTTONS) {
        if (a === b) continue
        const [ax, ay, aw, ah] = a.rect
        const [bx, by, bw, bh] = b.rect
        const overlap = ax < bx + bw && bx < ax + aw && ay < by + bh && by < ay + ah
        expect(overlap, `${a.id} overlaps ${b.id}`).toBe(false)
      }
    }
  })

  it("a hit at a button's centre uv finds that button; the header and the gaps find none", () => {
    for (const button of PANEL_BUTTONS) {
      const [u, v] = buttonCentreUv(button.id)
      expect(buttonAtUv(u, v)?.id).toBe(button.id)
    }
    expect(buttonAtUv(0.5, 0.98)).toBeNull() // title
    expect(buttonAtUv(0.5, 0.02)).toBeNull() // footer
  })
})
