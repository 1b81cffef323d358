import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { KafkaProducer } from '../../client/producer/kafka-producer';
import type { RecordCompletion } from '../../client/producer/record-completion';
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../cli-command';
import { ProgressLine } from '../progress-line';
import { CLIENT_TOOL_USAGE, configuredClient, intFlag, listFlag, readPropertiesFile, toolCommand, reportKafkaErrors, requiredFlag, stringFlag, type ToolValues } from '../tool-flags';
import { producerOptionsFromProperties } from './producer-properties';

const OPTIONS = {
  topic: { type: 'string' },
  'num-records': { type: 'string' },
  'record-size': { type: 'string' },
  'payload-file': { type: 'string' },
  'payload-delimiter': { type: 'string' },
  throughput: { type: 'string' },
  'producer-props': { type: 'string', multiple: true },
  'producer.config': { type: 'string' },
  'reporting-interval': { type: 'string' },
} as const;

const USAGE = [
  'Usage: kafkanest producer-perf-test --topic T --num-records N (--record-size B | --payload-file F)',
  '         --throughput R [--bootstrap-server HOST:PORT] [--producer-props KEY=VALUE ...]',
  '',
  "Produces N records as fast as allowed and prints Kafka's producer-perf-test figures:",
  'a line per reporting interval while it runs (rewritten in place on a terminal), then',
  '"N records sent, X records/sec (Y MB/sec), A ms avg latency, M ms max latency,',
  ' P ms 50th, P ms 95th, P ms 99th, P ms 99.9th."',
  '',
  'Options:',
  '  --topic NAME               REQUIRED: the topic to produce to',
  '  --num-records N            REQUIRED: how many records',
  '  --record-size BYTES        value size (random letters, the same for every record)',
  '  --payload-file FILE        values taken at random from FILE, split at',
  '  --payload-delimiter SEP    (default: newline)',
  '  --throughput R             REQUIRED: records/sec at most; -1 for no limit',
  '  --producer-props K=V ...   producer settings (acks, linger.ms, batch.size,',
  '                             compression.type, ...); bootstrap.servers may be given here',
  '  --producer.config FILE     producer settings as a properties file; --producer-props',
  '                             win over it',
  '  --reporting-interval MS    how often the progress line is printed (default: 5000)',
  CLIENT_TOOL_USAGE,
].join('\n');

/** Latencies kept for percentiles, at most (Kafka's Stats keeps 500,000 samples). */
const MAX_SAMPLES = 500_000;
const MB = 1024 * 1024;

export const producerPerfTestCommand = toolCommand({ name: 'producer-perf-test', usage: USAGE, options: OPTIONS, allowPositionals: true }, async (values) => {
  const topic = requiredFlag(values, 'topic');
  const numRecords = intFlag(values, 'num-records', -1, { min: 1 });
  if (numRecords < 0) throw new UsageError('Missing required argument "--num-records"');
  const throughput = intFlag(values, 'throughput', 0, { min: -1 });
  if (stringFlag(values, 'throughput') === undefined) throw new UsageError('Missing required argument "--throughput" (-1 for no limit)');
  if (throughput === 0) throw new UsageError('--throughput must be positive, or -1 for no limit');
  const payloads = payloadsFrom(values);
  const reportingIntervalMs = intFlag(values, 'reporting-interval', 5000, { min: 1 });
  const props = producerProps(values);
  const bootstrap = props.get('bootstrap.servers') ?? stringFlag(values, 'bootstrap-server');
  props.delete('bootstrap.servers');
  if (!bootstrap) throw new UsageError('Missing required argument "--bootstrap-server" (or bootstrap.servers in --producer-props or --producer.config)');
  const producer = configuredClient(
    () => new KafkaProducer<Buffer, Buffer>({ ...producerOptionsFromProperties(props), bootstrapServers: bootstrap, clientId: props.get('client.id') ?? 'perf-producer-client' }),
  );

  const stats = new ProduceStats(numRecords);
  const progress = new ProgressLine(process.stdout, (tty) => (tty ? stats.totalLine(true) : stats.windowLine()), reportingIntervalMs);
  return reportKafkaErrors(async () => {
    try {
      await producer.connect();
      progress.start();
      const failure = await sendAll(producer, topic, numRecords, payloads, throughput, stats);
      await producer.flush();
      progress.stop();
      if (failure) {
        process.stderr.write(`Error: ${failure.message}\n`);
        return EXIT_FAILURE;
      }
      process.stdout.write(`${stats.totalLine(false)}\n`);
      return EXIT_OK;
    } finally {
      progress.stop();
      await producer.close();
    }
  });
});

function producerProps(values: ToolValues): Map<string, string> {
  // Kafka's form lists several after one flag: --producer-props acks=1 linger.ms=5.
  const entries = [...listFlag(values, 'producer-props'), ...listFlag(values, '_positionals')];
  const file = stringFlag(values, 'producer.config');
  const props = file ? readPropertiesFile(file) : new Map<string, string>();
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new UsageError(`unexpected argument '${entry}' (producer properties are KEY=VALUE)`);
    props.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return props;
}

function payloadsFrom(values: ToolValues): Buffer[] {
  const file = stringFlag(values, 'payload-file');
  const size = stringFlag(values, 'record-size');
  if ((file === undefined) === (size === undefined)) throw new UsageError('Exactly one of --record-size and --payload-file is required');
  if (size !== undefined) {
    const bytes = intFlag(values, 'record-size', 0, { min: 0, max: 100 * MB });
    const payload = Buffer.allocUnsafe(bytes);
    // Kafka's payload: random upper-case letters, made once.
    for (let i = 0; i < bytes; i++) payload[i] = 65 + randomInt(26);
    return [payload];
  }
  let text: string;
  try {
    text = readFileSync(file!, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --payload-file ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const payloads = text
    .split(stringFlag(values, 'payload-delimiter') ?? '\n')
    .filter((p) => p.length > 0)
    .map((p) => Buffer.from(p, 'utf8'));
  if (payloads.length === 0) throw new UsageError(`--payload-file ${file} holds no payload`);
  return payloads;
}

/**
 * Sends every record, at most `throughput` a second (Kafka's ThroughputThrottler: wait
 * whenever ahead of schedule), with at most MAX_IN_FLIGHT unacknowledged so a broker
 * slower than the loop does not pile sends up in memory. Resolves with the first
 * failure, if any.
 */
async function sendAll(producer: KafkaProducer<Buffer, Buffer>, topic: string, count: number, payloads: readonly Buffer[], throughput: number, stats: ProduceStats): Promise<Error | undefined> {
  const window = new SendWindow(stats);
  const start = performance.now();
  for (let i = 0; i < count && !window.failure; i++) {
    const payload = payloads.length === 1 ? payloads[0] : payloads[randomInt(payloads.length)];
    producer.sendSerialized(topic, undefined, undefined, null, payload, undefined, window.track(payload.length));
    if (window.full) await window.drained();
    if (throughput > 0) {
      const ahead = ((i + 1) * 1000) / throughput - (performance.now() - start);
      if (ahead > 0) await new Promise((resolve) => setTimeout(resolve, ahead));
    }
  }
  await window.idle();
  return window.failure;
}

/**
 * Records sent and not yet acknowledged. Larger windows measured no faster (records wait
 * longer for acknowledgements in old space, so collection costs more; bench/client found
 * the same for the SDK) and only inflate the latencies.
 */
const MAX_IN_FLIGHT = 20_000;

class SendWindow {
  inFlight = 0;
  failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(readonly stats: ProduceStats) {}

  get full(): boolean {
    return this.inFlight >= MAX_IN_FLIGHT;
  }

  /** The completion of one record: a small object whose methods are shared, so a send allocates no closures. */
  track(bytes: number): RecordCompletion {
    this.inFlight++;
    return new RecordTimer(this, performance.now(), bytes);
  }

  settled(latencyMs: number, bytes: number, error: Error | null): void {
    this.inFlight--;
    if (error) this.failure ??= error;
    else this.stats.record(latencyMs, bytes);
    if (this.wake && (this.inFlight <= MAX_IN_FLIGHT / 2 || this.failure || this.inFlight === 0)) {
      const wake = this.wake;
      this.wake = undefined;
      wake();
    }
  }

  /** Resolves once half the window is acknowledged (or a send failed). */
  drained(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve));
  }

  async idle(): Promise<void> {
    while (this.inFlight > 0 && !this.failure) await this.drained();
  }
}

class RecordTimer implements RecordCompletion {
  constructor(
    private readonly window: SendWindow,
    private readonly sentAt: number,
    private readonly bytes: number,
  ) {}

  onAcknowledged(): void {
    this.window.settled(performance.now() - this.sentAt, this.bytes, null);
  }

  onFailed(error: Error): void {
    this.window.settled(0, this.bytes, error);
  }
}

/** Kafka's producer-perf-test Stats: totals, a reporting window, sampled latencies for percentiles. */
class ProduceStats {
  private readonly started = performance.now();
  private count = 0;
  private bytes = 0;
  private maxLatency = 0;
  private totalLatency = 0;
  private windowStart = performance.now();
  private windowCount = 0;
  private windowBytes = 0;
  private windowMaxLatency = 0;
  private windowTotalLatency = 0;
  private readonly samples: Float64Array;
  private readonly sampling: number;
  private sampleCount = 0;

  constructor(numRecords: number) {
    this.sampling = Math.max(1, Math.floor(numRecords / Math.min(numRecords, MAX_SAMPLES)));
    this.samples = new Float64Array(Math.min(numRecords, MAX_SAMPLES));
  }

  record(latencyMs: number, bytes: number): void {
    if (this.count % this.sampling === 0 && this.sampleCount < this.samples.length) this.samples[this.sampleCount++] = latencyMs;
    this.count++;
    this.bytes += bytes;
    this.totalLatency += latencyMs;
    if (latencyMs > this.maxLatency) this.maxLatency = latencyMs;
    this.windowCount++;
    this.windowBytes += bytes;
    this.windowTotalLatency += latencyMs;
    if (latencyMs > this.windowMaxLatency) this.windowMaxLatency = latencyMs;
  }

  /** The figures since the last window line, then a new window. */
  windowLine(): string {
    const seconds = Math.max(performance.now() - this.windowStart, 1) / 1000;
    const line =
      `${this.windowCount} records sent, ${(this.windowCount / seconds).toFixed(1)} records/sec (${(this.windowBytes / MB / seconds).toFixed(2)} MB/sec), ` +
      `${(this.windowCount ? this.windowTotalLatency / this.windowCount : 0).toFixed(1)} ms avg latency, ${this.windowMaxLatency.toFixed(1)} ms max latency.`;
    this.windowStart = performance.now();
    this.windowCount = this.windowBytes = this.windowMaxLatency = this.windowTotalLatency = 0;
    return line;
  }

  /** The final line; `running` leaves the percentiles out (they are sorted only once, at the end). */
  totalLine(running: boolean): string {
    const seconds = Math.max(performance.now() - this.started, 1) / 1000;
    const head =
      `${this.count} records sent, ${(this.count / seconds).toFixed(running ? 1 : 6)} records/sec (${(this.bytes / MB / seconds).toFixed(2)} MB/sec), ` +
      `${(this.count ? this.totalLatency / this.count : 0).toFixed(2)} ms avg latency, ${this.maxLatency.toFixed(2)} ms max latency`;
    if (running) return `${head} ...`;
    const sorted = this.samples.subarray(0, this.sampleCount).sort();
    const at = (q: number): number => (sorted.length === 0 ? 0 : Math.floor(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]));
    return `${head}, ${at(0.5)} ms 50th, ${at(0.95)} ms 95th, ${at(0.99)} ms 99th, ${at(0.999)} ms 99.9th.`;
  }
}
