/**
 * The in-headset panel as data: what it shows (PanelModel), where each button sits on its canvas
 * (panel pixels, origin top-left) and which button a point on the panel hits. Free of three and React.
 */

/** Panel canvas size in panel pixels; the mesh is PANEL_PX_TO_M metres per pixel. */
export const PANEL_WIDTH_PX = 512
export const PANEL_HEIGHT_PX = 660
export const PANEL_PX_TO_M = 0.0005

export type PanelButtonId =
  | 'prev-segment'
  | 'next-segment'
  | 'new-segment'
  | 'undo'
  | 'redo'
  | 'prompt-sign'
  | 'reset-view'
  | 'real-size'
  | 'slices'
  | 'follow-hand'

export interface PanelModel {
  /** connection and loading, one line. */
  status: string
  statusIsError: boolean
  segment: { name: string; color: string; volumeMl: number; pending: boolean } | null
  /** 1-based position of the active segment among all of them, and how many there are. */
  segmentIndex: number
  segmentCount: number
  canUndo: boolean
  canRedo: boolean
  promptPositive: boolean
  realSize: boolean
  slicesVisible: boolean
  followHand: boolean
  /** the newest finished prompt → mesh round trip, ms. */
  latencyMs: number | null
  message: { level: 'info' | 'error'; text: string } | null
  /** controllers squeezing the case right now. */
  grabbing: number
  /** room members other than us. */
  others: number
}

export interface PanelButton {
  id: PanelButtonId
  /** x, y, width, height in panel pixels. */
  rect: [number, number, number, number]
  label: (model: PanelModel) => string
  enabled: (model: PanelModel) => boolean
  /** toggles light up while on. */
  active?: (model: PanelModel) => boolean
}

const always = () => true
const M = 16 // margin
const W = PANEL_WIDTH_PX - 2 * M
const HALF = (W - 12) / 2
const ROW = 64

export const SEGMENT_ROW_Y = 76
const rowY = (i: number) => 172 + i * (ROW + 12)

export const PANEL_BUTTONS: PanelButton[] = [
  {
    id: 'prev-segment',
    rect: [M, SEGMENT_ROW_Y, 56, 72],
    label: () => '‹',
    enabled: (m) => m.segmentCount > 1,
  },
  {
    id: 'next-segment',
    rect: [PANEL_WIDTH_PX - M - 56, SEGMENT_ROW_Y, 56, 72],
    label: () => '›',
    enabled: (m) => m.segmentCount > 1,
  },
  { id: 'new-segment', rect: [M, rowY(0), W, ROW], label: () => '+ New segment', enabled: always },
  { id: 'undo', rect: [M, rowY(1), HALF, ROW], label: () => 'Undo', enabled: (m) => m.canUndo },
  { id: 'redo', rect: [M + HALF + 12, rowY(1), HALF, ROW], label: () => 'Redo', enabled: (m) => m.canRedo },
  {
    id: 'prompt-sign',
    rect: [M, rowY(2), W, ROW],
    label: (m) => (m.promptPositive ? 'Right hand adds (+)' : 'Right hand removes (−)'),
    enabled: always,
  },
  { id: 'reset-view', rect: [M, rowY(3), HALF, ROW], label: () => 'Reset view', enabled: always },
  {
    id: 'real-size',
    rect: [M + HALF + 12, rowY(3), HALF, ROW],
    label: (m) => (m.realSize ? 'Real size: on' : 'Real size: off'),
    enabled: always,
    active: (m) => m.realSize,
  },
  {
    id: 'slices',
    rect: [M, rowY(4), HALF, ROW],
    label: (m) => (m.slicesVisible ? 'Slices: on' : 'Slices: off'),
    enabled: always,
    active: (m) => m.slicesVisible,
  },
  {
    id: 'follow-hand',
    rect: [M + HALF + 12, rowY(4), HALF, ROW],
    label: (m) => (m.followHand ? 'On left hand' : 'Pinned'),
    enabled: always,
    active: (m) => m.followHand,
  },
]

/** Where the latency and message lines start (panel pixels). */
export const FOOTER_Y = rowY(5) + 4

/** The button under a panel point given as uv (0..1, v up, as three's intersections report it). */
export function buttonAtUv(u: number, v: number): PanelButton | null {
  const x = u * PANEL_WIDTH_PX
  const y = (1 - v) * PANEL_HEIGHT_PX
  for (const button of PANEL_BUTTONS) {
    const [bx, by, bw, bh] = button.rect
    if (x >= bx && x <= bx + bw && y >= by && y <= by + bh) return button
  }
  return null
}

/** The centre of a button in uv (for tests that aim a ray at it). */
export function buttonCentreUv(id: PanelButtonId): [number, number] {
  const button = PANEL_BUTTONS.find((b) => b.id === id)
  if (!button) throw new Error(`no panel button ${id}`)
  const [x, y, w, h] = button.rect
  return [(x + w / 2) / PANEL_WIDTH_PX, 1 - (y + h / 2) / PANEL_HEIGHT_PX]
}
