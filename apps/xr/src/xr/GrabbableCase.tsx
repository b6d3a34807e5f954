// SKELETON: replaced by its owner.
import type { ReactNode } from 'react'
export function GrabbableCase({ children }: { children: ReactNode }) {
  return <group>{children}</group>
}
