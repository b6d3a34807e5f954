/** A `fastsam-xr` subcommand. `run` returns the process exit code. */
export interface Command {
  name: string
  summary: string
  usage: string
  run(argv: string[]): Promise<number>
}

/** An error whose message is meant for the user as-is (one line on stderr, non-zero exit). */
export class UsageError extends Error {}
