/** upload:begin / resume / chunk / finish / abort (see uploads.ts). */
import type { Connection, ServerContext } from '../../context.ts'
import { handle } from '../dispatch.ts'

export function registerUploadHandlers(ctx: ServerContext, conn: Connection): void {
  const owner = conn.clientId
  handle(ctx, conn, 'upload:begin', async ({ format, size }) => {
    const status = await ctx.uploads.begin(owner, format, size)
    // Gone while the file was created: start its expiry like any interrupted upload.
    if (!conn.socket.connected) ctx.uploads.detach(owner)
    return status
  })
  handle(ctx, conn, 'upload:resume', ({ uploadId }) => ctx.uploads.resume(owner, uploadId))
  handle(ctx, conn, 'upload:chunk', ({ uploadId, offset, data }) =>
    ctx.uploads.chunk(owner, uploadId, offset, data),
  )
  handle(ctx, conn, 'upload:finish', async ({ uploadId }) => ({
    case: await ctx.uploads.finish(owner, uploadId),
  }))
  handle(ctx, conn, 'upload:abort', async ({ uploadId }) => {
    await ctx.uploads.abort(owner, uploadId)
    return {}
  })
}
