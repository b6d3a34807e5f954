/**
 * The desktop panels, DOM over the canvas: a left column (segments, view, share/export/upload), the
 * status, XR buttons, latency and messages top right, and the mouse help along the bottom. The root lets
 * pointer events through to the canvas; only the panels take them, so the centre of the view stays
 * clickable. During an immersive session only the right column stays.
 */
import './overlay.css'
import { CasePanel } from './CasePanel.tsx'
import { HELP_TEXT } from './labels.ts'
import { LatencyReadout } from './LatencyReadout.tsx'
import { Messages } from './Messages.tsx'
import { SegmentsPanel } from './SegmentsPanel.tsx'
import { StatusBar } from './StatusBar.tsx'
import { useKeyboardShortcuts } from './useKeyboardShortcuts.ts'
import { useXrSession } from './useXrSession.ts'
import { ViewControls } from './ViewControls.tsx'
import { XrButtons } from './XrButtons.tsx'

export function Overlay() {
  useKeyboardShortcuts()
  // In a session the headset user works with the in-headset panel; the page keeps only the status
  // column (the left column would cover the mirrored view on a desktop).
  const inXr = useXrSession() !== null
  return (
    <div id="overlay" className={`overlay${inXr ? ' in-xr' : ''}`}>
      <aside className="column left">
        <SegmentsPanel />
        <ViewControls />
        <CasePanel />
      </aside>
      <aside className="column right">
        <StatusBar />
        <XrButtons />
        <LatencyReadout />
        <Messages />
      </aside>
      <footer id="help" className="help">
        {HELP_TEXT} · N = new segment
      </footer>
    </div>
  )
}
