/**
 * Type test (checked by `npm run typecheck`, never run): the dispatcher types each handler from the
 * protocol's inbound table, so a handler returning another event's result, or reading a field its event's
 * payload does not have, does not compile. Each `@ts-expect-error` line must fail; if the check stopped
 * catching it, typecheck would fail on the unused directive.
 */
import type { HistoryStatus, SegmentInfo } from '@fastsam-xr/protocol'
import type { Connection, ServerContext } from '../src/context.ts'
import { handle } from '../src/transport/dispatch.ts'

declare const ctx: ServerContext
declare const conn: Connection
declare const info: SegmentInfo
declare const history: HistoryStatus

export function wireExamples(): void {
  // right: undo answers with the history counts
  handle(ctx, conn, 'segment:undo', async ({ segmentId }) => (segmentId ? history : history))
  // @ts-expect-error undo wired to segment:create's reply shape
  handle(ctx, conn, 'segment:undo', async () => ({ segment: info }))
  // @ts-expect-error segment:create's payload has no `pointWorldRas`
  handle(ctx, conn, 'segment:create', async ({ pointWorldRas }) => ({ segment: info, pointWorldRas }))
  // @ts-expect-error presence:update takes no ack: it has no handler through the acked door
  handle(ctx, conn, 'presence:update', async () => ({}))
}
