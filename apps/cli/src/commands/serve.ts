/**
 * `fastsam-xr serve [--port n] [--host h] [--model DIR] [--ep cpu|cuda] [--data DIR]
 *                   [--tls auto|off] [--tls-cert FILE --tls-key FILE] [--redis URL] [--crop-extension on|off]`
 *
 * Runs the edge server until SIGINT/SIGTERM. Flags override the FASTSAM_* environment (see
 * server/src/config.ts). Prints the URLs, the address to open (it carries the site key: without it
 * nobody lists, opens or uploads a case), whether a model is loaded, and with TLS the certificate's
 * SHA-256 fingerprint to compare on the headset.
 */
import QRCode from 'qrcode'
import { ConfigError, lanUrls, loadConfig, startServer, type ServerConfig } from '@fastsam-xr/server'
import { UsageError, type Command } from '../command.ts'

export interface RunOptions {
  /** when the configured port is taken, listen on any free port instead of failing (`start`). */
  anyPortIfBusy?: boolean
  /** print the address to open as a QR code too, for a headset's camera (`start`, on a terminal). */
  qr?: boolean
}

function banner(lines: string[]): void {
  process.stdout.write(lines.map((l) => `fastsam-xr: ${l}`).join('\n') + '\n')
}

/** Starts the server, prints where to reach it, and serves until a termination signal. */
export async function runServer(config: ServerConfig, opts: RunOptions = {}): Promise<number> {
  let server
  try {
    server = await startServer(config)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE' && opts.anyPortIfBusy && config.port !== 0) {
      banner([`port ${config.port} is in use; taking a free port instead`])
      return runServer({ ...config, port: 0 }, opts)
    }
    if (code === 'EADDRINUSE')
      throw new UsageError(`port ${config.port} is in use (pass --port another, or 0 for any)`)
    if (code === 'EACCES')
      throw new UsageError(`no permission to listen on port ${config.port} (use a port above 1024)`)
    throw err
  }
  const { local, lan } = lanUrls(server.scheme, config.host, server.port)
  const withKey = (u: string): string => `${u}?key=${server.siteKey}`
  const lines = [
    `listening on ${local}`,
    ...lan.map((u) => `on the LAN: ${u}`),
    // the address to open carries the site key (without it: no case list, no case, no upload)
    `open: ${withKey(lan[0] ?? local)}`,
    server.siteKeyPath
      ? `site key ${server.siteKeyCreated ? 'created' : 'kept'} in ${server.siteKeyPath} (rotate: fastsam-xr site-key --rotate)`
      : 'site key given by --site-key / FASTSAM_SITE_KEY',
  ]
  if (server.ctx.modelName) lines.push(`model: ${server.ctx.modelName} (${config.executionProvider})`)
  else if (server.modelError)
    lines.push(`no model loaded: ${server.modelError.split('\n')[0]}; prompts are answered 'no-model'`)
  else lines.push(config.modelHint ?? 'no model loaded')
  if (server.tls)
    lines.push(
      `TLS certificate ${server.tls.generated ? 'generated' : 'loaded'}: ${server.tls.certPath}`,
      `SHA-256 fingerprint ${server.tls.fingerprint256}`,
      'self-signed: accept it once in the headset browser (compare the fingerprint)',
    )
  // Listen for the signals before printing: whoever reads the URL may stop us at once.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  banner(lines)
  if (opts.qr && process.stdout.isTTY)
    process.stdout.write(await QRCode.toString(withKey(lan[0] ?? local), { type: 'terminal', small: true }))
  await stopped
  banner(['shutting down'])
  await server.close()
  return 0
}

/** Parses flags; a bad value is a usage error (one line, exit 2), never a stack. */
export function parseServeConfig(argv: string[], defaults?: { tls: 'off' | 'auto' }): ServerConfig {
  try {
    return loadConfig(argv, process.env, defaults)
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message)
    throw err
  }
}

export const serve: Command = {
  name: 'serve',
  summary: 'run the edge server (Socket.IO + HTTP(S)): cases, prompts → meshes, rooms, exports',
  usage:
    'fastsam-xr serve [--port n] [--host h] [--model DIR] [--ep cpu|cuda] [--data DIR] ' +
    '[--tls auto|off] [--tls-cert FILE --tls-key FILE] [--log-level info|warn|silent] [--redis redis://h:p] [--crop-extension on|off] ' +
    '[--allow-origin O,…] [--site-key KEY]',
  async run(argv) {
    return runServer(parseServeConfig(argv))
  },
}
