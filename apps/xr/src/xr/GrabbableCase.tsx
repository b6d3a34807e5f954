/**
 * The case's placement group: where the user put the case (position, rotation, grab scale; scene metres)
 * around SCENE's case-frame (RAS → three, mm → m incl. real size, centring). Starts at
 * CASE_HOME_POSITION. Moved by
 * - squeeze (grip button) on one or two controllers, from anywhere (useSqueezeGrab.ts),
 * - the handle bar under the case, with any ray / pinch / mouse, one or two pointers (CaseHandle.tsx),
 * and put back by resetView() (placementControl.ts). The anatomy inside refuses grab and touch pointers
 * so that only rays (trigger, pinch, gaze-and-pinch, mouse) reach it: a ray click places a prompt,
 * never starts a drag.
 */
import { useEffect, useLayoutEffect, useRef, type ReactNode } from 'react'
import type { Group } from 'three'
import { CASE_HOME_POSITION } from '../scene/placement.ts'
import { useAppStore } from '../state/store.ts'
import { CaseHandle } from './CaseHandle.tsx'
import { registerPlacement, resetUserScale } from './placementControl.ts'
import { useSqueezeGrab } from './useSqueezeGrab.ts'

export function GrabbableCase({ children }: { children: ReactNode }) {
  const ref = useRef<Group>(null)

  useLayoutEffect(() => {
    const group = ref.current
    if (!group) return
    group.position.set(...CASE_HOME_POSITION)
    registerPlacement(group)
    return () => registerPlacement(null)
  }, [])

  // "real size" means 1:1: drop the grab scale whenever the choice changes, whoever changed it
  useEffect(
    () =>
      useAppStore.subscribe((state, previous) => {
        if (state.view.realSize !== previous.view.realSize) resetUserScale()
      }),
    [],
  )

  useSqueezeGrab(ref)

  return (
    <group ref={ref} name="case-placement" pointerEventsType={{ deny: ['grab', 'touch'] }}>
      {children}
      <CaseHandle targetRef={ref} />
    </group>
  )
}
