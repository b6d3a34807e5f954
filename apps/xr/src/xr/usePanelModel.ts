/**
 * The store, reduced to what the in-headset panel shows (PanelModel), recomputed only when one of
 * those values changes (useShallow), so the canvas is repainted only then.
 */
import { useShallow } from 'zustand/react/shallow'
import { useAppStore, type AppState, type PromptLatency } from '../state/store.ts'
import type { PanelModel } from './panelLayout.ts'

/** The newest prompt → mesh round trip, ms: to the first frame showing it, else to its decoding. */
export function newestLatencyMs(latencies: readonly PromptLatency[]): number | null {
  for (let i = latencies.length - 1; i >= 0; i--) {
    const l = latencies[i]
    const end = l.shownAt ?? l.decodedAt
    if (end !== undefined) return end - l.sentAt
  }
  return null
}

function statusLine(s: AppState): { status: string; statusIsError: boolean } {
  if (s.connection.status === 'disconnected') {
    return {
      status: `server unreachable${s.connection.error ? `: ${s.connection.error}` : ''}`,
      statusIsError: true,
    }
  }
  if (s.loading) {
    const pct = s.loading.progress == null ? '' : ` ${Math.round(s.loading.progress * 100)} %`
    return { status: `${s.loading.label}${pct}…`, statusIsError: false }
  }
  if (s.connection.status === 'connecting') return { status: 'connecting…', statusIsError: false }
  if (!s.room) return { status: 'connected, no case open', statusIsError: false }
  return { status: `${s.room.caseInfo.label} · ${s.room.caseInfo.modality}`, statusIsError: false }
}

/** Flat (primitive-valued) so that a shallow comparison tells whether anything visible changed. */
function flatModel(s: AppState, followHand: boolean, grabbing: number) {
  const id = s.activeSegmentId
  const seg = id ? s.segments[id] : undefined
  const message = s.messages[s.messages.length - 1]
  return {
    ...statusLine(s),
    segmentName: seg?.info.name ?? null,
    segmentColor: seg?.info.color ?? '#888888',
    segmentVolumeMl: seg?.volumeMl ?? 0,
    segmentPending: (seg?.pendingSeqs.length ?? 0) > 0,
    segmentIndex: id ? s.segmentOrder.indexOf(id) + 1 : 0,
    segmentCount: s.segmentOrder.length,
    canUndo: (seg?.prompts.length ?? 0) > 0,
    canRedo: (seg?.redoCount ?? 0) > 0,
    promptPositive: s.view.promptPositive,
    realSize: s.view.realSize,
    slicesVisible: s.view.slicesVisible,
    followHand,
    latencyMs: newestLatencyMs(s.latencies),
    messageLevel: message?.level ?? null,
    messageText: message?.text ?? null,
    grabbing,
    others: Math.max(0, s.members.filter((m) => m.clientId !== s.connection.clientId).length),
  }
}

export function usePanelModel(followHand: boolean, grabbing: number): PanelModel {
  const f = useAppStore(useShallow((s) => flatModel(s, followHand, grabbing)))
  return {
    status: f.status,
    statusIsError: f.statusIsError,
    segment:
      f.segmentName == null
        ? null
        : {
            name: f.segmentName,
            color: f.segmentColor,
            volumeMl: f.segmentVolumeMl,
            pending: f.segmentPending,
          },
    segmentIndex: f.segmentIndex,
    segmentCount: f.segmentCount,
    canUndo: f.canUndo,
    canRedo: f.canRedo,
    promptPositive: f.promptPositive,
    realSize: f.realSize,
    slicesVisible: f.slicesVisible,
    followHand: f.followHand,
    latencyMs: f.latencyMs,
    message: f.messageLevel && f.messageText ? { level: f.messageLevel, text: f.messageText } : null,
    grabbing: f.grabbing,
    others: f.others,
  }
}
