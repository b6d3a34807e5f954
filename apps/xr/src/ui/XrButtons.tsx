/**
 * #enter-vr (and #enter-ar where the device offers passthrough): start the immersive session through the
 * XR store. Without WebXR the button stays, disabled, saying why, so a desktop user knows what to do.
 */
import { pushMessage, useAppStore } from '../state/store.ts'
import { enterXR, exitXR } from '../xr/xrStore.ts'
import { NO_WEBXR_TEXT } from './labels.ts'
import { useXrSession } from './useXrSession.ts'
import { useXrSupport } from './useXrSupport.ts'

async function start(mode: 'immersive-vr' | 'immersive-ar'): Promise<void> {
  try {
    const session = await enterXR(mode)
    if (!session) pushMessage('error', `the headset did not start an ${mode} session`)
  } catch (err) {
    pushMessage(
      'error',
      `could not enter ${mode === 'immersive-ar' ? 'AR' : 'VR'}: ${err instanceof Error ? err.message : String(err)}`,
    )
  }
}

export function XrButtons() {
  const support = useXrSupport()
  const inRoom = useAppStore((s) => s.room !== null)
  const session = useXrSession()
  if (session) {
    return (
      <section className="xr-buttons" aria-label="immersive">
        <button id="exit-xr" type="button" onClick={() => void exitXR()}>
          Exit {session.environmentBlendMode === 'opaque' ? 'VR' : 'AR'}
        </button>
      </section>
    )
  }
  const vrLabel = support.checking ? 'checking WebXR…' : support.vr ? 'Enter VR' : NO_WEBXR_TEXT
  return (
    <section className="xr-buttons" aria-label="immersive">
      <button
        id="enter-vr"
        type="button"
        className="primary"
        disabled={!support.vr}
        title={inRoom ? undefined : 'the case is still loading; it appears once it arrives'}
        onClick={() => void start('immersive-vr')}
      >
        {vrLabel}
      </button>
      {support.ar && (
        <button id="enter-ar" type="button" onClick={() => void start('immersive-ar')}>
          Enter AR
        </button>
      )}
    </section>
  )
}
