/**
 * Starts the edge server: HTTP(S) + Socket.IO on one port, the case store, the rooms, the model
 * (when there is one) behind one inference queue for its execution device.
 */
import { randomBytes } from 'node:crypto'
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { createAdapter } from '@socket.io/redis-adapter'
import { createClient, type RedisClientType } from 'redis'
import { Server } from 'socket.io'
import { LIMITS, PROTOCOL_VERSION } from '@fastsam-xr/protocol'
import { Segmenter } from '@fastsam-xr/runtime'
import { CaseStore } from './cases/caseStore.ts'
import type { ServerConfig } from './config.ts'
import type { Connection, IoServer, ServerContext } from './context.ts'
import { AddressLimits } from './transport/addressLimits.ts'
import { sameKey, storedSiteKey } from './transport/siteKey.ts'
import { originAllowed } from './transport/origin.ts'
import { refuseUnknownEvents } from './transport/dispatch.ts'
import { registerPresenceHandlers } from './transport/handlers/presence.ts'
import { leaveRoom, registerRoomHandlers } from './transport/handlers/rooms.ts'
import { registerSegmentHandlers } from './transport/handlers/segments.ts'
import { registerUploadHandlers } from './transport/handlers/uploads.ts'
import { createRequestHandler } from './transport/httpApp.ts'
import { InferenceQueue } from './jobs/inferenceQueue.ts'
import { createLogger, type Logger } from './log.ts'
import { RateLimiter } from './transport/rateLimit.ts'
import { RoomRegistry } from './rooms/rooms.ts'
import { RedisRoomStore } from './rooms/redisRoomStore.ts'
import { FileRoomStore } from './rooms/roomStore.ts'
import { scheduleSegment } from './jobs/segmentJobs.ts'
import { loadTls, type TlsMaterial } from './transport/tls.ts'
import { UploadStore } from './cases/uploads.ts'

export interface RunningServer {
  ctx: ServerContext
  port: number
  /** 'http' or 'https'. */
  scheme: string
  tls: TlsMaterial | null
  /** the model load error, when a model folder was configured but could not be loaded. */
  modelError: string | null
  /** the site key (`?key=` of the address to open); `siteKeyPath`: where it is kept, null when given. */
  siteKey: string
  siteKeyPath: string | null
  siteKeyCreated: boolean
  close(): Promise<void>
}

export interface StartOptions {
  logger?: Logger
  /** an already-loaded model (tests share one between servers); not released on close. */
  segmenter?: Segmenter | null
}

export async function startServer(config: ServerConfig, opts: StartOptions = {}): Promise<RunningServer> {
  const log = opts.logger ?? createLogger(config.logLevel)
  let segmenter: Segmenter | null = opts.segmenter ?? null
  let modelError: string | null = null
  const site = config.siteKey
    ? { key: config.siteKey, path: null, created: false }
    : storedSiteKey(config.dataDir)
  const ownsSegmenter = opts.segmenter === undefined
  if (ownsSegmenter && config.modelDir) {
    try {
      segmenter = await Segmenter.load(config.modelDir, { executionProvider: config.executionProvider })
    } catch (err) {
      // Start anyway: viewing, isosurfaces and rooms work without a model.
      modelError = (err as Error).message
      log.error({ err: modelError }, 'model not loaded')
    }
  }
  const modelName = segmenter ? segmenter.manifest.name : null
  const tls = await loadTls(config)
  const handler = (...a: Parameters<ReturnType<typeof createRequestHandler>>): void =>
    void requestHandler(...a)
  const http: HttpServer = tls
    ? createHttpsServer({ cert: tls.cert, key: tls.key }, handler)
    : createHttpServer(handler)
  const io: IoServer = new Server(http, {
    // One upload chunk plus framing; anything bigger is dropped by Socket.IO before parsing.
    maxHttpBufferSize: LIMITS.uploadChunkBytes + 64 * 1024,
    // no CORS: only the served client's own origin and the listed ones get a handshake
    allowRequest: (req, done) =>
      done(null, originAllowed(req.headers.origin, req.headers.host, config.allowedOrigins)),
    serveClient: false,
  })
  const redis = config.redisUrl ? await connectRedis(config.redisUrl, log) : null
  if (redis) io.adapter(createAdapter(redis.pub, redis.sub))
  const roomStore = redis
    ? new RedisRoomStore(redis.data, (roomId) => io.serverSideEmit('room:changed', roomId))
    : new FileRoomStore(join(config.dataDir, 'rooms'), (roomId, err) =>
        log.error({ roomId, err: (err as Error).message }, 'room record not saved'),
      )
  const cases = new CaseStore(config.demoPath, join(config.dataDir, 'cases'), config.maxVoxels)
  const ctx: ServerContext = {
    config,
    log,
    io,
    cases,
    rooms: new RoomRegistry(cases, modelName, roomStore, (room, segments) => {
      // Replay the changed prompt logs; the meshes go to this node's clients in the room.
      for (const segment of segments) scheduleSegment(ctx, room, segment)
      log.info({ roomId: room.id, segments: segments.length }, 'room state caught up')
    }),
    queue: new InferenceQueue(config.executionProvider, (key, err) =>
      log.error({ job: key, err }, 'inference job failed'),
    ),
    segmenter,
    modelName,
    uploads: new UploadStore(
      join(config.dataDir, 'uploads'),
      config.maxUploadBytes,
      config.maxVoxels,
      config.uploadResumeS,
      cases,
      log,
      config.uploadDiskBytes,
    ),
    siteKey: site.key,
    addresses: new AddressLimits({
      connections: config.maxConnectionsPerAddress,
      roomsPerMinute: config.roomsPerMinute,
    }),
  }
  const requestHandler = createRequestHandler(ctx)

  // Idle rooms leave memory (they stay stored), and with them the cases no room uses (uploads: once
  // their uploader has gone too).
  const connectedClients = new Set<string>()
  const sweep = setInterval(
    () => {
      const { evicted, casesInUse } = ctx.rooms.evictIdle(config.roomIdleS * 1000)
      const released = ctx.cases.releaseExcept(casesInUse, connectedClients)
      if (evicted || released) log.info({ evicted, released }, 'idle rooms freed')
    },
    Math.min(60, config.roomIdleS) * 1000,
  )
  sweep.unref()
  io.on('room:changed', (roomId) => void ctx.rooms.remoteChanged(roomId))
  // Per client address: at most maxConnectionsPerAddress connections at once (refused at the handshake).
  io.use((socket, next) => {
    if (ctx.addresses.connect(socket.handshake.address)) return next()
    next(new Error(`too many connections from this address (at most ${config.maxConnectionsPerAddress})`))
  })
  io.on('connection', (socket) => {
    const conn: Connection = {
      clientId: randomBytes(6).toString('base64url'),
      displayName: 'guest',
      room: null,
      limits: new RateLimiter(),
      socket,
      address: socket.handshake.address,
      site: sameKey((socket.handshake.auth as { siteKey?: unknown } | undefined)?.siteKey, site.key),
    }
    conn.displayName = `guest-${conn.clientId.slice(0, 4)}`
    connectedClients.add(conn.clientId)
    registerRoomHandlers(ctx, conn)
    registerSegmentHandlers(ctx, conn)
    registerPresenceHandlers(conn)
    registerUploadHandlers(ctx, conn)
    refuseUnknownEvents(conn)
    socket.on('disconnect', () => {
      connectedClients.delete(conn.clientId)
      ctx.addresses.disconnect(conn.address)
      void leaveRoom(ctx, conn)
      ctx.uploads.detach(conn.clientId)
    })
    socket.emit('server:hello', {
      protocolVersion: PROTOCOL_VERSION,
      clientId: conn.clientId,
      model: modelName,
    })
  })

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(config.port, config.host, () => {
      http.off('error', reject)
      resolve()
    })
  })
  const port = (http.address() as AddressInfo).port
  log.info(
    { port, host: config.host, tls: tls !== null, model: modelName, ep: config.executionProvider },
    'listening',
  )

  return {
    ctx,
    port,
    scheme: tls ? 'https' : 'http',
    tls,
    modelError,
    siteKey: site.key,
    siteKeyPath: site.path,
    siteKeyCreated: site.created,
    async close() {
      clearInterval(sweep)
      await new Promise<void>((resolve) => io.close(() => resolve()))
      await ctx.queue.idle()
      await ctx.rooms.flush()
      await ctx.uploads.close()
      if (redis) await Promise.all([redis.pub, redis.sub, redis.data].map((c) => c.close().catch(() => {})))
      if (ownsSegmenter) await segmenter?.release()
    },
  }
}

interface RedisClients {
  pub: RedisClientType
  sub: RedisClientType
  data: RedisClientType
}

/** Three connections (adapter publish, adapter subscribe, room records); a clear error when unreachable. */
async function connectRedis(url: string, log: Logger): Promise<RedisClients> {
  const make = (): RedisClientType => {
    const c: RedisClientType = createClient({
      url,
      socket: { connectTimeout: 5000, reconnectStrategy: (retries) => (retries > 20 ? false : 250) },
    })
    c.on('error', (err: Error) => log.warn({ err: err.message }, 'redis connection problem'))
    return c
  }
  const clients = { pub: make(), sub: make(), data: make() }
  try {
    await Promise.all(Object.values(clients).map((c) => c.connect()))
  } catch (err) {
    for (const c of Object.values(clients)) c.destroy()
    throw new Error(`cannot reach Redis at ${url}: ${(err as Error).message}`)
  }
  return clients
}
