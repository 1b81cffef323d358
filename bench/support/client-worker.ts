/**
 * A client worker for bench/client.ts: `client-worker.ts sdk|kafkajs <host:port>`, run
 * under @swc-node/register. Reads commands from stdin (worker-protocol.ts), runs each
 * against the broker and answers with what it measured. Each command makes a fresh
 * producer or consumer (connected before the clock starts) and closes it afterwards,
 * while the process, and so the JIT, stays warm from round to round.
 */
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Kafka, logLevel } from 'kafkajs';
import type * as ClientConfigModule from '../../src/config/client.config';
import type * as ConsumerModule from '../../src/client/consumer/kafka-consumer';
import type * as TemplateModule from '../../src/client/kafka-template';
import type * as ProducerModule from '../../src/client/producer/kafka-producer';
import { ANSWER_PREFIX, type ConsumeCommand, type Measurement, type ProduceCommand, type WorkerAnswer, type WorkerCommand } from './worker-protocol';

const POLL_TIMEOUT_MS = 1000;
const STALL_MS = 30_000;

const [kind, bootstrap] = process.argv.slice(2);

/**
 * The SDK as an application gets it: the build (dist/, tsc's CommonJS), not the sources
 * transpiled on the fly. BENCH_CLIENT_SDK=src measures the sources instead (no build
 * needed, but swc's module output routes every cross-module call through a getter);
 * an absolute path measures another build (a copy of dist/ with a change to compare).
 */
const SDK_ROOT = resolve(__dirname, '..', '..', process.env.BENCH_CLIENT_SDK || 'dist');
type Sdk = typeof ClientConfigModule & typeof ConsumerModule & typeof TemplateModule & typeof ProducerModule;
let loadedSdk: Sdk | undefined;

/** Loaded on first use, so the kafkajs worker never carries the SDK. */
function sdk(): Sdk {
  const load = (relative: string): object => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the path is chosen at run time (dist or src)
    return require(resolve(SDK_ROOT, relative)) as object;
  };
  loadedSdk ??= Object.assign({}, load('config/client.config'), load('client/consumer/kafka-consumer'), load('client/kafka-template'), load('client/producer/kafka-producer')) as Sdk;
  return loadedSdk;
}
const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const elapsedSeconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

/** Counts settled sends, so a send loop can wait for acknowledgements to catch up with it. */
class AckWindow {
  settled = 0;
  errors = 0;
  firstError: string | undefined;
  private waiter: { until: number; resolve: () => void } | undefined;

  readonly ok = (): void => this.settle();
  readonly fail = (err: unknown): void => {
    this.errors++;
    this.firstError ??= message(err);
    this.settle();
  };

  /** Resolves once `settled` reaches `until`. */
  wait(until: number): Promise<void> {
    if (this.settled >= until) return Promise.resolve();
    return new Promise((resolve) => (this.waiter = { until, resolve }));
  }

  private settle(): void {
    this.settled++;
    if (this.waiter && this.settled >= this.waiter.until) {
      const { resolve } = this.waiter;
      this.waiter = undefined;
      resolve();
    }
  }
}

/**
 * The SDK's producer (or KafkaTemplate) as an application drives it: one send() per
 * record, not awaited, with at most `window` outstanding; acks=all, Java's defaults
 * otherwise (batch.size 16384, linger.ms 5, buffer.memory 32 MiB, 5 requests in flight).
 */
async function sdkProduce(c: ProduceCommand): Promise<Measurement> {
  const { ClientConfig, KafkaProducer, KafkaTemplate } = sdk();
  const value = Buffer.alloc(c.valueBytes, 'v');
  const window = new AckWindow();
  if (c.api === 'template') {
    const config = new ClientConfig();
    config.bootstrapServers = [bootstrap];
    config.producer.acks = 'all';
    config.producer.properties = { 'enable.idempotence': String(c.idempotent) };
    const template = new KafkaTemplate<Buffer, Buffer>(config, { keySerializer: 'bytes', valueSerializer: 'bytes' });
    try {
      await template.partitionsFor(c.topic);
      const start = process.hrtime.bigint();
      for (let i = 0; i < c.records; i++) {
        template.send(c.topic, value).then(window.ok, window.fail);
        if (i - window.settled >= c.window) await window.wait(i - c.window / 2);
      }
      await window.wait(c.records);
      return { seconds: elapsedSeconds(start), records: c.records, bytes: c.records * c.valueBytes, errors: window.errors, firstError: window.firstError };
    } finally {
      await template.close();
    }
  }
  const producer = new KafkaProducer<Buffer, Buffer>({
    bootstrapServers: [bootstrap],
    acks: 'all',
    enableIdempotence: c.idempotent,
    compressionType: c.compression ?? 'none',
    keySerializer: 'buffer',
    valueSerializer: 'buffer',
  });
  const values = c.distinctValues ? variedValues(c.distinctValues, c.valueBytes) : [value];
  try {
    await producer.partitionsFor(c.topic);
    const start = process.hrtime.bigint();
    for (let i = 0; i < c.records; i++) {
      producer.send({ topic: c.topic, value: values[i % values.length] }).then(window.ok, window.fail);
      if (i - window.settled >= c.window) await window.wait(i - c.window / 2);
    }
    await window.wait(c.records);
    return { seconds: elapsedSeconds(start), records: c.records, bytes: c.records * c.valueBytes, errors: window.errors, firstError: window.firstError };
  } finally {
    await producer.close();
  }
}

/** `count` values of `bytes` pseudo-random lowercase letters (the same ones on every run). */
function variedValues(count: number, bytes: number): Buffer[] {
  let seed = 12345;
  return Array.from({ length: count }, () => {
    const v = Buffer.allocUnsafe(bytes);
    for (let i = 0; i < bytes; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      v[i] = 97 + ((seed >>> 16) % 26);
    }
    return v;
  });
}

/** The SDK's consumer in a poll loop, reading every value's length as a handler would touch it. */
async function sdkConsume(c: ConsumeCommand): Promise<Measurement> {
  const { KafkaConsumer } = sdk();
  const consumer = new KafkaConsumer<Buffer | null, Buffer | null>({
    'bootstrap.servers': [bootstrap],
    'group.id': c.groupId ?? undefined,
    'auto.offset.reset': 'earliest',
    'key.deserializer': 'buffer',
    'value.deserializer': 'buffer',
  });
  let records = 0;
  let bytes = 0;
  try {
    const start = process.hrtime.bigint();
    if (c.groupId === null) consumer.assign(Array.from({ length: c.partitions }, (_, partition) => ({ topic: c.topic, partition, offset: 0 })));
    else consumer.subscribe([c.topic]);
    let lastProgress = Date.now();
    while (records < c.records) {
      const polled = await consumer.poll(POLL_TIMEOUT_MS);
      for (let i = 0; i < polled.length && records < c.records; i++, records++) bytes += polled[i].value?.length ?? 0;
      if (polled.length > 0) lastProgress = Date.now();
      else if (Date.now() - lastProgress > STALL_MS) throw new Error(`stalled at ${records} of ${c.records} records`);
    }
    return { seconds: elapsedSeconds(start), records, bytes, errors: 0 };
  } finally {
    await consumer.close();
  }
}

function kafkajsClient(): Kafka {
  return new Kafka({ clientId: 'bench-client', brokers: [bootstrap], logLevel: logLevel.NOTHING });
}

/**
 * kafkajs's producer: `concurrency` loops each awaiting send() of `batch` messages,
 * acks=-1. Idempotent: kafkajs itself lets one request per broker be in flight.
 */
async function kafkajsProduce(c: ProduceCommand): Promise<Measurement> {
  const producer = kafkajsClient().producer({ idempotent: c.idempotent, allowAutoTopicCreation: false });
  await producer.connect();
  const value = Buffer.alloc(c.valueBytes, 'v');
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;
  try {
    const start = process.hrtime.bigint();
    const loop = async (): Promise<void> => {
      while (next < c.records) {
        const n = Math.min(c.batch, c.records - next);
        next += n;
        const messages = new Array<{ value: Buffer }>(n);
        for (let i = 0; i < n; i++) messages[i] = { value };
        try {
          await producer.send({ topic: c.topic, acks: -1, messages });
        } catch (err) {
          errors += n;
          firstError ??= message(err);
        }
      }
    };
    await Promise.all(Array.from({ length: c.concurrency }, loop));
    return { seconds: elapsedSeconds(start), records: c.records, bytes: c.records * c.valueBytes, errors, firstError };
  } finally {
    await producer.disconnect();
  }
}

/** kafkajs's consumer (a group member: kafkajs has no other way) with eachBatch. */
async function kafkajsConsume(c: ConsumeCommand): Promise<Measurement> {
  if (c.groupId === null) throw new Error('kafkajs consumes only as a group member');
  // kafkajs's fetch sizes are its defaults, spelled out; commits every 5 s as the Java consumer's (and the SDK's) auto-commit.
  const consumer = kafkajsClient().consumer({ groupId: c.groupId, maxBytes: 10_485_760, maxBytesPerPartition: 1_048_576 });
  await consumer.connect();
  let records = 0;
  let bytes = 0;
  try {
    await consumer.subscribe({ topics: [c.topic], fromBeginning: true });
    let done!: (seconds: number) => void;
    const allRead = new Promise<number>((resolve) => (done = resolve));
    const start = process.hrtime.bigint();
    await consumer.run({
      autoCommitInterval: 5000,
      eachBatch: async ({ batch }) => {
        const messages = batch.messages;
        if (records >= c.records) return;
        for (let i = 0; i < messages.length && records < c.records; i++, records++) bytes += messages[i].value?.length ?? 0;
        if (records === c.records) done(elapsedSeconds(start));
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const seconds = await Promise.race([
      allRead,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`stalled at ${records} of ${c.records} records`)), STALL_MS))),
    ]).finally(() => clearTimeout(timer));
    return { seconds, records, bytes, errors: 0 };
  } finally {
    await consumer.disconnect();
  }
}

const handlers: Record<string, { produce: (c: ProduceCommand) => Promise<Measurement>; consume: (c: ConsumeCommand) => Promise<Measurement> }> = {
  sdk: { produce: sdkProduce, consume: sdkConsume },
  kafkajs: { produce: kafkajsProduce, consume: kafkajsConsume },
};

async function main(): Promise<void> {
  const handler = handlers[kind];
  if (!handler || !bootstrap) throw new Error(`usage: client-worker.ts ${Object.keys(handlers).join('|')} <host:port>`);
  const answer = (a: WorkerAnswer) => process.stdout.write(`${ANSWER_PREFIX}${JSON.stringify(a)}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    const command = JSON.parse(line) as WorkerCommand;
    if (command.op === 'exit') break;
    try {
      answer({ ok: true, result: command.op === 'produce' ? await handler.produce(command) : await handler.consume(command) });
    } catch (err) {
      answer({ ok: false, error: message(err) });
    }
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(message(err));
    process.exit(1);
  },
);
