import { describe, expect, it } from 'vitest'
import { FIST_CLOSE_M, FIST_OPEN_M, isFist } from '../../src/xr/fistGrab.ts'

describe('fist detection', () => {
  const closed = [0.06, 0.07, 0.07]
  const between = [0.09, FIST_CLOSE_M + 0.005, 0.09]

  it('all three fingertips near the wrist is a fist; one finger out (pointing, pinching) is not', () => {
    expect(isFist(closed, false)).toBe(true)
    expect(isFist([0.17, 0.07, 0.07], false)).toBe(false) // index out: pointing
    expect(isFist([0.09, 0.16, 0.15], false)).toBe(false) // index to thumb, the others open: pinch
    expect(isFist([], false)).toBe(false)
  })

  it('hysteresis: a fist opening a little stays a fist until a tip passes FIST_OPEN_M', () => {
    expect(isFist(between, false)).toBe(false)
    expect(isFist(between, true)).toBe(true)
    expect(isFist([0.09, FIST_OPEN_M + 0.001, 0.09], true)).toBe(false)
  })
})
