/**
 * `fastsam-xr start` (what `npm start` runs): the edge server on its embedded defaults — the demo CT,
 * the shipped model when present (else it says so and runs without one), CPU, HTTPS with a persisted
 * self-signed certificate (WebXR on a LAN headset needs a secure context), port 8443 or any free one.
 * Accepts the same flags as `serve` to override a default. Prints the address to open (with the site key)
 * as text and, on a terminal, as a QR code for the headset.
 */
import type { Command } from '../command.ts'
import { parseServeConfig, runServer } from './serve.ts'

export const start: Command = {
  name: 'start',
  summary: 'start the app on its embedded defaults (demo CT, shipped model, CPU, HTTPS)',
  usage: 'fastsam-xr start [serve flags to override a default]',
  async run(argv) {
    return runServer(parseServeConfig(argv, { tls: 'auto' }), { anyPortIfBusy: true, qr: true })
  },
}
