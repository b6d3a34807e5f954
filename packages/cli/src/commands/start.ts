import type { Command } from '../command.ts'

export const start: Command = {
  name: 'start',
  summary: 'start the app on its embedded defaults (demo CT, shipped model, CPU)',
  usage: 'fastsam-xr start',
  async run() {
    process.stdout.write('fastsam-xr: no app yet — the edge server lands with its own issue.\n')
    return 0
  },
}
