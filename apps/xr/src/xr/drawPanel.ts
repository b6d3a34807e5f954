/**
 * Paints the in-headset panel into a 2D canvas (then a CanvasTexture). Text uses the system's own
 * fonts through canvas fillText: nothing is fetched, unlike SDF font kits that load fonts from a CDN.
 */
import {
  FOOTER_Y,
  PANEL_BUTTONS,
  PANEL_HEIGHT_PX,
  PANEL_WIDTH_PX,
  SEGMENT_ROW_Y,
  type PanelButtonId,
  type PanelModel,
} from './panelLayout.ts'

const FONT = 'system-ui, "DejaVu Sans", "Segoe UI", Roboto, sans-serif'
const BG = '#11181f'
const FG = '#e8eef2'
const DIM = '#7c8a96'
const BUTTON = '#22313d'
const BUTTON_HOVER = '#2f4a5c'
const BUTTON_ON = '#1f6f8b'
const ERROR = '#ff6b6b'

function roundRect(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, h: number, r: number) {
  ctx.beginPath()
  ctx.roundRect(x, y, w, h, r)
}

/** Shortens text with an ellipsis until it fits `maxWidth` pixels. */
function fit(ctx: CanvasRenderingContext2D, text: string, maxWidth: number): string {
  if (ctx.measureText(text).width <= maxWidth) return text
  let cut = text
  while (cut.length > 1 && ctx.measureText(cut + '…').width > maxWidth) cut = cut.slice(0, -1)
  return cut + '…'
}

/**
 * @param scale canvas pixels per panel pixel (the canvas is PANEL_WIDTH_PX·scale wide).
 * @param hover the button under a pointer, drawn highlighted.
 */
export function drawPanel(
  ctx: CanvasRenderingContext2D,
  model: PanelModel,
  hover: PanelButtonId | null,
  scale: number,
): void {
  ctx.setTransform(scale, 0, 0, scale, 0, 0)
  ctx.fillStyle = BG
  ctx.fillRect(0, 0, PANEL_WIDTH_PX, PANEL_HEIGHT_PX)
  ctx.strokeStyle = '#2c3b47'
  ctx.lineWidth = 4
  roundRect(ctx, 2, 2, PANEL_WIDTH_PX - 4, PANEL_HEIGHT_PX - 4, 18)
  ctx.stroke()
  ctx.textBaseline = 'middle'

  // header: title, then connection / loading / who else is here
  ctx.fillStyle = FG
  ctx.font = `bold 28px ${FONT}`
  ctx.textAlign = 'left'
  ctx.fillText('fastsam-xr', 18, 26)
  ctx.font = `20px ${FONT}`
  ctx.fillStyle = model.statusIsError ? ERROR : DIM
  const others = model.others > 0 ? ` · ${model.others} other${model.others > 1 ? 's' : ''}` : ''
  ctx.fillText(fit(ctx, model.status + others, PANEL_WIDTH_PX - 36), 18, 56)

  // active segment: colour swatch, name, volume (between the ‹ › buttons)
  const left = 16 + 56 + 10
  const right = PANEL_WIDTH_PX - 16 - 56 - 10
  ctx.fillStyle = '#182430'
  roundRect(ctx, left, SEGMENT_ROW_Y, right - left, 72, 10)
  ctx.fill()
  if (model.segment) {
    ctx.fillStyle = model.segment.color
    roundRect(ctx, left + 10, SEGMENT_ROW_Y + 16, 40, 40, 8)
    ctx.fill()
    ctx.fillStyle = FG
    ctx.font = `bold 24px ${FONT}`
    ctx.fillText(fit(ctx, model.segment.name, right - left - 70), left + 62, SEGMENT_ROW_Y + 24)
    ctx.font = `19px ${FONT}`
    ctx.fillStyle = DIM
    const volume = `${model.segment.volumeMl.toFixed(1)} mL`
    const where = model.segmentCount > 1 ? ` · ${model.segmentIndex}/${model.segmentCount}` : ''
    const pending = model.segment.pending ? ' · updating…' : ''
    ctx.fillText(volume + where + pending, left + 62, SEGMENT_ROW_Y + 52)
  } else {
    ctx.fillStyle = DIM
    ctx.font = `21px ${FONT}`
    ctx.fillText('no segment yet: point and click', left + 12, SEGMENT_ROW_Y + 36)
  }

  for (const button of PANEL_BUTTONS) {
    const [x, y, w, h] = button.rect
    const enabled = button.enabled(model)
    const on = button.active?.(model) ?? false
    let fill = on ? BUTTON_ON : BUTTON
    if (button.id === 'prompt-sign') fill = model.promptPositive ? '#1e6b3a' : '#7a2630'
    if (enabled && hover === button.id) fill = BUTTON_HOVER
    ctx.globalAlpha = enabled ? 1 : 0.4
    ctx.fillStyle = fill
    roundRect(ctx, x, y, w, h, 12)
    ctx.fill()
    ctx.fillStyle = FG
    ctx.textAlign = 'center'
    const arrow = button.id === 'prev-segment' || button.id === 'next-segment'
    ctx.font = arrow ? `bold 44px ${FONT}` : `24px ${FONT}`
    ctx.fillText(fit(ctx, button.label(model), w - 16), x + w / 2, y + h / 2 + (arrow ? -3 : 1))
    ctx.textAlign = 'left'
    ctx.globalAlpha = 1
  }

  // footer: latency, grab state, the newest message
  ctx.font = `22px ${FONT}`
  ctx.fillStyle = FG
  const latency =
    model.latencyMs == null ? 'prompt → mesh: –' : `prompt → mesh: ${Math.round(model.latencyMs)} ms`
  ctx.fillText(latency, 18, FOOTER_Y + 14)
  ctx.fillStyle = DIM
  ctx.font = `18px ${FONT}`
  const grab =
    model.grabbing === 2
      ? 'scaling the case (two hands)'
      : model.grabbing === 1
        ? 'moving the case'
        : 'grip, fist or the bar: move · both hands: scale'
  ctx.fillText(fit(ctx, grab, PANEL_WIDTH_PX - 36), 18, FOOTER_Y + 42)
  if (model.message) {
    ctx.fillStyle = model.message.level === 'error' ? ERROR : DIM
    ctx.fillText(fit(ctx, model.message.text, PANEL_WIDTH_PX - 36), 18, FOOTER_Y + 68)
  }
}
