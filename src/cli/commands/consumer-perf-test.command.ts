import { randomInt } from 'node:crypto';
import { EXIT_OK } from '../cli-command';
import { ProgressLine } from '../progress-line';
import { CLIENT_TOOL_USAGE, booleanFlag, intFlag, readPropertiesFile, toolCommand, reportKafkaErrors, requiredFlag, stringFlag } from '../tool-flags';
import { consumerOptionsFromToolProperties, toolConsumer } from './consumer-properties';

const OPTIONS = {
  topic: { type: 'string' },
  messages: { type: 'string' },
  group: { type: 'string' },
  timeout: { type: 'string' },
  'reporting-interval': { type: 'string' },
  'show-detailed-stats': { type: 'boolean' },
  'from-latest': { type: 'boolean' },
  'hide-header': { type: 'boolean' },
  'fetch-size': { type: 'string' },
  'consumer.config': { type: 'string' },
} as const;

const USAGE = [
  'Usage: kafkanest consumer-perf-test --bootstrap-server HOST:PORT --topic T --messages N [options]',
  '',
  "Consumes N records as a group member and prints Kafka's consumer-perf-test CSV:",
  'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec,',
  'rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec. While it runs, a',
  'progress line goes to stderr (rewritten in place on a terminal).',
  '',
  'Options:',
  '  --topic NAME              REQUIRED: the topic to consume',
  '  --messages N              REQUIRED: how many records to consume',
  '  --group ID                the group (default: perf-consumer-NNNNN)',
  '  --timeout MS              give up after MS without a record (default: 10000)',
  '  --from-latest             start at the log end instead of the beginning',
  '  --fetch-size BYTES        max.partition.fetch.bytes (default: 1048576)',
  '  --show-detailed-stats     print a CSV line per reporting interval as well',
  '  --reporting-interval MS   (default: 5000)',
  '  --hide-header             leave the CSV header out',
  '  --consumer.config FILE    consumer settings as a properties file (key=value lines);',
  '                            the flags above win over it',
  CLIENT_TOOL_USAGE,
].join('\n');

const MB = 1024 * 1024;
const HEADER = 'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';
const DETAILED_HEADER = 'time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';

export const consumerPerfTestCommand = toolCommand({ name: 'consumer-perf-test', usage: USAGE, options: OPTIONS }, async (values) => {
  const bootstrap = requiredFlag(values, 'bootstrap-server');
  const topic = requiredFlag(values, 'topic');
  requiredFlag(values, 'messages');
  const messages = intFlag(values, 'messages', 0, { min: 1 });
  const timeoutMs = intFlag(values, 'timeout', 10_000, { min: 1 });
  const reportingIntervalMs = intFlag(values, 'reporting-interval', 5000, { min: 1 });
  const detailed = booleanFlag(values, 'show-detailed-stats');
  const file = stringFlag(values, 'consumer.config');
  const configured = consumerOptionsFromToolProperties(file ? readPropertiesFile(file) : new Map());
  const consumer = await toolConsumer(configured, {
    'bootstrap.servers': bootstrap,
    'client.id': configured['client.id'] ?? 'perf-consumer-client',
    'group.id': stringFlag(values, 'group') ?? configured['group.id'] ?? `perf-consumer-${randomInt(100_000)}`,
    // Kafka's tool: the log start unless --from-latest, whatever the file says.
    'auto.offset.reset': booleanFlag(values, 'from-latest') ? 'latest' : 'earliest',
    'max.partition.fetch.bytes': intFlag(values, 'fetch-size', configured['max.partition.fetch.bytes'] ?? 1024 * 1024, { min: 1 }),
  });

  const stats = { count: 0, bytes: 0, lastCount: 0, lastBytes: 0, lastReportAt: 0 };
  const startedAt = Date.now();
  let joinedAt = 0;
  const rebalanceMs = (): number => (joinedAt > 0 ? joinedAt - startedAt : 0);
  const progress = new ProgressLine(
    process.stderr,
    (tty) => (tty ? `${stats.count} records, ${(stats.bytes / MB).toFixed(4)} MB consumed ...` : `${stats.count} records, ${(stats.bytes / MB).toFixed(4)} MB consumed`),
    reportingIntervalMs,
  );
  if (!booleanFlag(values, 'hide-header')) process.stdout.write(`${detailed ? DETAILED_HEADER : HEADER}\n`);
  return reportKafkaErrors(async () => {
    try {
      consumer.subscribe([topic], {
        onPartitionsAssigned: () => {
          if (joinedAt === 0) joinedAt = Date.now();
        },
      });
      if (!detailed) progress.start();
      stats.lastReportAt = Date.now();
      let lastRecordAt = Date.now();
      while (stats.count < messages && Date.now() - lastRecordAt < timeoutMs) {
        const records = await consumer.poll(Math.min(1000, timeoutMs));
        if (records.length > 0) lastRecordAt = Date.now();
        for (const r of records) {
          stats.count++;
          stats.bytes += (r.key?.length ?? 0) + (r.value?.length ?? 0);
          if (stats.count >= messages) break;
        }
        if (detailed && Date.now() - stats.lastReportAt >= reportingIntervalMs) {
          const now = Date.now();
          const seconds = (now - stats.lastReportAt) / 1000;
          const mb = stats.bytes / MB;
          const windowMb = (stats.bytes - stats.lastBytes) / MB;
          const windowCount = stats.count - stats.lastCount;
          process.stdout.write(
            `${formatTime(now)}, 0, ${mb.toFixed(4)}, ${(windowMb / seconds).toFixed(4)}, ${stats.count}, ${(windowCount / seconds).toFixed(4)}, ${rebalanceMs()}, ${now - stats.lastReportAt}, ${(windowMb / seconds).toFixed(4)}, ${(windowCount / seconds).toFixed(4)}\n`,
          );
          Object.assign(stats, { lastCount: stats.count, lastBytes: stats.bytes, lastReportAt: now });
        }
      }
      progress.stop();
      if (stats.count < messages) {
        process.stderr.write(`WARNING: Exiting before consuming the expected number of messages: timeout (${timeoutMs} ms) exceeded. You can use the --timeout option to increase the timeout.\n`);
      }
      const endedAt = Date.now();
      const seconds = Math.max(endedAt - startedAt, 1) / 1000;
      const fetchMs = Math.max(endedAt - startedAt - rebalanceMs(), 1);
      const mb = stats.bytes / MB;
      if (!detailed) {
        process.stdout.write(
          `${formatTime(startedAt)}, ${formatTime(endedAt)}, ${mb.toFixed(4)}, ${(mb / seconds).toFixed(4)}, ${stats.count}, ${(stats.count / seconds).toFixed(4)}, ` +
            `${rebalanceMs()}, ${fetchMs}, ${(mb / (fetchMs / 1000)).toFixed(4)}, ${(stats.count / (fetchMs / 1000)).toFixed(4)}\n`,
        );
      }
      return EXIT_OK;
    } finally {
      progress.stop();
      await consumer.close(5000).catch(() => undefined);
    }
  });
});

/** Kafka's perf-test date format, yyyy-MM-dd HH:mm:ss:SSS in local time. */
function formatTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}:${String(d.getMilliseconds()).padStart(3, '0')}`;
}
