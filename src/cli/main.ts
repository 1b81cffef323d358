#!/usr/bin/env node
import 'reflect-metadata';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './cli-command';
import { COMMANDS, type CommandEntry } from './command-registry';

/**
 * The `kafkanest` bin: `kafkanest <command> [options]`. Dispatch only; each command owns
 * its options and returns its exit code. Exit codes: 0 ok, 1 runtime failure, 2 usage or
 * configuration error.
 */
function usage(commands: readonly CommandEntry[]): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return [
    'Usage: kafkanest <command> [options]',
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    "Run 'kafkanest <command> --help' for a command's options.",
  ].join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage(COMMANDS)}\n`);
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    process.stderr.write(`kafkanest: unknown command '${name}'\n${usage(COMMANDS)}\n`);
    return EXIT_USAGE;
  }
  try {
    return await (await command.load()).run(args);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`kafkanest ${command.name}: ${error.message}\nRun 'kafkanest ${command.name} --help' for usage.\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`kafkanest ${command.name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT_FAILURE;
  }
}

if (require.main === module) {
  // A reader that went away (`kafkanest topics --list | head -1`) ends the output quietly, as
  // for any Unix tool, unless the running command handles it itself (console-consumer does).
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    if (process.stdout.listenerCount('error') === 1) process.exit(EXIT_OK);
  });
  // process.exit, not exitCode: a command that has finished may leave handles (sockets
  // in keep-alive, timers of a closed client) that would otherwise hold the process.
  void main(process.argv.slice(2))
    .then(async (code) => {
      // Into a pipe, stdout is written asynchronously: exiting before it has flushed would cut the output.
      await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
      return code;
    })
    .then((code) => process.exit(code));
}

/** Resolves once everything written to `stream` so far has been handed to the OS (or the stream is gone). */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.writableLength === 0 || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('close', resolve).once('error', resolve);
    stream.write('', () => resolve());
  });
}
