/**
 * The desktop keyboard shortcuts, as a pure mapping from a key event to a command (unit-tested):
 * Ctrl/Cmd+Z undo, Ctrl/Cmd+Shift+Z or Ctrl/Cmd+Y redo, N new segment. Typing in a text field never
 * triggers one (renaming a segment "Nodule" must not create a segment).
 */

export type ShortcutCommand = 'undo' | 'redo' | 'new-segment'

/** The parts of a KeyboardEvent the mapping reads (so tests need no DOM). */
export interface KeyLike {
  key: string
  ctrlKey: boolean
  metaKey: boolean
  shiftKey: boolean
  altKey: boolean
  /** already handled by someone else (e.g. an input). */
  defaultPrevented?: boolean
  repeat?: boolean
}

/** Where the key went: form fields that take text keep their own keys. */
export interface TargetLike {
  tagName?: string
  isContentEditable?: boolean
  /** for INPUT: its type ('text', 'range', 'color'…). */
  type?: string
}

const NON_TEXT_INPUTS = new Set(['button', 'checkbox', 'color', 'radio', 'range', 'file', 'submit', 'reset'])

/** True when keys typed at `target` are text (so shortcuts must leave them alone). */
export function isTextTarget(target: TargetLike | null | undefined): boolean {
  if (!target) return false
  if (target.isContentEditable) return true
  const tag = target.tagName?.toUpperCase()
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true
  if (tag === 'INPUT') return !NON_TEXT_INPUTS.has((target.type ?? 'text').toLowerCase())
  return false
}

export function shortcutFor(event: KeyLike, target?: TargetLike | null): ShortcutCommand | null {
  if (event.defaultPrevented || isTextTarget(target)) return null
  const key = event.key.toLowerCase()
  const command = event.ctrlKey || event.metaKey
  if (command && !event.altKey) {
    if (key === 'z') return event.shiftKey ? 'redo' : 'undo'
    if (key === 'y' && !event.shiftKey) return 'redo'
    return null
  }
  if (!command && !event.altKey && !event.shiftKey && key === 'n' && !event.repeat) return 'new-segment'
  return null
}
