import type { AddressInfo } from 'node:net';
import type { INestApplication, LogLevel } from '@nestjs/common';
import { ConfigError } from '../../config/config-error';
import { loadKafkanestConfig, type KafkanestConfig } from '../../config/kafkanest-config.loader';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type CliCommand } from '../cli-command';
import { CONFIG_FLAGS_USAGE, parseConfigFlags } from '../config-flags';

/** Spring Boot's default per-phase shutdown timeout: past it, a hung close is abandoned. */
const SHUTDOWN_TIMEOUT_MS = 30_000;
const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type ShutdownSignal = (typeof SHUTDOWN_SIGNALS)[number];
/** Nest's route-mapping chatter is not for operators; warnings and errors still show. */
const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn'];

export const startCommand: CliCommand = {
  name: 'start',
  usage: ['Usage: kafkanest start [--config FILE] [--set KEY=VALUE ...]', '', 'Options:', CONFIG_FLAGS_USAGE].join('\n'),

  async run(args) {
    const flags = parseConfigFlags(args);
    if (flags.help) {
      process.stdout.write(`${startCommand.usage}\n`);
      return EXIT_OK;
    }

    let config: KafkanestConfig;
    try {
      config = loadKafkanestConfig({ configFile: flags.configFile, sets: flags.sets });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      process.stderr.write(`${error.message}\n`);
      return EXIT_USAGE;
    }
    for (const warning of config.warnings) process.stderr.write(`kafkanest: warning: ${warning}\n`);

    // Listening before Nest exists means a signal during bootstrap still ends in an
    // orderly close (and exit 0) instead of Node's default kill.
    const shutdownRequested = waitForShutdownSignal();
    let app: INestApplication | undefined;
    try {
      app = await createApp(config);
      const { serverPort, serverAddress } = config.admin;
      // Nest logs a failed listen itself (with a stack); the one line below says it all.
      app.useLogger([]);
      await (serverAddress ? app.listen(serverPort, serverAddress) : app.listen(serverPort));
      app.useLogger(LOG_LEVELS);
      process.stdout.write(`kafkanest admin listening on ${adminUrl(app)}\n`);
    } catch (error) {
      process.stderr.write(`kafkanest: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
      await app?.close().catch(() => undefined);
      return EXIT_FAILURE;
    }

    await shutdownRequested;
    // Leaderships first, while the broker still serves: clients move to the new leaders
    // before anything here closes (Kafka's controlled shutdown).
    const { ControlledShutdown } = await import('../../broker/controller/controlled-shutdown.service');
    await app.get(ControlledShutdown, { strict: false }).run();
    return closeWithin(app, SHUTDOWN_TIMEOUT_MS);
  },
};

/** Nest is loaded here, not at the top, so `kafkanest --help` and config errors stay fast. */
async function createApp(config: KafkanestConfig): Promise<INestApplication> {
  const [{ NestFactory }, { AppModule }] = await Promise.all([import('@nestjs/core'), import('../../app.module')]);
  return NestFactory.create(AppModule.forRoot(config), {
    logger: LOG_LEVELS,
    // Nest's default is process.abort() on a bootstrap error: a core dump instead of a message.
    abortOnError: false,
  });
}

function waitForShutdownSignal(): Promise<ShutdownSignal> {
  return new Promise((resolve) => {
    const onSignal = (received: ShutdownSignal): void => {
      // A second signal while closing means the operator has stopped waiting.
      for (const name of SHUTDOWN_SIGNALS) {
        process.removeAllListeners(name);
        process.once(name, () => {
          process.stderr.write(`kafkanest: ${name} during shutdown, exiting now\n`);
          process.exit(EXIT_FAILURE);
        });
      }
      resolve(received);
    };
    for (const name of SHUTDOWN_SIGNALS) process.once(name, onSignal);
  });
}

async function closeWithin(app: INestApplication, timeoutMs: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<number>((resolve) => {
    timer = setTimeout(() => {
      process.stderr.write(`kafkanest: shutdown did not finish within ${timeoutMs} ms, exiting\n`);
      resolve(EXIT_FAILURE);
    }, timeoutMs);
  });
  const closed = app.close().then(
    () => EXIT_OK,
    (error: unknown) => {
      process.stderr.write(`kafkanest: error during shutdown: ${error instanceof Error ? error.message : String(error)}\n`);
      return EXIT_FAILURE;
    },
  );
  try {
    return await Promise.race([closed, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** The URL to print: a wildcard bind is reachable at localhost; IPv6 hosts need brackets. */
function adminUrl(app: INestApplication): string {
  const address = app.getHttpServer().address() as AddressInfo;
  const host = address.address === '::' || address.address === '0.0.0.0' ? 'localhost' : address.address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}
