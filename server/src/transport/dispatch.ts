/**
 * The one door every inbound event goes through: rate limit, payload validation (zod), the handler,
 * and a typed ack reply. Nothing reaches a handler unvalidated, and a handler's failure never
 * escapes as a crash: it becomes `{ ok: false, error }` (internal errors are logged, not detailed).
 */
import type { z } from 'zod'
import {
  fail,
  INBOUND,
  PROTOCOL_VERSION,
  type AckedEvent,
  type HandlerResult,
  type Access,
  type InboundPayload,
  type RateBucket,
  type Reply,
} from '@fastsam-xr/protocol'
import type { Connection, ServerContext } from '../context.ts'
import { failureOf } from '../failure.ts'

type RawListener = (...args: unknown[]) => void
interface RawSocket {
  on(event: string, listener: RawListener): void
}

/** The first issue of a zod error, as one line. */
export function describeIssues(error: z.ZodError): string {
  const issue = error.issues[0]
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : ''
  return `invalid payload: ${where}${issue?.message ?? 'unknown problem'}`
}

/**
 * Registers the handler of one acked event. Its schema and rate bucket come from the protocol's inbound
 * table (`INBOUND`), and the compiler holds the handler to the event's payload and success result: a
 * handler wired to another event's reply shape does not compile (server/test/dispatch.typetest.ts).
 */
export function handle<E extends AckedEvent>(
  ctx: ServerContext,
  conn: Connection,
  event: E,
  handler: (payload: InboundPayload<E>) => HandlerResult<E> | Promise<HandlerResult<E>>,
): void {
  const { schema, bucket, access }: { schema: z.ZodType; bucket: RateBucket; access: Access } = INBOUND[event]
  const listener: RawListener = (...args) => {
    const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (r: Reply) => void) : undefined
    const reply = (r: Reply): void => {
      try {
        ack?.(r)
      } catch {
        // a broken ack is the client's problem
      }
    }
    if (!conn.limits.take(bucket)) return reply(fail('rate-limited', `too many '${event}' events; slow down`))
    if (access === 'site' && !conn.site)
      return reply(
        fail(
          'forbidden',
          `'${event}' needs the site key: open the address the server printed (it carries ?key=)`,
        ),
      )
    if (args.length > 1) return reply(fail('bad-request', `'${event}' takes one payload argument`))
    const parsed = schema.safeParse(args[0] === undefined ? {} : args[0])
    if (!parsed.success) return reply(fail('bad-request', describeIssues(parsed.error)))
    Promise.resolve()
      .then(() => handler(parsed.data as InboundPayload<E>))
      .then(
        (result) => reply({ ok: true, ...result }),
        (err: unknown) => {
          const f = failureOf(err)
          if (f.internal) ctx.log.error({ event, clientId: conn.clientId, err }, 'handler failed')
          reply({ ok: false, error: f.error })
        },
      )
  }
  // socket.io's typed `on` cannot follow a generic event name; the table above keeps both ends typed
  ;(conn.socket as unknown as RawSocket).on(event, listener)
}

/**
 * An event no row of the protocol's table names (a typo, an older or newer client, a probe) is answered
 * with a typed error when it asks for an ack, instead of leaving the client to time out; it is never
 * dispatched. The name is echoed cut to 64 characters.
 */
export function refuseUnknownEvents(conn: Connection): void {
  conn.socket.onAny((event: unknown, ...args: unknown[]) => {
    if (typeof event === 'string' && Object.hasOwn(INBOUND, event)) return
    const ack = args[args.length - 1]
    if (typeof ack !== 'function' || !conn.limits.take('other')) return
    const name = String(event).slice(0, 64)
    try {
      ;(ack as (r: Reply) => void)(
        fail('bad-request', `unknown event '${name}' (this server speaks protocol ${PROTOCOL_VERSION})`),
      )
    } catch {
      // a broken ack is the client's problem
    }
  })
}
