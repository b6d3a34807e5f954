/**
 * CORS / origin policy at the Socket.IO handshake (issue 12): a browser page of another origin cannot
 * connect (so a page open in a headset's browser or on a LAN host cannot reach patient data through a user's
 * server), the served client's own origin and the listed ones can, and non-browser clients (no Origin)
 * still can. Real servers on loopback, real socket.io-client handshakes with the Origin a browser sends.
 */
import { io } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../src/index.ts'
import { originAllowed, parseAllowedOrigins } from '../src/transport/origin.ts'
import { startTestServer, type TestServer } from './support.ts'

let plain: TestServer
let listed: TestServer

beforeAll(async () => {
  plain = await startTestServer({ segmenter: null })
  listed = await startTestServer({
    segmenter: null,
    env: { FASTSAM_ALLOWED_ORIGINS: 'https://viewer.hospital.example, http://localhost:5173' },
  })
})

afterAll(async () => {
  await plain?.close()
  await listed?.close()
})

/** 'connected' or the handshake's error message, for a client sending `origin` (none: no header). */
function handshake(url: string, origin?: string): Promise<string> {
  const socket = io(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    extraHeaders: origin ? { Origin: origin } : {},
  })
  return new Promise((resolve) => {
    socket.once('connect', () => {
      socket.disconnect()
      resolve('connected')
    })
    socket.once('connect_error', (err) => {
      socket.disconnect()
      resolve(`refused: ${err.message}`)
    })
  })
}

describe('origin policy', () => {
  it('refuses a page of another origin; admits the served origin and clients without an Origin', async () => {
    const own = new URL(plain.url).origin
    expect(await handshake(plain.url, own)).toBe('connected')
    expect(await handshake(plain.url)).toBe('connected')
    expect(await handshake(plain.url, 'http://evil.example')).toMatch(/^refused/)
    expect(await handshake(plain.url, own.replace('127.0.0.1', 'localhost'))).toMatch(/^refused/)
    expect(await handshake(plain.url, 'null')).toMatch(/^refused/)
  })

  it('admits the origins listed by flag or env, and still no other', async () => {
    expect(await handshake(listed.url, 'https://viewer.hospital.example')).toBe('connected')
    expect(await handshake(listed.url, 'http://localhost:5173')).toBe('connected')
    expect(await handshake(listed.url, 'https://viewer.hospital.example.evil.example')).toMatch(/^refused/)
    expect(await handshake(listed.url, 'http://localhost:5174')).toMatch(/^refused/)
  })

  it('parses and checks the list', () => {
    expect(parseAllowedOrigins('https://A.example:443/, http://b.example:8080')).toEqual([
      'https://a.example',
      'http://b.example:8080',
    ])
    expect(() => loadConfig(['--allow-origin', 'not an origin'], {})).toThrow(ConfigError)
    expect(() => loadConfig(['--allow-origin', 'https://a.example/path'], {})).toThrow(ConfigError)
    expect(originAllowed('https://x.example', 'x.example', [])).toBe(true)
    expect(originAllowed('https://x.example', 'y.example', [])).toBe(false)
  })
})
