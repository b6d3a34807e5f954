/**
 * Type test (checked by `npm run typecheck`, never run): the inbound table catches a wrong pairing. Each
 * `@ts-expect-error` line must fail to compile — if the check stopped catching it, typecheck would fail on
 * the unused directive.
 */
import { INBOUND, segmentRefSchema, type TableChecked } from '../src/index.ts'
import { z } from 'zod'

// the real table passes
export const real: TableChecked<typeof INBOUND> = true

// a row with another event's schema
export const swapped = {
  ...INBOUND,
  'case:open': { schema: segmentRefSchema, bucket: 'other', access: 'site' },
} as const
// @ts-expect-error 'case:open' is validated with segment:delete's schema
export const wrongSchema: TableChecked<typeof swapped> = true

// a looser schema (a prompt without its sign)
export const loose = {
  ...INBOUND,
  'segment:prompt': {
    schema: z.strictObject({
      segmentId: z.string(),
      pointWorldRas: z.tuple([z.number(), z.number(), z.number()]),
    }),
    bucket: 'prompt',
    access: 'any',
  },
} as const
// @ts-expect-error 'segment:prompt' without `positive`
export const looserSchema: TableChecked<typeof loose> = true

// a table missing an event
export const { 'segment:undo': _omitted, ...missing } = INBOUND
// @ts-expect-error no row for 'segment:undo'
export const missingRow: TableChecked<typeof missing> = true
