import { describe, expect, it } from 'vitest'
import { isTextTarget, shortcutFor, type KeyLike } from '../../src/ui/shortcuts.ts'

const key = (k: string, mods: Partial<KeyLike> = {}): KeyLike => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...mods,
})

describe('shortcutFor', () => {
  it('maps Ctrl+Z and Cmd+Z to undo', () => {
    expect(shortcutFor(key('z', { ctrlKey: true }))).toBe('undo')
    expect(shortcutFor(key('z', { metaKey: true }))).toBe('undo')
  })
  it('maps Ctrl/Cmd+Shift+Z and Ctrl+Y to redo (Shift makes the key upper case)', () => {
    expect(shortcutFor(key('Z', { ctrlKey: true, shiftKey: true }))).toBe('redo')
    expect(shortcutFor(key('Z', { metaKey: true, shiftKey: true }))).toBe('redo')
    expect(shortcutFor(key('y', { ctrlKey: true }))).toBe('redo')
  })
  it('maps a bare N to a new segment, not Shift+N, Ctrl+N (new window) or a held key', () => {
    expect(shortcutFor(key('n'))).toBe('new-segment')
    expect(shortcutFor(key('N'))).toBe('new-segment') // caps lock
    expect(shortcutFor(key('N', { shiftKey: true }))).toBeNull()
    expect(shortcutFor(key('n', { ctrlKey: true }))).toBeNull()
    expect(shortcutFor(key('n', { repeat: true }))).toBeNull()
  })
  it('ignores other keys, Alt chords and events already handled', () => {
    expect(shortcutFor(key('z'))).toBeNull()
    expect(shortcutFor(key('z', { ctrlKey: true, altKey: true }))).toBeNull()
    expect(shortcutFor(key('x', { ctrlKey: true }))).toBeNull()
    expect(shortcutFor(key('z', { ctrlKey: true, defaultPrevented: true }))).toBeNull()
  })
  it('leaves keys typed into text fields alone', () => {
    expect(shortcutFor(key('n'), { tagName: 'INPUT', type: 'text' })).toBeNull()
    expect(shortcutFor(key('z', { ctrlKey: true }), { tagName: 'input' })).toBeNull()
    expect(shortcutFor(key('n'), { tagName: 'DIV', isContentEditable: true })).toBeNull()
    // a focused slider or button still lets shortcuts through
    expect(shortcutFor(key('z', { ctrlKey: true }), { tagName: 'INPUT', type: 'range' })).toBe('undo')
    expect(shortcutFor(key('n'), { tagName: 'BUTTON' })).toBe('new-segment')
  })
})

describe('isTextTarget', () => {
  it('knows text fields from other controls', () => {
    expect(isTextTarget(null)).toBe(false)
    expect(isTextTarget({ tagName: 'TEXTAREA' })).toBe(true)
    expect(isTextTarget({ tagName: 'INPUT', type: 'search' })).toBe(true)
    expect(isTextTarget({ tagName: 'INPUT', type: 'checkbox' })).toBe(false)
    expect(isTextTarget({ tagName: 'CANVAS' })).toBe(false)
  })
})
