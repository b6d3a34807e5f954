/**
 * Wires the desktop shortcuts (shortcuts.ts) to the actions on the window. Undo / redo act on the
 * active segment and only when it has something to undo / redo, the same rule as the buttons.
 */
import { useEffect } from 'react'
import { createSegment, redo, undo } from '../net/actions.ts'
import { useAppStore } from '../state/store.ts'
import { shortcutFor, type ShortcutCommand } from './shortcuts.ts'

function run(command: ShortcutCommand): boolean {
  const state = useAppStore.getState()
  const active = state.activeSegmentId ? state.segments[state.activeSegmentId] : undefined
  switch (command) {
    case 'undo':
      if (!active || active.prompts.length === 0) return false
      undo()
      return true
    case 'redo':
      if (!active || active.redoCount === 0) return false
      redo()
      return true
    case 'new-segment':
      if (!state.room) return false
      void createSegment()
      return true
  }
}

export function useKeyboardShortcuts(): void {
  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      const command = shortcutFor(e, e.target instanceof HTMLElement ? e.target : null)
      // Always swallow Ctrl+Z / Ctrl+Y outside text fields so the browser does nothing surprising.
      if (command && (run(command) || command !== 'new-segment')) e.preventDefault()
    }
    window.addEventListener('keydown', onKeyDown)
    return () => window.removeEventListener('keydown', onKeyDown)
  }, [])
}
