import { UsageError, type Command } from './command.ts'
import { start } from './commands/start.ts'
import { info } from './commands/info.ts'
import { segment } from './commands/segment.ts'
import { serve } from './commands/serve.ts'
import { evalCommand } from './commands/eval.ts'
import { siteKey } from './commands/siteKey.ts'

/** Every subcommand, in the order `--help` lists them. Later issues add theirs here. */
const commands: Command[] = [start, serve, info, segment, evalCommand, siteKey]

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length))
  return [
    'usage: fastsam-xr <command> [options]',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'fastsam-xr <command> --help' for a command's options.",
  ].join('\n')
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(help() + '\n')
    return name ? 0 : 2
  }
  const command = commands.find((c) => c.name === name)
  if (!command) {
    process.stderr.write(`fastsam-xr: unknown command '${name}'\n${help()}\n`)
    return 2
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`usage: ${command.usage}\n${command.summary}\n`)
    return 0
  }
  try {
    return await command.run(rest)
  } catch (err) {
    // One line for the user; the stack only when asked for.
    const message = err instanceof Error ? err.message : String(err)
    process.stderr.write(`fastsam-xr ${name}: ${message.split('\n')[0]}\n`)
    if (process.env.FASTSAM_DEBUG) process.stderr.write(`${(err as Error).stack ?? ''}\n`)
    return err instanceof UsageError ? 2 : 1
  }
}
