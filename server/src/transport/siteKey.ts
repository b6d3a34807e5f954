/**
 * The site key: the one credential that lists, opens and uploads cases (Jupyter's and code-server's
 * convention — the address the server prints carries it). Given by `--site-key` / FASTSAM_SITE_KEY, or
 * generated on first start and kept in `<data>/site-key` (mode 0600, its folder 0700); `fastsam-xr site-key
 * --rotate` replaces it (running servers keep theirs until restarted). 32 random bytes, base64url.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const SITE_KEY_FILE = 'site-key'
const KEY = /^[A-Za-z0-9_-]{32,128}$/

export function newSiteKey(): string {
  return randomBytes(32).toString('base64url')
}

/** Whether `text` can be a site key (letters, digits, _ and -, 32 to 128 of them). */
export function isSiteKey(text: string): boolean {
  return KEY.test(text)
}

/** The key kept in `dataDir`, created (0600) when there is none; `rotate` writes a new one. */
export function storedSiteKey(
  dataDir: string,
  rotate = false,
): { key: string; path: string; created: boolean } {
  const path = join(dataDir, SITE_KEY_FILE)
  if (!rotate && existsSync(path)) {
    const key = readFileSync(path, 'utf8').trim()
    if (!isSiteKey(key))
      throw new Error(`${path} does not hold a site key (rotate it: fastsam-xr site-key --rotate)`)
    chmodSync(path, 0o600) // a copied data folder may have widened it
    return { key, path, created: false }
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const key = newSiteKey()
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, key + '\n', { mode: 0o600 })
  renameSync(tmp, path)
  return { key, path, created: true }
}

/** Constant-time comparison of what a client sent with the site key. */
export function sameKey(given: unknown, key: string): boolean {
  if (typeof given !== 'string') return false
  const a = Buffer.from(given)
  const b = Buffer.from(key)
  return a.length === b.length && timingSafeEqual(a, b)
}
