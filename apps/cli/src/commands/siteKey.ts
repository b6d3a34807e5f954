/**
 * `fastsam-xr site-key [--data DIR] [--rotate]`: prints the site key kept in the data folder (creating
 * it, mode 0600, when there is none), or with `--rotate` replaces it: every address and headset that
 * carried the old one must open the new address; a running server keeps its key until restarted.
 */
import { resolve } from 'node:path'
import { DEFAULT_DATA_DIR, storedSiteKey } from '@fastsam-xr/server'
import { UsageError, type Command } from '../command.ts'
import { forEachArg } from '../args.ts'

export const siteKey: Command = {
  name: 'site-key',
  summary: "print (or --rotate) the site key that opens this server's cases",
  usage: 'fastsam-xr site-key [--data DIR] [--rotate]',
  async run(argv) {
    let data = process.env.FASTSAM_DATA || DEFAULT_DATA_DIR
    let rotate = false
    forEachArg(argv, this.usage, (flag, value, arg) => {
      if (flag === '--data') data = value()
      else if (flag === '--rotate') rotate = true
      else throw new UsageError(`unexpected argument '${arg}' (usage: ${this.usage})`)
    })
    const { key, path, created } = storedSiteKey(resolve(data), rotate)
    process.stdout.write(`${key}\n`)
    process.stderr.write(
      `fastsam-xr: site key ${rotate ? 'rotated' : created ? 'created' : 'kept'} in ${path}` +
        (rotate ? ' (restart the server; open its new address)' : '') +
        '\n',
    )
    return 0
  },
}
