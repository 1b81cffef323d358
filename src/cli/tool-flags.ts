import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { KafkaAdmin } from '../client/admin/kafka-admin';
import { ClientConfigError, KafkaClientError } from '../client/errors';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliCommand } from './cli-command';

/**
 * Flag parsing and error reporting shared by the client tools (topics, console
 * producer/consumer, consumer-groups, perf tests): Kafka's long flags, `--flag value` or
 * `--flag=value`, repeatable flags such as `--property`, and numbers checked up front so
 * a typo is a usage error (exit 2), not a failure half-way through.
 */
export type ToolOptions = NonNullable<ParseArgsConfig['options']>;
export type ToolValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

/** Every client tool takes these: where the cluster is, admin client settings, help. */
export const CLIENT_TOOL_OPTIONS = {
  'bootstrap-server': { type: 'string' },
  'command-config': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ToolOptions;

export const CLIENT_TOOL_USAGE = [
  '  --bootstrap-server HOST:PORT[,HOST:PORT...]  REQUIRED: the brokers to connect to',
  '  --command-config FILE   client properties (key=value lines): client.id,',
  '                          request.timeout.ms, default.api.timeout.ms',
  '  -h, --help              show this help',
].join('\n');

/** The flags' values; with `allowPositionals`, bare arguments are under `_positionals`. */
export function parseToolFlags(args: readonly string[], options: ToolOptions, allowPositionals = false): ToolValues {
  try {
    const all: ToolOptions = { ...CLIENT_TOOL_OPTIONS, ...options };
    const { values, positionals } = parseArgs({ args: joinNegativeValues(args, all), options: all, strict: true, allowPositionals });
    return { ...(values as ToolValues), _positionals: positionals };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

export interface ToolCommandSpec {
  readonly name: string;
  readonly usage: string;
  /** The tool's own flags; CLIENT_TOOL_OPTIONS are added. */
  readonly options: ToolOptions;
  /** Bare arguments are kept under `_positionals` instead of being a usage error. */
  readonly allowPositionals?: boolean;
}

/** A client tool: its flags parsed (a bad one is a usage error), --help answered, then `run` with the values. */
export function toolCommand(spec: ToolCommandSpec, run: (values: ToolValues) => Promise<number>): CliCommand {
  return {
    name: spec.name,
    usage: spec.usage,
    async run(args) {
      const values = parseToolFlags(args, spec.options, spec.allowPositionals);
      if (booleanFlag(values, 'help')) {
        process.stdout.write(`${spec.usage}\n`);
        return EXIT_OK;
      }
      return run(values);
    },
  };
}

/** `--throughput -1` as `--throughput=-1`: node:util would take the `-1` for an option, Kafka's tools take it as the value. */
function joinNegativeValues(args: readonly string[], options: ToolOptions): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i].startsWith('--') && !args[i].includes('=') ? args[i].slice(2) : undefined;
    if (name !== undefined && options[name]?.type === 'string' && /^-\d/.test(args[i + 1] ?? '')) out.push(`${args[i]}=${args[++i]}`);
    else out.push(args[i]);
  }
  return out;
}

export function stringFlag(values: ToolValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function requiredFlag(values: ToolValues, name: string, why = ''): string {
  const value = stringFlag(values, name);
  if (value === undefined || value === '') throw new UsageError(`Missing required argument "--${name}"${why ? ` ${why}` : ''}`);
  return value;
}

export function listFlag(values: ToolValues, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [];
}

export function booleanFlag(values: ToolValues, name: string): boolean {
  return values[name] === true;
}

/** An integer flag within [min, max]; `fallback` when absent. */
export function intFlag(values: ToolValues, name: string, fallback: number, { min = -Infinity, max = Infinity } = {}): number {
  const raw = stringFlag(values, name);
  if (raw === undefined) return fallback;
  return parseIntArg(raw, `--${name}`, { min, max });
}

export function parseIntArg(raw: string, what: string, { min = -Infinity, max = Infinity } = {}): number {
  const value = /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value)) throw new UsageError(`${what} must be an integer, got '${raw}'`);
  if (value < min || value > max) throw new UsageError(`${what} must be ${max === Infinity ? `at least ${min}` : `between ${min} and ${max}`}, got ${value}`);
  return value;
}

/** Repeated `key=value` arguments (`--property`, `--config`) as a map; the value may contain '='. */
export function keyValueFlags(values: ToolValues, name: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of listFlag(values, name)) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new UsageError(`--${name} expects key=value, got '${entry}'`);
    out.set(entry.slice(0, eq).trim(), entry.slice(eq + 1));
  }
  return out;
}

/** Java's properties file, as far as client configs need: `key=value` or `key: value` lines, '#' and '!' comments. */
export function readPropertiesFile(file: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const match = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (!match) throw new UsageError(`${file}: cannot read '${line}' as key=value`);
    out.set(match[1], match[2]);
  }
  return out;
}

/**
 * A client's properties the way Kafka's console tools take them: the properties file of
 * `fileFlag` (`--producer.config`, `--consumer.config`) first, then each `key=value` of
 * `propertyFlag` (`--producer-property`, `--consumer-property`) over it.
 */
export function clientProperties(values: ToolValues, fileFlag: string, propertyFlag: string): Map<string, string> {
  const file = stringFlag(values, fileFlag);
  const props = file ? readPropertiesFile(file) : new Map<string, string>();
  for (const [key, value] of keyValueFlags(values, propertyFlag)) props.set(key, value);
  return props;
}

/** Makes a client, a setting it refuses (ClientConfigError: acks=7, a negative linger.ms) being a usage error, not a failure. */
export function configuredClient<T>(make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (error instanceof ClientConfigError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * The admin client the tools use, from --bootstrap-server and --command-config; a tool
 * whose own client is configured otherwise (console-consumer's --consumer.config) passes
 * those properties for when --command-config is not given.
 */
export function adminFromFlags(values: ToolValues, clientProps?: ReadonlyMap<string, string>): KafkaAdmin {
  const bootstrapServers = requiredFlag(values, 'bootstrap-server');
  const file = stringFlag(values, 'command-config');
  const props = file ? readPropertiesFile(file) : (clientProps ?? new Map<string, string>());
  const number = (key: string): number | undefined => (props.has(key) ? parseIntArg(props.get(key)!, `${key}${file ? ` in ${file}` : ''}`, { min: 1 }) : undefined);
  return configuredClient(
    () =>
      new KafkaAdmin({
        bootstrapServers,
        clientId: props.get('client.id') ?? 'kafkanest-cli',
        requestTimeoutMs: number('request.timeout.ms'),
        // Kafka's admin default is 60 s; a command-line tool that cannot reach a broker should say so sooner.
        apiTimeoutMs: number('default.api.timeout.ms') ?? 30_000,
      }),
  );
}

/** Connects `admin`, runs `use` with it and closes it, whether `use` succeeded or not. */
export async function withAdmin<T>(admin: KafkaAdmin, use: (admin: KafkaAdmin) => Promise<T>): Promise<T> {
  try {
    await admin.connect();
    return await use(admin);
  } finally {
    await admin.close();
  }
}

/**
 * Runs a tool's body, turning a Kafka failure (an error code, no broker reachable, a
 * timeout) into one `Error: ...` line and exit 1, as Kafka's tools print it. Anything
 * else (a bug) reaches main, which prints the stack.
 */
export async function reportKafkaErrors(body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (!(error instanceof KafkaClientError)) throw error;
    process.stderr.write(`Error: ${error.message}\n`);
    return EXIT_FAILURE;
  }
}

/**
 * Writes to stdout and, when the pipe is full, waits until it drains: a tool with much
 * to print (dump-log, console-consumer) then goes at the reader's pace instead of
 * queueing its whole output in memory. Resolves at once if stdout failed or closed
 * (a reader that went away is handled by whoever listens for the error).
 */
export function writeOut(chunk: string | Buffer): Promise<void> | undefined {
  if (process.stdout.write(chunk) || process.stdout.destroyed) return undefined;
  return new Promise((resolve) => {
    const done = (): void => {
      process.stdout.off('drain', done).off('close', done).off('error', done);
      resolve();
    };
    process.stdout.once('drain', done).once('close', done).once('error', done);
  });
}
