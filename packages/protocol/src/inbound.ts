/**
 * The inbound contract in one table: for every client→server event, the zod schema the server validates
 * its payload with and the rate bucket it draws from — checked by the compiler against `ClientToServerEvents`
 * (an event missing from the table, or a schema whose input is not that event's payload, fails
 * `npm run typecheck`; test/inbound.typetest.ts proves it). The server's dispatcher takes the event name
 * only and types the handler from here: payload in, the event's success result out.
 */
import type { z } from 'zod'
import type { ClientToServerEvents } from './events.ts'
import {
  caseOpenSchema,
  emptySchema,
  presenceSchema,
  promptSchema,
  roomJoinSchema,
  segmentCreateSchema,
  segmentRefSchema,
  segmentUpdateSchema,
  uploadBeginSchema,
  uploadChunkSchema,
  uploadRefSchema,
} from './schemas.ts'

export type InboundEvent = keyof ClientToServerEvents

/** Events that take an ack (all but presence:update). */
export type AckedEvent = {
  [E in InboundEvent]: Parameters<ClientToServerEvents[E]> extends [unknown, unknown] ? E : never
}[InboundEvent]

export type PayloadOf<E extends InboundEvent> = Parameters<ClientToServerEvents[E]>[0]
export type ReplyOf<E extends AckedEvent> =
  Parameters<ClientToServerEvents[E]> extends [unknown, (reply: infer R) => void] ? R : never
export type ResultOf<E extends AckedEvent> = Extract<ReplyOf<E>, { ok: true }>
/** What a handler of E returns: its success result without the `ok` flag the dispatcher adds. */
export type HandlerResult<E extends AckedEvent> = Omit<ResultOf<E>, 'ok'>

/** The server's token buckets (their rates are the server's: `server/src/transport/rateLimit.ts`). */
export type RateBucket = 'prompt' | 'presence' | 'upload' | 'other'

/** Exactly equal types (both directions), so a looser or a stricter schema both fail. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false

/** A schema fits E when its input is E's payload (a payload-less event's schema may also accept none). */
type Fits<S extends z.ZodType, P> = Same<z.input<S>, P> extends true ? true : Same<z.input<S>, P | undefined>

/**
 * Who may send an event: 'site' needs the site key (given at the handshake: `auth: { siteKey }`), which
 * lists, opens and uploads cases; 'any' connection may send it (joining a room takes that room's token in
 * the payload, and the segment events act on the room the connection is in) — so a room link grants that
 * room's case only.
 */
export type Access = 'site' | 'any'

export type InboundTable = { [E in InboundEvent]: { schema: z.ZodType; bucket: RateBucket; access: Access } }

/** The events whose schema does not fit their payload in table T (never when all do). */
export type MismatchedEvents<T extends InboundTable> = {
  [E in InboundEvent]: Fits<T[E]['schema'], PayloadOf<E>> extends true ? never : E
}[InboundEvent]

/** `true` only for a table without mismatches; otherwise the mismatched event names (a compile error). */
export type TableChecked<T extends InboundTable> = [MismatchedEvents<T>] extends [never]
  ? true
  : MismatchedEvents<T>

export const INBOUND = {
  'cases:list': { schema: emptySchema, bucket: 'other', access: 'site' },
  'case:open': { schema: caseOpenSchema, bucket: 'other', access: 'site' },
  'room:join': { schema: roomJoinSchema, bucket: 'other', access: 'any' },
  'room:leave': { schema: emptySchema, bucket: 'other', access: 'any' },
  'segment:create': { schema: segmentCreateSchema, bucket: 'other', access: 'any' },
  'segment:update': { schema: segmentUpdateSchema, bucket: 'other', access: 'any' },
  'segment:delete': { schema: segmentRefSchema, bucket: 'other', access: 'any' },
  'segment:prompt': { schema: promptSchema, bucket: 'prompt', access: 'any' },
  'segment:undo': { schema: segmentRefSchema, bucket: 'prompt', access: 'any' },
  'segment:redo': { schema: segmentRefSchema, bucket: 'prompt', access: 'any' },
  'segment:reset': { schema: segmentRefSchema, bucket: 'prompt', access: 'any' },
  'presence:update': { schema: presenceSchema, bucket: 'presence', access: 'any' },
  'upload:begin': { schema: uploadBeginSchema, bucket: 'other', access: 'site' },
  'upload:resume': { schema: uploadRefSchema, bucket: 'other', access: 'site' },
  'upload:chunk': { schema: uploadChunkSchema, bucket: 'upload', access: 'site' },
  'upload:finish': { schema: uploadRefSchema, bucket: 'other', access: 'site' },
  'upload:abort': { schema: uploadRefSchema, bucket: 'other', access: 'site' },
} as const satisfies InboundTable

// the compiler's check of every row (an error here names the event whose schema is not its payload's)
const INBOUND_CHECKED: TableChecked<typeof INBOUND> = true
void INBOUND_CHECKED

/** The validated payload a handler of E receives (the schema's output: defaults applied). */
export type InboundPayload<E extends InboundEvent> = z.output<(typeof INBOUND)[E]['schema']>
