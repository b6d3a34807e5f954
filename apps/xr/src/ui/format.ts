/**
 * Text for the panels: volumes, durations, IoU, colours. Pure functions (unit-tested) so every panel
 * shows numbers the same way.
 */

/** A segment volume in millilitres with one decimal ("12.3 mL"); tiny non-zero volumes stay visible. */
export function formatMl(ml: number): string {
  if (!Number.isFinite(ml) || ml <= 0) return '0.0 mL'
  if (ml < 0.05) return '<0.1 mL'
  return `${ml.toFixed(1)} mL`
}

/** A duration in whole milliseconds ("812 ms"), seconds with one decimal from 10 s on ("12.4 s"). */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—'
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`
  return `${Math.round(ms)} ms`
}

/**
 * The decoder's predicted IoU as "IoU 0.87". It is a regression output that can stray slightly outside
 * 0..1 (a poor mask reads -0.01); the panel shows it on the scale an IoU has.
 */
export function formatIou(iou: number): string {
  return `IoU ${Math.min(1, Math.max(0, iou)).toFixed(2)}`
}

/** An upload/load progress fraction 0..1 as a whole percentage ("42 %"). */
export function formatPercent(fraction: number): string {
  const clamped = Math.min(1, Math.max(0, fraction))
  return `${Math.round(clamped * 100)} %`
}

/**
 * The value an `<input type="color">` accepts (lowercase '#rrggbb'): the server's colours already are,
 * but '#RGB' shorthand or upper case would make the input fall back to black.
 */
export function toColorInputValue(color: string): string {
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(color)
  if (short) return `#${short[1]}${short[1]}${short[2]}${short[2]}${short[3]}${short[3]}`.toLowerCase()
  if (/^#[0-9a-f]{6}$/i.test(color)) return color.toLowerCase()
  return '#808080'
}
