/**
 * The prompt → mesh round trip as the latency readout shows it. A prompt's time runs from sending it
 * to the first frame that drew its mesh (shownAt); until the scene reports that frame, the time the
 * worker handed back the decoded mesh (decodedAt) stands in.
 */
import type { PromptLatency } from '../state/store.ts'

export interface LatencyEntry {
  segmentId: string
  seq: number
  /** prompt → mesh in ms. */
  ms: number
  /** true once a rendered frame showed the mesh (otherwise the decoded time stands in). */
  shown: boolean
  server?: PromptLatency['server']
}

/** The round trip of one prompt, or null while its mesh has not arrived. */
export function promptToMeshMs(latency: PromptLatency): { ms: number; shown: boolean } | null {
  if (latency.shownAt !== undefined) return { ms: latency.shownAt - latency.sentAt, shown: true }
  if (latency.decodedAt !== undefined) return { ms: latency.decodedAt - latency.sentAt, shown: false }
  return null
}

/**
 * The finished round trips, newest first, at most `count` of them. Coalesced prompts share one mesh;
 * each keeps its own row because each was sent at its own time.
 */
export function latencyHistory(latencies: readonly PromptLatency[], count = 5): LatencyEntry[] {
  const entries: LatencyEntry[] = []
  for (let i = latencies.length - 1; i >= 0 && entries.length < count; i--) {
    const latency = latencies[i]
    const roundTrip = promptToMeshMs(latency)
    if (!roundTrip) continue
    entries.push({ segmentId: latency.segmentId, seq: latency.seq, ...roundTrip, server: latency.server })
  }
  return entries
}

/** The server's stage timings in one line: "encode 310 ms · decode 42 ms · mesh 18 ms". */
export function formatStages(server: NonNullable<PromptLatency['server']>): string {
  const parts = [`encode ${Math.round(server.encodeMs)} ms`, `decode ${Math.round(server.decodeMs)} ms`]
  if (server.extendMs > 0) parts.push(`extend ${Math.round(server.extendMs)} ms`)
  parts.push(`mesh ${Math.round(server.meshMs)} ms`)
  if (server.queueMs >= 1) parts.push(`queue ${Math.round(server.queueMs)} ms`)
  return parts.join(' · ')
}
