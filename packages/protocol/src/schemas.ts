/**
 * zod schemas of every client→server payload. The server parses each inbound payload with the
 * schema of its event before touching any state; anything that fails is answered with `bad-request`.
 * Objects are strict: unknown keys are refused, not ignored.
 */
import { z } from 'zod'
import { LIMITS } from './limits.ts'

/** A finite coordinate within ±LIMITS.coordinateMm. */
const coordinate = z.number().finite().min(-LIMITS.coordinateMm).max(LIMITS.coordinateMm)

/** World RAS millimetres [x, y, z]. */
export const vec3Schema = z.tuple([coordinate, coordinate, coordinate])

/** Unit quaternion [x, y, z, w] (normalised by the receiver; only finiteness and range are checked). */
export const quatSchema = z.tuple([
  z.number().finite().min(-1.001).max(1.001),
  z.number().finite().min(-1.001).max(1.001),
  z.number().finite().min(-1.001).max(1.001),
  z.number().finite().min(-1.001).max(1.001),
])

export const idSchema = z
  .string()
  .min(1)
  .max(LIMITS.idLength)
  .regex(/^[A-Za-z0-9_-]+$/, 'ids are letters, digits, _ and -')

/** A display name: printable, no control characters. */
export const nameSchema = z
  .string()
  .trim()
  .min(1)
  .max(LIMITS.nameLength)
  .regex(/^[^\p{Cc}]+$/u, 'names may not contain control characters')

/** '#rrggbb'. */
export const colorSchema = z.string().regex(/^#[0-9a-fA-F]{6}$/, "colours are '#rrggbb'")

/**
 * Binary data: Socket.IO delivers a Buffer (Node) or an ArrayBuffer (browser); both become a
 * Uint8Array view. JSON arrays of numbers are refused.
 */
export const bytesSchema = z
  .custom<Uint8Array<ArrayBufferLike> | ArrayBuffer>(
    (v) => v instanceof Uint8Array || v instanceof ArrayBuffer,
    // one message whatever arrived (a JSON array, a Buffer serialised as {type, data}, a string): a union's
    // error would list what the other branch expected, e.g. every method name of ArrayBuffer
    'expected binary data (a Uint8Array or ArrayBuffer sent as a Socket.IO binary attachment), not JSON',
  )
  .transform((b): Uint8Array => (b instanceof Uint8Array ? b : new Uint8Array(b)))

export const emptySchema = z.strictObject({}).optional()

export const caseOpenSchema = z.strictObject({
  caseId: idSchema,
  /** how the other members see whoever opens the case (as in room:join). */
  displayName: nameSchema.optional(),
})

/** Room tokens are 32 random bytes, base64url (43 characters). */
export const tokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a room token is 43 base64url characters')

export const roomJoinSchema = z.strictObject({
  roomId: idSchema,
  token: tokenSchema,
  displayName: nameSchema.optional(),
})

export const segmentCreateSchema = z.strictObject({
  name: nameSchema.optional(),
  color: colorSchema.optional(),
})

export const segmentUpdateSchema = z
  .strictObject({
    segmentId: idSchema,
    name: nameSchema.optional(),
    color: colorSchema.optional(),
    visible: z.boolean().optional(),
  })
  .refine((p) => p.name !== undefined || p.color !== undefined || p.visible !== undefined, {
    message: 'nothing to update: give name, color or visible',
  })

export const segmentRefSchema = z.strictObject({ segmentId: idSchema })

export const promptSchema = z.strictObject({
  segmentId: idSchema,
  /** the clicked point in world RAS mm. */
  pointWorldRas: vec3Schema,
  /** true = include, false = exclude. */
  positive: z.boolean(),
})

export const poseSchema = z.strictObject({
  position: vec3Schema,
  orientation: quatSchema,
})

export const presenceSchema = z.strictObject({
  head: poseSchema,
  hands: z.array(poseSchema).max(LIMITS.handsPerPresence).optional(),
  /** where the user points, world RAS mm (e.g. the hand ray's hit). */
  pointer: vec3Schema.optional(),
})

export const uploadBeginSchema = z.strictObject({
  /** 'nifti': one .nii/.nii.gz file; 'dicom-zip': a zip of one DICOM series. */
  format: z.enum(['nifti', 'dicom-zip']),
  /** total size in bytes. */
  size: z.number().int().min(1),
})

export const uploadChunkSchema = z.strictObject({
  uploadId: idSchema,
  /** byte offset of this chunk; must equal the bytes received so far (resume from `received`). */
  offset: z.number().int().min(0),
  data: bytesSchema,
})

export const uploadRefSchema = z.strictObject({ uploadId: idSchema })

export type CaseOpenRequest = z.input<typeof caseOpenSchema>
export type RoomJoinRequest = z.input<typeof roomJoinSchema>
export type SegmentCreateRequest = z.input<typeof segmentCreateSchema>
export type SegmentUpdateRequest = z.input<typeof segmentUpdateSchema>
export type SegmentRef = z.input<typeof segmentRefSchema>
export type PromptRequest = z.input<typeof promptSchema>
export type Pose = z.input<typeof poseSchema>
export type PresenceUpdate = z.input<typeof presenceSchema>
export type UploadBeginRequest = z.input<typeof uploadBeginSchema>
export type UploadChunkRequest = z.input<typeof uploadChunkSchema>
export type UploadRef = z.input<typeof uploadRefSchema>
