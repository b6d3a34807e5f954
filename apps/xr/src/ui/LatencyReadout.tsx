/**
 * #latency: the newest prompt's round trip to its drawn mesh, first in the text (tests read the first
 * "N ms"), with the server's stage timings below and the few before it as a history.
 */
import { useAppStore } from '../state/store.ts'
import { formatMs } from './format.ts'
import { formatStages, latencyHistory } from './latency.ts'
import { anySegmentPending } from './useBusy.ts'

export function LatencyReadout() {
  const latencies = useAppStore((s) => s.latencies)
  const history = latencyHistory(latencies, 5)
  const last = history[0]
  // a newer prompt's mesh is still on its way: the figure shown is the one before it
  const waiting = useAppStore(anySegmentPending)
  const stages = last?.server ? formatStages(last.server) : null

  return (
    <section
      id="latency"
      className="panel latency"
      data-ms={last ? Math.round(last.ms) : undefined}
      title={stages ? `server: ${stages}` : 'time from a click to its mesh on screen'}
    >
      <div className="latency-main">
        prompt → mesh <strong>{last ? formatMs(last.ms) : '—'}</strong>
        {last && !last.shown && <span className="latency-flag"> decoded</span>}
        {waiting && <span className="spinner small" title="waiting for the newest mesh" />}
      </div>
      {stages && <div className="latency-stages">{stages}</div>}
      {history.length > 1 && (
        <div className="latency-history">
          before:
          <ol aria-label="earlier prompts">
            {history.slice(1).map((entry) => (
              <li
                key={`${entry.segmentId}:${entry.seq}`}
                title={entry.server ? `server: ${formatStages(entry.server)}` : undefined}
              >
                {formatMs(entry.ms)}
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  )
}
