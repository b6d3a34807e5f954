/**
 * The HTTP side: `/healthz`, exports (`/rooms/<roomId>/export/<format>` with the room token as
 * `?token=` or `Authorization: Bearer`), and the built client (apps/xr/dist) at `/` when present.
 */
import { existsSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join, normalize, sep } from 'node:path'
import { PROTOCOL_VERSION } from '@fastsam-xr/protocol'
import type { ServerContext } from '../context.ts'
import { failureOf } from '../failure.ts'
import { EXPORT_FORMATS, exportRoom, type ExportFormat } from '../rooms/exports.ts'

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.glb': 'model/gltf-binary',
}

function send(
  res: ServerResponse,
  status: number,
  body: string | Uint8Array,
  type: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...extra,
  })
  res.end(body)
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON.stringify(value), 'application/json')
}

const NO_CLIENT_PAGE = `<!doctype html><meta charset="utf-8"><title>fastsam-xr</title>
<h1>fastsam-xr edge server</h1><p>The server is running. No built client was found (apps/xr/dist);
build it, or connect a client to this address with Socket.IO. Health: <a href="/healthz">/healthz</a>.</p>`

export function createRequestHandler(ctx: ServerContext) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost')
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return sendJson(res, 405, { error: 'method not allowed' })
      if (url.pathname === '/healthz')
        return sendJson(res, 200, {
          ok: true,
          protocolVersion: PROTOCOL_VERSION,
          model: ctx.modelName,
          executionProvider: ctx.config.executionProvider,
          rooms: ctx.rooms.size,
          queue: { busy: ctx.queue.busy, waiting: ctx.queue.depth },
          uptimeS: Math.round(process.uptime()),
          rssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
        })
      const exportMatch = /^\/rooms\/([A-Za-z0-9_-]{1,64})\/export\/([a-z.]+)$/.exec(url.pathname)
      if (exportMatch) {
        const [, roomId, format] = exportMatch
        if (!EXPORT_FORMATS.includes(format as ExportFormat))
          return sendJson(res, 404, { error: `formats: ${EXPORT_FORMATS.join(', ')}` })
        const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
        // an empty `?token=` (a link with its token cut off) must not shadow a valid header
        const token = url.searchParams.get('token') || bearer || ''
        const room = await ctx.rooms.authorize(roomId, token)
        const { body, contentType } = await exportRoom(room, format as ExportFormat)
        ctx.log.info({ roomId, format, bytes: body.length }, 'export')
        return send(res, 200, body, contentType, {
          'content-disposition': `attachment; filename="fastsam-xr-${format}"`,
        })
      }
      return await serveClient(ctx.config.clientDir, url.pathname, res)
    } catch (err) {
      const f = failureOf(err)
      if (f.internal) ctx.log.error({ err, path: req.url?.split('?')[0] }, 'http request failed')
      const status =
        f.error.code === 'forbidden' ? 403 : f.error.code === 'not-found' ? 404 : f.internal ? 500 : 400
      sendJson(res, status, { error: f.error })
    }
  }
}

async function serveClient(dir: string, pathname: string, res: ServerResponse): Promise<void> {
  if (!existsSync(join(dir, 'index.html'))) {
    if (pathname === '/' || pathname === '/index.html') return send(res, 200, NO_CLIENT_PAGE, MIME['.html'])
    return sendJson(res, 404, { error: 'not found' })
  }
  const rel = normalize(decodeURIComponent(pathname)).replace(/^[/\\]+/, '')
  const path = join(dir, rel === '' ? 'index.html' : rel)
  if (!path.startsWith(dir + sep) && path !== dir) return sendJson(res, 404, { error: 'not found' })
  const info = await stat(path).catch(() => null)
  const file = info?.isFile() ? path : join(dir, 'index.html')
  send(res, 200, await readFile(file), MIME[extname(file)] ?? 'application/octet-stream')
}
