import type { CliCommand } from './cli-command';
import { startCommand } from './commands/start.command';

/** Every subcommand, in the order `kafkanest --help` lists them. New commands add one line. */
export const COMMANDS: readonly CliCommand[] = [startCommand];
