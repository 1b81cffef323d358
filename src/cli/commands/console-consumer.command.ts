import { KafkaAdminError, type KafkaAdmin } from '../../client/admin/kafka-admin';
import { ErrorCode } from '../../protocol/errors/error-codes';
import type { ConsumerRecord } from '../../client/listener/types';
import { EXIT_OK, UsageError } from '../cli-command';
import {
  CLIENT_TOOL_USAGE,
  writeOut,
  adminFromFlags,
  withAdmin,
  booleanFlag,
  clientProperties,
  intFlag,
  keyValueFlags,
  parseIntArg,
  toolCommand,
  reportKafkaErrors,
  requiredFlag,
  stringFlag,
  type ToolValues,
} from '../tool-flags';
import { consumerOptionsFromToolProperties, toolConsumer } from './consumer-properties';

const OPTIONS = {
  topic: { type: 'string' },
  group: { type: 'string' },
  'from-beginning': { type: 'boolean' },
  partition: { type: 'string' },
  offset: { type: 'string' },
  'max-messages': { type: 'string' },
  'timeout-ms': { type: 'string' },
  property: { type: 'string', multiple: true },
  'isolation-level': { type: 'string' },
  'consumer-property': { type: 'string', multiple: true },
  'consumer.config': { type: 'string' },
} as const;

const USAGE = [
  'Usage: kafkanest console-consumer --bootstrap-server HOST:PORT --topic T [options]',
  '',
  'Prints records to stdout, one per line (kafka-console-consumer.sh). Ends on SIGINT or',
  'SIGTERM, after --max-messages, or after --timeout-ms without a record; then prints',
  '"Processed a total of N messages" on stderr.',
  '',
  'Options:',
  '  --topic NAME            REQUIRED: the topic to consume',
  '  --group ID              consume as a member of this group (committing its offsets);',
  '                          without it every partition is read and nothing is committed',
  '  --from-beginning        start at the earliest offset when there is no committed one',
  '  --partition N           read only this partition',
  '  --offset OFFSET         with --partition: earliest, latest or an offset (default: latest)',
  '  --max-messages N        exit after N records',
  '  --timeout-ms MS         exit when no record arrived for MS milliseconds',
  '  --isolation-level L     read_uncommitted (the default and, without transactions on',
  '                          the broker, the only level the consumer takes)',
  '  --property KEY=VALUE    output format; repeatable:',
  '      print.timestamp, print.partition, print.offset, print.headers, print.key,',
  '      print.value (true/false; all but print.value default to false),',
  '      key.separator (tab), line.separator (newline), headers.separator (,),',
  '      null.literal (null)',
  '  --consumer-property KEY=VALUE  a consumer setting (group.id, auto.offset.reset,',
  '                          max.poll.records, session.timeout.ms, ...); repeatable;',
  '                          wins over the file',
  '  --consumer.config FILE  consumer settings as a properties file (key=value lines);',
  '                          its bootstrap.servers gives way to --bootstrap-server',
  CLIENT_TOOL_USAGE,
].join('\n');

/** Kafka's DefaultMessageFormatter settings. */
interface RecordFormat {
  readonly printTimestamp: boolean;
  readonly printPartition: boolean;
  readonly printOffset: boolean;
  readonly printHeaders: boolean;
  readonly printKey: boolean;
  readonly printValue: boolean;
  readonly keySeparator: Buffer;
  readonly lineSeparator: Buffer;
  readonly headersSeparator: Buffer;
  readonly nullLiteral: Buffer;
}

const FORMAT_PROPERTIES = ['print.timestamp', 'print.partition', 'print.offset', 'print.headers', 'print.key', 'print.value', 'key.separator', 'line.separator', 'headers.separator', 'null.literal'];

function recordFormat(props: ReadonlyMap<string, string>): RecordFormat {
  for (const key of props.keys()) if (!FORMAT_PROPERTIES.includes(key)) throw new UsageError(`unknown --property '${key}'; known: ${FORMAT_PROPERTIES.join(', ')}`);
  const flag = (key: string, fallback: boolean): boolean => (props.has(key) ? props.get(key)!.trim().toLowerCase() === 'true' : fallback);
  const text = (key: string, fallback: string): Buffer => Buffer.from(props.get(key) ?? fallback, 'utf8');
  return {
    printTimestamp: flag('print.timestamp', false),
    printPartition: flag('print.partition', false),
    printOffset: flag('print.offset', false),
    printHeaders: flag('print.headers', false),
    printKey: flag('print.key', false),
    printValue: flag('print.value', true),
    keySeparator: text('key.separator', '\t'),
    lineSeparator: text('line.separator', '\n'),
    headersSeparator: text('headers.separator', ','),
    nullLiteral: text('null.literal', 'null'),
  };
}

/** One record as DefaultMessageFormatter writes it: the printed fields joined by key.separator, then line.separator. */
function formatRecord(record: ConsumerRecord<Buffer | null, Buffer | null>, f: RecordFormat): Buffer {
  const fields: Buffer[] = [];
  if (f.printTimestamp) fields.push(Buffer.from(`${record.timestampType}:${record.timestamp}`));
  if (f.printPartition) fields.push(Buffer.from(`Partition:${record.partition}`));
  if (f.printOffset) fields.push(Buffer.from(`Offset:${record.offset}`));
  if (f.printHeaders) {
    const headers = record.headers.map((h) => Buffer.concat([Buffer.from(`${h.key}:`), h.value ?? f.nullLiteral]));
    const joined: Buffer[] = [];
    headers.forEach((h, i) => joined.push(...(i > 0 ? [f.headersSeparator, h] : [h])));
    fields.push(headers.length > 0 ? Buffer.concat(joined) : Buffer.from('NO_HEADERS'));
  }
  if (f.printKey) fields.push(record.key ?? f.nullLiteral);
  if (f.printValue) fields.push(record.value ?? f.nullLiteral);
  const parts: Buffer[] = [];
  fields.forEach((field, i) => parts.push(...(i > 0 ? [f.keySeparator, field] : [field])));
  parts.push(f.lineSeparator);
  return Buffer.concat(parts);
}

/** auto.commit.interval.ms's default, for the printed records' offsets. */
const AUTO_COMMIT_INTERVAL_MS = 5000;

type StartOffset = 'earliest' | 'latest' | number;

function startOffset(values: ToolValues): StartOffset | undefined {
  const raw = stringFlag(values, 'offset');
  if (raw === undefined) return undefined;
  if (stringFlag(values, 'partition') === undefined) throw new UsageError('The partition is required when offset is specified.');
  if (raw === 'earliest' || raw === 'latest') return raw;
  return parseIntArg(raw, '--offset', { min: 0 });
}

export const consoleConsumerCommand = toolCommand({ name: 'console-consumer', usage: USAGE, options: OPTIONS }, async (values) => {
  const bootstrap = requiredFlag(values, 'bootstrap-server');
  const topic = requiredFlag(values, 'topic');
  const props = clientProperties(values, 'consumer.config', 'consumer-property');
  const configured = consumerOptionsFromToolProperties(props);
  const group = groupOf(values, configured['group.id']);
  const partition = stringFlag(values, 'partition') === undefined ? undefined : intFlag(values, 'partition', 0, { min: 0 });
  const offset = startOffset(values);
  if (offset !== undefined && booleanFlag(values, 'from-beginning')) throw new UsageError("Options --from-beginning and --offset cannot be specified together.");
  if (partition !== undefined && group !== undefined) throw new UsageError('Options --group and --partition cannot be specified together: a group assigns partitions itself.');
  const maxMessages = intFlag(values, 'max-messages', Infinity, { min: 1 });
  const idleTimeoutMs = intFlag(values, 'timeout-ms', Infinity, { min: 1 });
  const isolation = stringFlag(values, 'isolation-level') ?? configured['isolation.level'] ?? 'read_uncommitted';
  if (isolation !== 'read_uncommitted' && isolation !== 'read_committed') throw new UsageError(`--isolation-level must be read_uncommitted or read_committed, got '${isolation}'`);
  const format = recordFormat(keyValueFlags(values, 'property'));
  const fromBeginning = booleanFlag(values, 'from-beginning') || offset === 'earliest';
  const configuredReset = configured['auto.offset.reset'];
  if (booleanFlag(values, 'from-beginning') && configuredReset !== undefined && configuredReset !== 'earliest') {
    throw new UsageError(`Can't simultaneously specify --from-beginning and 'auto.offset.reset=${configuredReset}'`);
  }

  const { WakeupError } = await import('../../client/consumer/kafka-consumer');
  const consumer = await toolConsumer(configured, {
    'bootstrap.servers': bootstrap,
    'client.id': configured['client.id'] ?? 'console-consumer',
    'group.id': group,
    'auto.offset.reset': fromBeginning ? 'earliest' : (configuredReset ?? 'latest'),
    'isolation.level': isolation,
    // Offsets of printed records are committed (below), not the fetch position: after
    // --max-messages, records fetched but not printed are read again next time.
    'enable.auto.commit': false,
  });
  let processed = 0;
  const done = new Map<string, { topic: string; partition: number; offset: number }>();
  let nextCommitAt = Date.now() + AUTO_COMMIT_INTERVAL_MS;
  const commit = async (sync: boolean): Promise<void> => {
    if (group === undefined || done.size === 0) return;
    const offsets = [...done.values()];
    done.clear();
    if (sync) await consumer.commitSync(offsets);
    else consumer.commitAsync(offsets);
  };
  const stop = (): void => consumer.wakeup();
  process.once('SIGINT', stop).once('SIGTERM', stop);
  // The reader went away (`| head -5`): stop as on a signal, committing what was printed.
  let readerGone = false;
  const onStdoutError = (error: NodeJS.ErrnoException): void => {
    if (error.code !== 'EPIPE') throw error;
    readerGone = true;
    consumer.wakeup();
  };
  process.stdout.on('error', onStdoutError);
  return reportKafkaErrors(async () => {
    // A topic or partition that does not exist fails here, before any output (the consumer would wait for it forever).
    let partitions: number[];
    try {
      partitions = await allPartitions(adminFromFlags(values, props), topic);
      if (partition !== undefined) {
        if (!partitions.includes(partition)) {
          throw new KafkaAdminError(
            [{ name: `${topic}-${partition}`, code: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: null }],
            `Partition ${partition} of topic ${topic} does not exist (the topic has ${partitions.length})`,
          );
        }
        partitions = [partition];
      }
    } catch (error) {
      await consumer.close(0);
      throw error;
    }
    try {
      if (group !== undefined) {
        consumer.subscribe([topic]);
      } else {
        consumer.assign(partitions.map((p) => ({ topic, partition: p, offset: typeof offset === 'number' ? offset : undefined })));
        if (offset === undefined || typeof offset === 'string') {
          if (fromBeginning) consumer.seekToBeginning();
          else consumer.seekToEnd();
        }
      }
      let lastRecordAt = Date.now();
      while (processed < maxMessages) {
        const idleLeft = idleTimeoutMs - (Date.now() - lastRecordAt);
        if (idleLeft <= 0) break;
        const records = await consumer.poll(Math.min(idleLeft, 1000));
        if (records.length > 0) lastRecordAt = Date.now();
        for (const record of records) {
          if (readerGone) break;
          await writeOut(formatRecord(record, format));
          done.set(`${record.topic}-${record.partition}`, { topic: record.topic, partition: record.partition, offset: record.offset + 1 });
          if (++processed >= maxMessages) break;
        }
        if (Date.now() >= nextCommitAt) {
          nextCommitAt = Date.now() + AUTO_COMMIT_INTERVAL_MS;
          await commit(false);
        }
      }
    } catch (error) {
      if (!(error instanceof WakeupError)) throw error;
    } finally {
      process.off('SIGINT', stop).off('SIGTERM', stop);
      process.stdout.off('error', onStdoutError);
      // A second signal while closing still ends the process, as Kafka's tool does.
      process.once('SIGINT', () => process.exit(130)).once('SIGTERM', () => process.exit(143));
      await commit(true).catch((error: unknown) => process.stderr.write(`Error: committing offsets failed: ${error instanceof Error ? error.message : String(error)}\n`));
      await consumer.close(5000).catch(() => undefined);
      process.stderr.write(`Processed a total of ${processed} messages\n`);
    }
    return EXIT_OK;
  });
});

/** --group, or group.id from the consumer properties; both naming different groups is refused, as Kafka's tool does. */
function groupOf(values: ToolValues, configured: string | undefined): string | undefined {
  const flag = stringFlag(values, 'group');
  if (flag !== undefined && configured !== undefined && flag !== configured) {
    throw new UsageError(
      `The group ids provided in different places (directly using '--group', via '--consumer-property', or via '--consumer.config') do not match. Detected group ids: '${flag}', '${configured}'`,
    );
  }
  return flag ?? configured;
}

/** Every partition of the topic; fails naming the topic when it does not exist. */
async function allPartitions(admin: KafkaAdmin, topic: string): Promise<number[]> {
  const [described] = await withAdmin(admin, (connected) => connected.describeTopics([topic]));
  return described.partitions.map((p) => p.partition);
}
