/**
 * Which browser pages may open a Socket.IO connection: the served client's own origin (the page's Origin
 * names the host the request came to), plus the origins the operator lists (`--allow-origin`). Any other
 * page open in a headset's browser or on a LAN host is refused at the handshake, before any event. A
 * request without an Origin header is not a browser page (the CLI, scripts, a native client): it passes,
 * and still needs what every event asks for (a room token, …).
 */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: readonly string[],
): boolean {
  if (origin === undefined) return true
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    return false // 'null' (a sandboxed or file: page) and anything malformed
  }
  if (host !== undefined && url.host.toLowerCase() === host.toLowerCase()) return true
  return allowed.includes(url.origin)
}

/** `--allow-origin` / FASTSAM_ALLOWED_ORIGINS: comma-separated origins (scheme://host[:port]), normalised. */
export function parseAllowedOrigins(text: string | undefined): string[] {
  if (!text) return []
  return text.split(',').map((part) => {
    const s = part.trim()
    let url: URL
    try {
      url = new URL(s)
    } catch {
      throw new Error(`'${s}' is not an origin (scheme://host[:port])`)
    }
    if (url.origin === 'null' || url.pathname !== '/' || url.search || url.hash)
      throw new Error(`'${s}' is not an origin (scheme://host[:port], nothing after it)`)
    return url.origin
  })
}
