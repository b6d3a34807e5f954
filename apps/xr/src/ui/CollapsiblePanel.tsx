/**
 * A panel whose body folds away under its title (a <details>), for the secondary panels: on a small
 * window (a laptop at 800 px, the test browser) they start folded so the case stays in view.
 */
import { useState, type ReactNode } from 'react'

/** Below this window width the secondary panels start folded. */
export const COMPACT_WIDTH_PX = 1100

interface Props {
  id: string
  title: string
  className?: string
  /** start folded on a small window (default true). */
  foldWhenCompact?: boolean
  children: ReactNode
}

export function CollapsiblePanel({ id, title, className, foldWhenCompact = true, children }: Props) {
  const [open, setOpen] = useState(() => !foldWhenCompact || window.innerWidth >= COMPACT_WIDTH_PX)
  return (
    <section id={id} className={`panel collapsible ${className ?? ''}`} aria-label={title}>
      <details open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary>
          <h2>{title}</h2>
        </summary>
        {children}
      </details>
    </section>
  )
}
