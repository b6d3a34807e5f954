/**
 * HTTPS material. WebXR needs a secure context, so a headset on the LAN needs HTTPS: `auto` makes a
 * self-signed certificate once (npm `selfsigned`) and keeps it under `<data>/tls/` so the headset's
 * one-time exception stays valid across restarts; the SHA-256 fingerprint is printed to compare.
 */
import { X509Certificate } from 'node:crypto'
import { existsSync } from 'node:fs'
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { hostname, networkInterfaces } from 'node:os'
import { join } from 'node:path'
import { generate } from 'selfsigned'
import type { ServerConfig } from '../config.ts'

export interface TlsMaterial {
  cert: string
  key: string
  /** SHA-256 fingerprint, colon-separated hex (as browsers show it). */
  fingerprint256: string
  /** where it came from, for the start-up message. */
  certPath: string
  generated: boolean
}

/** Every IPv4/IPv6 address of this machine's interfaces (for the certificate's subjectAltName). */
export function localAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined)
    .map((a) => a.address)
}

export async function loadTls(config: ServerConfig): Promise<TlsMaterial | null> {
  const tls = config.tls
  if (tls.mode === 'off') return null
  if (tls.mode === 'files') {
    const [cert, key] = await Promise.all([readFile(tls.certPath, 'utf8'), readFile(tls.keyPath, 'utf8')])
    return {
      cert,
      key,
      fingerprint256: new X509Certificate(cert).fingerprint256,
      certPath: tls.certPath,
      generated: false,
    }
  }
  const dir = join(config.dataDir, 'tls')
  const certPath = join(dir, 'cert.pem')
  const keyPath = join(dir, 'key.pem')
  if (existsSync(certPath) && existsSync(keyPath)) {
    const [cert, key] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')])
    const x509 = new X509Certificate(cert)
    // Regenerate an expired certificate instead of serving one every browser refuses.
    if (new Date(x509.validTo).getTime() > Date.now() + 24 * 3600_000)
      return { cert, key, fingerprint256: x509.fingerprint256, certPath, generated: false }
  }
  const altNames = [
    { type: 2 as const, value: 'localhost' },
    { type: 2 as const, value: hostname() },
    ...localAddresses().map((ip) => ({ type: 7 as const, ip })),
  ]
  const notAfter = new Date(Date.now() + 825 * 24 * 3600_000)
  const pems = await generate([{ name: 'commonName', value: 'fastsam-xr edge server' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  })
  await mkdir(dir, { recursive: true })
  await writeFile(keyPath, pems.private, { mode: 0o600 })
  await chmod(keyPath, 0o600)
  await writeFile(certPath, pems.cert)
  return {
    cert: pems.cert,
    key: pems.private,
    fingerprint256: new X509Certificate(pems.cert).fingerprint256,
    certPath,
    generated: true,
  }
}
