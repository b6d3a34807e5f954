/**
 * Server configuration from flags and environment (flags win). Every value has an embedded default
 * so `fastsam-xr start` works on a fresh machine; a bad value is a `ConfigError` with one clear line.
 *
 *   --port  FASTSAM_PORT   (default 8443 with TLS, 8080 without; 0 = any free port)
 *   --host  FASTSAM_HOST   (default 0.0.0.0: reachable from headsets on the LAN)
 *   --model FASTSAM_MODEL  (default models/weights/fastsam-xr-unet when present, else no model;
 *                           'none' runs without one on purpose)
 *   --ep    FASTSAM_EP     cpu | cuda (default cpu)
 *   --data  FASTSAM_DATA   state folder: cases/, uploads/, tls/ (default ~/.fastsam-xr)
 *   --tls   FASTSAM_TLS    auto | off (default off for `serve`, auto for `start`)
 *   --tls-cert / --tls-key FASTSAM_TLS_CERT / FASTSAM_TLS_KEY: given PEM files (implies TLS)
 *   --redis FASTSAM_REDIS  redis://host:port: several nodes share rooms (Socket.IO Redis adapter,
 *                           room records in Redis instead of <data>/rooms/)
 *   --crop-extension FASTSAM_CROP_EXTENSION  on | off (default on): a mask touching a face of the
 *                           128³ crop is extended through a neighbouring crop (`@fastsam-xr/session`)
 *   limits (environment only): FASTSAM_MAX_VOXELS, FASTSAM_MAX_UPLOAD_BYTES, FASTSAM_UPLOAD_DISK_BYTES,
 *   FASTSAM_UPLOAD_RESUME_S, FASTSAM_ROOM_IDLE_S
 */
import { parseAllowedOrigins } from './transport/origin.ts'
import { isSiteKey } from './transport/siteKey.ts'
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SHIPPED_MODEL_DIR } from '@fastsam-xr/runtime/node'

export type ExecutionDevice = 'cpu' | 'cuda'

export interface ServerConfig {
  port: number
  host: string
  /** resolved model folder, or null to run without a model (prompts answer `no-model`). */
  modelDir: string | null
  /** why there is no model (for the start-up message), when modelDir is null. */
  modelHint?: string
  executionProvider: ExecutionDevice
  dataDir: string
  tls: { mode: 'off' } | { mode: 'auto' } | { mode: 'files'; certPath: string; keyPath: string }
  /** NIfTI of the built-in demo case. */
  demoPath: string
  /** the built client (served at /) when it exists. */
  clientDir: string
  /** largest volume accepted (voxels) and largest upload (bytes). */
  maxVoxels: number
  maxUploadBytes: number
  /** the declared sizes of all uploads held at once, server-wide (what their temporary files can reach). */
  uploadDiskBytes: number
  /** seconds an interrupted upload stays resumable before its temporary file is deleted. */
  uploadResumeS: number
  /** seconds a room without members stays in memory (it stays stored and is restored on join). */
  roomIdleS: number
  /** Redis URL for several nodes (Socket.IO Redis adapter + room records in Redis), or null. */
  redisUrl: string | null
  /** pino level ('silent' in tests). */
  logLevel: string
  /** extend masks that touch a crop face through neighbouring crops (`@fastsam-xr/session`: fold.ts, cropExtension.ts). */
  cropExtension: boolean
  /** browser origins besides the served client's own that may connect (transport/origin.ts). */
  allowedOrigins: string[]
  /** per client address: connections held at once, rooms created per minute. */
  maxConnectionsPerAddress: number
  roomsPerMinute: number
  /** the site key when given by flag/env; null: the one kept in the data folder (transport/siteKey.ts). */
  siteKey: string | null
}

/** The data folder without --data / FASTSAM_DATA (cases, rooms, uploads, tls, site-key). */
export const DEFAULT_DATA_DIR = join(homedir(), '.fastsam-xr')

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const DEFAULT_MODEL_DIR = SHIPPED_MODEL_DIR

function parsePort(text: string, source: string): number {
  const port = Number(text)
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`${source} expects a port 0..65535 (got '${text}')`)
  return port
}

function positiveNumber(text: string | undefined, source: string): number | undefined {
  if (text === undefined || text === '') return undefined
  const v = Number(text)
  if (!(v > 0) || !Number.isFinite(v))
    throw new ConfigError(`${source} expects a positive number (got '${text}')`)
  return v
}

function parseRedisUrl(given: [string, string] | undefined): string | null {
  if (!given) return null
  if (!/^rediss?:\/\/[^\s]+$/.test(given[0]))
    throw new ConfigError(`${given[1]} expects redis://host:port (got '${given[0]}')`)
  return given[0]
}

function siteKeyOf(given: [string, string] | undefined): string | null {
  if (!given) return null
  if (!isSiteKey(given[0]))
    throw new ConfigError(`${given[1]}: a site key is 32 to 128 letters, digits, _ or -`)
  return given[0]
}

function origins(given: [string, string] | undefined): string[] {
  try {
    return parseAllowedOrigins(given?.[0])
  } catch (err) {
    throw new ConfigError(`${given![1]}: ${(err as Error).message}`)
  }
}

function parseOnOff(given: [string, string] | undefined, fallback: boolean): boolean {
  if (!given) return fallback
  if (given[0] !== 'on' && given[0] !== 'off')
    throw new ConfigError(`${given[1]} expects on or off (got '${given[0]}')`)
  return given[0] === 'on'
}

function parseDevice(text: string, source: string): ExecutionDevice {
  if (text !== 'cpu' && text !== 'cuda')
    throw new ConfigError(`${source} expects cpu or cuda (got '${text}')`)
  return text
}

/** The model folder: the flag/env value (must exist), else the shipped default when present, else null. */
export function resolveModelDir(given: string | undefined): { dir: string | null; hint?: string } {
  if (given === 'none') return { dir: null, hint: "no model (--model none): prompts are answered 'no-model'" }
  if (given !== undefined && given !== '') {
    const dir = resolve(given)
    if (!existsSync(join(dir, 'model.json')))
      throw new ConfigError(
        `--model ${given}: no model.json there (export one with 'npm run model:golden -- --out DIR' or 'npm run model:import')`,
      )
    return { dir }
  }
  if (existsSync(join(DEFAULT_MODEL_DIR, 'model.json'))) return { dir: DEFAULT_MODEL_DIR }
  return {
    dir: null,
    hint:
      `no model: ${DEFAULT_MODEL_DIR} does not exist yet and no --model/FASTSAM_MODEL was given; ` +
      `cases, isosurfaces and rooms work, prompts are answered 'no-model'`,
  }
}

export interface ConfigDefaults {
  tls: 'off' | 'auto'
}

/** Parses `serve`-style flags over the environment. Throws ConfigError on anything it cannot use. */
export function loadConfig(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  defaults: ConfigDefaults = { tls: 'off' },
): ServerConfig {
  const flags = new Map<string, string>()
  const known = new Set([
    '--port',
    '--host',
    '--model',
    '--ep',
    '--data',
    '--tls',
    '--tls-cert',
    '--tls-key',
    '--log-level',
    '--redis',
    '--crop-extension',
    '--allow-origin',
    '--site-key',
  ])
  for (let n = 0; n < argv.length; n++) {
    const arg = argv[n]
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1
    const flag = eq > 0 ? arg.slice(0, eq) : arg
    if (!known.has(flag)) throw new ConfigError(`unknown option '${arg}'`)
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++n]
    if (value === undefined || (eq < 0 && value.startsWith('--')))
      throw new ConfigError(`${flag} needs a value`)
    flags.set(flag, value)
  }
  const pick = (flag: string, envName: string): [string, string] | undefined => {
    if (flags.has(flag)) return [flags.get(flag)!, flag]
    const v = env[envName]
    return v !== undefined && v !== '' ? [v, envName] : undefined
  }

  const tlsCert = pick('--tls-cert', 'FASTSAM_TLS_CERT')
  const tlsKey = pick('--tls-key', 'FASTSAM_TLS_KEY')
  const tlsMode = pick('--tls', 'FASTSAM_TLS')
  let tls: ServerConfig['tls']
  if (tlsCert || tlsKey) {
    if (!tlsCert || !tlsKey) throw new ConfigError('--tls-cert and --tls-key go together')
    for (const [path, source] of [tlsCert, tlsKey])
      if (!existsSync(path)) throw new ConfigError(`${source}: no such file ${path}`)
    if (tlsMode && tlsMode[0] === 'off') throw new ConfigError('--tls off contradicts --tls-cert/--tls-key')
    tls = { mode: 'files', certPath: resolve(tlsCert[0]), keyPath: resolve(tlsKey[0]) }
  } else {
    const mode = tlsMode?.[0] ?? defaults.tls
    if (mode !== 'auto' && mode !== 'off')
      throw new ConfigError(`${tlsMode?.[1] ?? '--tls'} expects auto or off (got '${mode}')`)
    tls = { mode }
  }

  const portGiven = pick('--port', 'FASTSAM_PORT')
  const port = portGiven ? parsePort(portGiven[0], portGiven[1]) : tls.mode === 'off' ? 8080 : 8443
  const epGiven = pick('--ep', 'FASTSAM_EP')
  const model = resolveModelDir(pick('--model', 'FASTSAM_MODEL')?.[0])
  return {
    port,
    host: pick('--host', 'FASTSAM_HOST')?.[0] ?? '0.0.0.0',
    modelDir: model.dir,
    modelHint: model.hint,
    executionProvider: epGiven ? parseDevice(epGiven[0], epGiven[1]) : 'cpu',
    dataDir: resolve(pick('--data', 'FASTSAM_DATA')?.[0] ?? DEFAULT_DATA_DIR),
    tls,
    demoPath: join(repoRoot, 'server', 'demo', 'example_ct.nii.gz'),
    clientDir: join(repoRoot, 'apps', 'xr', 'dist'),
    maxVoxels: positiveNumber(env.FASTSAM_MAX_VOXELS, 'FASTSAM_MAX_VOXELS') ?? 512 * 512 * 1000,
    maxUploadBytes: positiveNumber(env.FASTSAM_MAX_UPLOAD_BYTES, 'FASTSAM_MAX_UPLOAD_BYTES') ?? 1 << 30,
    uploadDiskBytes:
      positiveNumber(env.FASTSAM_UPLOAD_DISK_BYTES, 'FASTSAM_UPLOAD_DISK_BYTES') ?? 4 * 2 ** 30,
    uploadResumeS: positiveNumber(env.FASTSAM_UPLOAD_RESUME_S, 'FASTSAM_UPLOAD_RESUME_S') ?? 60,
    roomIdleS: positiveNumber(env.FASTSAM_ROOM_IDLE_S, 'FASTSAM_ROOM_IDLE_S') ?? 30 * 60,
    redisUrl: parseRedisUrl(pick('--redis', 'FASTSAM_REDIS')),
    logLevel: pick('--log-level', 'FASTSAM_LOG_LEVEL')?.[0] ?? 'info',
    cropExtension: parseOnOff(pick('--crop-extension', 'FASTSAM_CROP_EXTENSION'), true),
    allowedOrigins: origins(pick('--allow-origin', 'FASTSAM_ALLOWED_ORIGINS')),
    maxConnectionsPerAddress:
      positiveNumber(env.FASTSAM_MAX_CONNECTIONS_PER_ADDRESS, 'FASTSAM_MAX_CONNECTIONS_PER_ADDRESS') ?? 64,
    roomsPerMinute: positiveNumber(env.FASTSAM_ROOMS_PER_MINUTE, 'FASTSAM_ROOMS_PER_MINUTE') ?? 60,
    siteKey: siteKeyOf(pick('--site-key', 'FASTSAM_SITE_KEY')),
  }
}
