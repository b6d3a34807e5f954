import { describe, expect, it } from 'vitest'
import { formatIou, formatMl, formatMs, formatPercent, toColorInputValue } from '../../src/ui/format.ts'

describe('formatMl', () => {
  it('shows one decimal', () => {
    expect(formatMl(1523.456)).toBe('1523.5 mL')
    expect(formatMl(12.04)).toBe('12.0 mL')
    expect(formatMl(0.06)).toBe('0.1 mL')
  })
  it('keeps a tiny non-empty volume distinguishable from empty', () => {
    expect(formatMl(0.001)).toBe('<0.1 mL')
    expect(formatMl(0)).toBe('0.0 mL')
  })
  it('treats nonsense as empty', () => {
    expect(formatMl(Number.NaN)).toBe('0.0 mL')
    expect(formatMl(-3)).toBe('0.0 mL')
  })
})

describe('formatMs', () => {
  it('rounds to whole milliseconds', () => {
    expect(formatMs(811.6)).toBe('812 ms')
    expect(formatMs(0.4)).toBe('0 ms')
    expect(formatMs(9999.4)).toBe('9999 ms')
  })
  it('switches to seconds from 10 s', () => {
    expect(formatMs(12_449)).toBe('12.4 s')
  })
  it('shows a dash for impossible values', () => {
    expect(formatMs(-1)).toBe('—')
    expect(formatMs(Number.POSITIVE_INFINITY)).toBe('—')
  })
})

describe('formatIou and formatPercent', () => {
  it('formats', () => {
    expect(formatIou(0.8749)).toBe('IoU 0.87')
    expect(formatIou(-0.013)).toBe('IoU 0.00')
    expect(formatIou(1.02)).toBe('IoU 1.00')
    expect(formatPercent(0.426)).toBe('43 %')
    expect(formatPercent(1.7)).toBe('100 %')
    expect(formatPercent(-0.2)).toBe('0 %')
  })
})

describe('toColorInputValue', () => {
  it('lowercases #rrggbb and expands #rgb', () => {
    expect(toColorInputValue('#E8A33D')).toBe('#e8a33d')
    expect(toColorInputValue('#F0a')).toBe('#ff00aa')
  })
  it('falls back to grey for anything an input cannot show', () => {
    expect(toColorInputValue('red')).toBe('#808080')
    expect(toColorInputValue('#12345')).toBe('#808080')
  })
})
