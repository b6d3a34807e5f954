/**
 * Test support: a real server on a loopback port (temporary data folder, silent logs) and real
 * socket.io-client connections with promise-returning, typed event calls.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { io, type Socket } from 'socket.io-client'
import type { ClientToServerEvents, Reply, ServerToClientEvents } from '@fastsam-xr/protocol'
import { loadConfig, startServer, type RunningServer, type StartOptions } from '../src/index.ts'

export type Client = Socket<ServerToClientEvents, ClientToServerEvents>

export interface TestServer {
  server: RunningServer
  url: string
  dataDir: string
  /** the server's site key: `connect(url)` sends it unless told otherwise. */
  siteKey: string
  close(): Promise<void>
}

/** Site keys of the test servers running, by URL. */
const siteKeys = new Map<string, string>()

export async function startTestServer(
  opts: StartOptions & { env?: Record<string, string>; dataDir?: string } = {},
): Promise<TestServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'fastsam-server-'))
  const config = loadConfig(['--port', '0', '--host', '127.0.0.1', '--data', dataDir, '--tls', 'off'], {
    FASTSAM_LOG_LEVEL: 'silent',
    ...opts.env,
  })
  const server = await startServer(config, opts)
  const url = `http://127.0.0.1:${server.port}`
  siteKeys.set(url, server.siteKey)
  return {
    server,
    url,
    dataDir,
    siteKey: server.siteKey,
    async close() {
      siteKeys.delete(url)
      await server.close()
      // A given data folder belongs to the caller (restart tests reuse it).
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

const clients = new Set<Client>()

/**
 * A connection to `url` that gives its server's site key at the handshake (a test server's, or `siteKey`);
 * `siteKey: null`: an anonymous connection (what someone with a room link only has).
 */
export async function connect(url: string, opts: { siteKey?: string | null } = {}): Promise<Client> {
  const key = opts.siteKey === undefined ? siteKeys.get(url) : opts.siteKey
  const socket: Client = io(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    auth: key ? { siteKey: key } : {},
  })
  clients.add(socket)
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve())
    socket.once('connect_error', reject)
  })
  return socket
}

export function disconnectAll(): void {
  for (const c of clients) c.disconnect()
  clients.clear()
}

type AckOf<E extends keyof ClientToServerEvents> =
  Parameters<ClientToServerEvents[E]> extends [unknown, (reply: infer R) => void] ? R : never

/** Emits an event with its ack and resolves with the reply (throws after `timeoutMs`). */
export function call<E extends keyof ClientToServerEvents>(
  socket: Client,
  event: E,
  payload: Parameters<ClientToServerEvents[E]>[0],
  timeoutMs = 30_000,
): Promise<AckOf<E>> {
  return (
    socket.timeout(timeoutMs) as unknown as { emitWithAck(e: string, p: unknown): Promise<AckOf<E>> }
  ).emitWithAck(event, payload)
}

/** Emits arbitrary (possibly hostile) arguments and resolves with the ack reply. */
export function callRaw(socket: Client, event: string, args: unknown[], timeoutMs = 10_000): Promise<Reply> {
  return (
    socket.timeout(timeoutMs) as unknown as { emitWithAck(e: string, ...a: unknown[]): Promise<Reply> }
  ).emitWithAck(event, ...args)
}

/** Resolves with the next `event` whose payload satisfies `match`. */
export function next<E extends keyof ServerToClientEvents>(
  socket: Client,
  event: E,
  match: (payload: Parameters<ServerToClientEvents[E]>[0]) => boolean = () => true,
  timeoutMs = 60_000,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener as never)
      reject(new Error(`no '${event}' within ${timeoutMs} ms`))
    }, timeoutMs)
    const listener = (payload: Parameters<ServerToClientEvents[E]>[0]): void => {
      if (!match(payload)) return
      clearTimeout(timer)
      socket.off(event, listener as never)
      resolve(payload)
    }
    socket.on(event, listener as never)
  })
}

/** Asserts a reply is a success and narrows it. */
export function expectOk<R extends { ok: boolean }>(reply: R): Extract<R, { ok: true }> {
  if (!reply.ok) throw new Error(`expected ok, got ${JSON.stringify(reply)}`)
  return reply as Extract<R, { ok: true }>
}

/** A Buffer/ArrayBuffer/Uint8Array as a plain Uint8Array. */
export function bytes(b: Uint8Array | ArrayBuffer): Uint8Array {
  return b instanceof Uint8Array ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Uint8Array(b)
}

/** A point inside an organ: the label voxel nearest the label's centroid, in world RAS mm. */
export { labelPoint as organPoint } from '../../test/support/labelPoint.ts'

/** Byte equality of two typed arrays (vitest's deep equality is slow on large arrays). */
export function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  )
}
