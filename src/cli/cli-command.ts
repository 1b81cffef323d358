/** One `kafkanest` subcommand; each lives in its own file under src/cli/commands/. */
export interface CliCommand {
  readonly name: string;
  /** Full usage text for `kafkanest <name> --help`. */
  readonly usage: string;
  /** Resolves with the process exit code once the command is done. */
  run(args: readonly string[]): Promise<number>;
}

export const EXIT_OK = 0;
/** A runtime failure: the port is taken, a log dir cannot be opened. */
export const EXIT_FAILURE = 1;
/** The user asked for something unusable: unknown command or option, or an invalid config value. */
export const EXIT_USAGE = 2;

/** A bad command line; main prints its message and the usage hint, then exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
