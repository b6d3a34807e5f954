import { UsageError } from './command.ts'

/**
 * Walks a subcommand's argv in order. `visit(flag, value, arg)` sees every argument: `flag` is the option name
 * (`--out` for both `--out x` and `--out=x`) or the bare argument, `value()` consumes the option's value
 * (a usage error when it is missing), `arg` is the argument as typed.
 */
export function forEachArg(
  argv: string[],
  usage: string,
  visit: (flag: string, value: () => string, arg: string) => void,
): void {
  for (let n = 0; n < argv.length; n++) {
    const arg = argv[n]
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1
    const flag = eq > 0 ? arg.slice(0, eq) : arg
    visit(
      flag,
      () => {
        const v = eq > 0 ? arg.slice(eq + 1) : argv[++n]
        if (v === undefined) throw new UsageError(`${flag} needs a value (usage: ${usage})`)
        return v
      },
      arg,
    )
  }
}

/** An `on|off` option's value as a boolean, or a usage error naming the flag. */
export function onOff(value: string, flag: string): boolean {
  if (value !== 'on' && value !== 'off') throw new UsageError(`${flag} expects on or off (got '${value}')`)
  return value === 'on'
}

/** A value that must be one of `choices`, or a usage error listing them. */
export function oneOf<T extends string>(value: string, choices: readonly T[], flag: string): T {
  if (!choices.includes(value as T))
    throw new UsageError(`${flag} expects one of ${choices.join(', ')} (got '${value}')`)
  return value as T
}
