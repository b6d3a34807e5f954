/**
 * Wires the desktop shortcuts (shortcuts.ts) to the actions on the window. They act under the same
 * rule as the buttons (editState.ts): undo / redo on the active segment, only when there is something.
 */
import { useEffect } from 'react'
import { createSegment, redo, undo } from '../controller/actions.ts'
import { useAppStore } from '../state/store.ts'
import { editState } from './editState.ts'
import { shortcutFor, type ShortcutCommand } from './shortcuts.ts'

function run(command: ShortcutCommand): boolean {
  const { canEdit, canUndo, canRedo } = editState(useAppStore.getState())
  switch (command) {
    case 'undo':
      if (canUndo) undo()
      return canUndo
    case 'redo':
      if (canRedo) redo()
      return canRedo
    case 'new-segment':
      if (canEdit) void createSegment()
      return canEdit
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
