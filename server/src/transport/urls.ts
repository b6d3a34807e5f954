/** The addresses to print at start-up: localhost and every LAN IPv4 address of this machine. */
import { networkInterfaces } from 'node:os'

export function lanUrls(scheme: string, host: string, port: number): { local: string; lan: string[] } {
  const local = `${scheme}://localhost:${port}/`
  if (host !== '0.0.0.0' && host !== '::') return { local: `${scheme}://${host}:${port}/`, lan: [] }
  const lan = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && a.family === 'IPv4' && !a.internal)
    .map((a) => `${scheme}://${a!.address}:${port}/`)
  return { local, lan }
}
