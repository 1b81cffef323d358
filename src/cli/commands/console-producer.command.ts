import { createInterface } from 'node:readline';
import { KafkaProducer, type ProducerRecord } from '../../client/producer/kafka-producer';
import type { ProducerOptions } from '../../client/producer/producer-options';
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../cli-command';
import { CLIENT_TOOL_USAGE, booleanFlag, clientProperties, configuredClient, keyValueFlags, toolCommand, reportKafkaErrors, requiredFlag, type ToolValues } from '../tool-flags';
import { producerOptionsFromProperties } from './producer-properties';

const OPTIONS = {
  topic: { type: 'string' },
  property: { type: 'string', multiple: true },
  'producer-property': { type: 'string', multiple: true },
  'producer.config': { type: 'string' },
  'request-required-acks': { type: 'string' },
  'compression-codec': { type: 'string' },
  sync: { type: 'boolean' },
} as const;

const USAGE = [
  'Usage: kafkanest console-producer --bootstrap-server HOST:PORT --topic T [options] < lines',
  '',
  'Sends each line of stdin as a record (kafka-console-producer.sh).',
  '',
  'Options:',
  '  --topic NAME                  REQUIRED: the topic to produce to',
  '  --property KEY=VALUE          how lines are read; repeatable:',
  '      parse.key=true            split each line into key and value at key.separator',
  '      key.separator=SEP         (default: tab)',
  '      parse.headers=true        read headers before the key/value: h1:v1,h2:v2<TAB>...',
  '      headers.delimiter=SEP     between the headers and the rest (default: tab)',
  '      headers.separator=SEP     between headers (default: ,)',
  '      headers.key.separator=SEP between a header key and value (default: :)',
  '      null.marker=TEXT          a key, value or header value equal to it is sent as null',
  '      ignore.error=true         send a line without key separator as a value, no key',
  '  --producer-property KEY=VALUE a producer setting (acks, linger.ms, compression.type,',
  '                                enable.idempotence, ...); repeatable; wins over the file',
  '  --producer.config FILE        producer settings as a properties file (key=value lines);',
  '                                its bootstrap.servers gives way to --bootstrap-server',
  '  --request-required-acks ACKS  acks: 0, 1 or all (default: all)',
  '  --compression-codec CODEC     none, gzip, snappy, lz4 or zstd',
  '  --sync                        wait for each record to be acknowledged before the next',
  CLIENT_TOOL_USAGE,
].join('\n');

/** How lines become records: Kafka's LineMessageReader properties. */
export interface LineFormat {
  readonly parseKey: boolean;
  readonly keySeparator: string;
  readonly parseHeaders: boolean;
  readonly headersDelimiter: string;
  readonly headersSeparator: string;
  readonly headersKeySeparator: string;
  readonly nullMarker: string | undefined;
  readonly ignoreError: boolean;
}

const LINE_PROPERTIES = ['parse.key', 'key.separator', 'parse.headers', 'headers.delimiter', 'headers.separator', 'headers.key.separator', 'null.marker', 'ignore.error'];

export function lineFormat(props: ReadonlyMap<string, string>): LineFormat {
  for (const key of props.keys()) if (!LINE_PROPERTIES.includes(key)) throw new UsageError(`unknown --property '${key}'; known: ${LINE_PROPERTIES.join(', ')}`);
  const format: LineFormat = {
    parseKey: props.get('parse.key')?.toLowerCase() === 'true',
    keySeparator: props.get('key.separator') ?? '\t',
    parseHeaders: props.get('parse.headers')?.toLowerCase() === 'true',
    headersDelimiter: props.get('headers.delimiter') ?? '\t',
    headersSeparator: props.get('headers.separator') ?? ',',
    headersKeySeparator: props.get('headers.key.separator') ?? ':',
    nullMarker: props.get('null.marker') || undefined,
    ignoreError: props.get('ignore.error')?.toLowerCase() === 'true',
  };
  for (const [name, sep] of [['key.separator', format.keySeparator], ['headers.delimiter', format.headersDelimiter], ['headers.separator', format.headersSeparator], ['headers.key.separator', format.headersKeySeparator]]) {
    if (sep === '') throw new UsageError(`--property ${name} must not be empty`);
  }
  return format;
}

/** A line split per the format, or an error message saying what is missing (ignore.error keeps a keyless line as the value, as Kafka does). */
export function parseLine(line: string, lineNumber: number, format: LineFormat): Omit<ProducerRecord<string, string>, 'topic'> | string {
  let rest = line;
  let headers: Array<{ key: string; value: string | null }> | undefined;
  if (format.parseHeaders) {
    const at = rest.indexOf(format.headersDelimiter);
    if (at < 0) return `No headers delimiter found on line number ${lineNumber}: '${line}'`;
    headers = [];
    for (const header of rest.slice(0, at).split(format.headersSeparator)) {
      if (header === '') continue;
      const sep = header.indexOf(format.headersKeySeparator);
      if (sep < 0) return `No header key separator found in pair '${header}' on line number ${lineNumber}`;
      const value = header.slice(sep + format.headersKeySeparator.length);
      headers.push({ key: header.slice(0, sep), value: value === format.nullMarker ? null : value });
    }
    rest = rest.slice(at + format.headersDelimiter.length);
  }
  let key: string | null | undefined;
  if (format.parseKey) {
    const at = rest.indexOf(format.keySeparator);
    if (at >= 0) {
      key = rest.slice(0, at);
      if (key === format.nullMarker) key = null;
      rest = rest.slice(at + format.keySeparator.length);
    } else if (!format.ignoreError) {
      return `No key separator found on line number ${lineNumber}: '${line}'`;
    }
  }
  const value = rest === format.nullMarker ? null : rest;
  return { key, value, headers: headers?.map((h) => ({ key: h.key, value: h.value })) };
}

export const consoleProducerCommand = toolCommand({ name: 'console-producer', usage: USAGE, options: OPTIONS }, async (values) => {
  const topic = requiredFlag(values, 'topic');
  const format = lineFormat(keyValueFlags(values, 'property'));
  const producer = configuredClient(() => new KafkaProducer<string, string>(producerOptions(values)));
  return reportKafkaErrors(async () => {
    try {
      return await produceLines(producer, topic, format, booleanFlag(values, 'sync'));
    } finally {
      await producer.close();
    }
  });
});

function producerOptions(values: ToolValues): ProducerOptions<string, string> {
  const bootstrapServers = requiredFlag(values, 'bootstrap-server');
  const props = clientProperties(values, 'producer.config', 'producer-property');
  // Kafka's console producer: the flag wins over bootstrap.servers in the file or properties.
  props.delete('bootstrap.servers');
  const acks = values['request-required-acks'];
  if (typeof acks === 'string') props.set('acks', acks);
  const codec = values['compression-codec'];
  if (typeof codec === 'string') props.set('compression.type', codec);
  return { ...producerOptionsFromProperties(props), bootstrapServers };
}

/** Records sent and not yet acknowledged before reading more of stdin, so a large input is not all held in memory. */
const MAX_IN_FLIGHT = 10_000;

async function produceLines(producer: KafkaProducer<string, string>, topic: string, format: LineFormat, sync: boolean): Promise<number> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let inFlight = 0;
  let sendError: Error | null = null;
  let drained: (() => void) | undefined;
  const settled = (error: Error | null): void => {
    inFlight--;
    sendError ??= error;
    if (drained && (inFlight <= MAX_IN_FLIGHT / 2 || sendError)) {
      drained();
      drained = undefined;
    }
  };
  let badLine = false;
  let lineNumber = 0;
  for await (const line of lines) {
    const parsed = parseLine(line, ++lineNumber, format);
    if (typeof parsed === 'string') {
      process.stderr.write(`Error: ${parsed}\n`);
      badLine = true;
      break;
    }
    if (sync) {
      await producer.send({ topic, ...parsed });
      continue;
    }
    inFlight++;
    producer.send({ topic, ...parsed }, settled);
    if (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => (drained = resolve));
    if (sendError) break;
  }
  lines.close();
  await producer.flush();
  // Callbacks of the last batches may run just after flush resolves.
  while (inFlight > 0) await new Promise<void>((resolve) => setImmediate(resolve));
  if (sendError) throw sendError;
  return badLine ? EXIT_FAILURE : EXIT_OK;
}
