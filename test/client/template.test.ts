// KafkaModule and KafkaTemplate in real Nest application contexts against the built
// broker: every send overload read back with raw Fetch requests, Java's key placement,
// headers, serializers, acks and compression from kafka.* settings, the ways the module
// gets its configuration (properties, a config file, forRootAsync, application.yml plus
// a profile and an environment variable in a child process), start-up failures, and
// the flush on shutdown.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { KafkaModule, KafkaTemplate, KafkaClientError, KafkaTimeoutError, type Acknowledgment, type ConsumerRecord, type KafkaModuleOptions } from '../../src';
import { CompressionType, ErrorCode, RecordBatchView, type DecodedRecord } from '../../src/protocol';
import { BrokerProcess } from '../support/broker-process';
import { KafkaWireClient } from '../support/kafka-wire-client';
import { makeTempDir, removeAllTempDirs } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';
import { createTopic, fetchAllBatches } from '../support/wire-admin';

const CHILD_APP = join(__dirname, 'template-child-app.js');

type StoredRecord = DecodedRecord & { partition: number; compression: CompressionType };

/** Every record of a topic's partitions, read with Fetch v4 (no client library in between). */
async function readTopic(port: number, topic: string, partitions: number): Promise<StoredRecord[]> {
  const client = await KafkaWireClient.connect(port);
  try {
    const out: StoredRecord[] = [];
    for (let partition = 0; partition < partitions; partition++) {
      for (const bytes of await fetchAllBatches(client, topic, partition)) {
        const view = new RecordBatchView(bytes);
        for (const record of view.records()) out.push({ ...record, partition, compression: view.compression });
      }
    }
    return out;
  } finally {
    client.close();
  }
}

const text = (b: Buffer | null): string | null => (b === null ? null : b.toString('utf8'));

/** Java's partition for a key from Kafka's own murmur2 test vectors: toPositive(hash) % n. */
const javaPartition = (murmur2: number, partitions: number): number => (murmur2 & 0x7fffffff) % partitions;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

describe('KafkaTemplate in a Nest application against a broker', () => {
  let broker: BrokerProcess;
  const apps: INestApplicationContext[] = [];

  /** An application whose root module imports the given KafkaModule, as an app's AppModule does. */
  async function startApp(kafka: DynamicModule, extraImports: DynamicModule[] = []): Promise<INestApplicationContext> {
    @Module({ imports: [...extraImports, kafka] })
    class AppModule {}
    const app = await NestFactory.createApplicationContext(AppModule, { logger: false, abortOnError: false });
    apps.push(app);
    return app;
  }

  /** A template bound to this broker plus the given kafka.* properties; the host's environment is left out. */
  async function templateWith(properties: Record<string, unknown> = {}, options: Omit<KafkaModuleOptions, 'properties'> = {}): Promise<KafkaTemplate<any, any>> {
    const app = await startApp(KafkaModule.forRoot({ env: {}, ...options, properties: { 'kafka.bootstrap-servers': broker.bootstrap, ...properties } }));
    return app.get(KafkaTemplate);
  }

  beforeAll(async () => {
    broker = await BrokerProcess.start({ settings: { 'num.partitions': 1 } });
  });

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
  });

  afterAll(async () => {
    await broker?.dispose();
    removeAllTempDirs();
  });

  it('puts the record of every send and sendDefault overload where it says, with its headers', async () => {
    await createTopic(broker.port, 'overloads', 4);
    await createTopic(broker.port, 'defaults', 3);
    const template = await templateWith({ 'kafka.template.default-topic': 'defaults' });

    const noKey = await template.send('overloads', 'no-key');
    const keyed = await template.send('overloads', 'foobar', 'keyed');
    const fixed = await template.send('overloads', 3, 'k3', 'fixed');
    const timed = await template.send('overloads', 1, 1_600_000_000_000, 'k4', 'timed');
    const withHeaders = await template.send({
      topic: 'overloads',
      partition: 2,
      key: 'k5',
      value: 'with-headers',
      headers: { trace: 'abc', bin: Buffer.from([0, 1, 2]), multi: ['x', 'y'], none: null },
    });

    expect(keyed.recordMetadata.partition).toBe(javaPartition(-790332482, 4));
    expect(fixed.recordMetadata.partition).toBe(3);
    expect(timed.recordMetadata).toMatchObject({ topic: 'overloads', partition: 1, timestamp: 1_600_000_000_000, serializedKeySize: 2, serializedValueSize: 5 });
    expect(noKey.recordMetadata.serializedKeySize).toBe(-1);
    expect(withHeaders.producerRecord.value).toBe('with-headers');

    const stored = new Map((await readTopic(broker.port, 'overloads', 4)).map((r) => [text(r.value), r]));
    expect(stored.size).toBe(5);
    for (const result of [noKey, keyed, fixed, timed, withHeaders]) {
      const record = stored.get(result.producerRecord.value)!;
      expect({ partition: record.partition, offset: record.offset, timestamp: record.timestamp }).toEqual({
        partition: result.recordMetadata.partition,
        offset: result.recordMetadata.offset,
        timestamp: result.recordMetadata.timestamp,
      });
      expect(text(record.key)).toBe(result.producerRecord.key ?? null);
    }
    expect(stored.get('with-headers')!.headers.map((h) => [h.key, h.value === null ? null : [...h.value]])).toEqual([
      ['trace', [...Buffer.from('abc')]],
      ['bin', [0, 1, 2]],
      ['multi', [...Buffer.from('x')]],
      ['multi', [...Buffer.from('y')]],
      ['none', null],
    ]);

    const d1 = await template.sendDefault('d1');
    const d2 = await template.sendDefault('abc', 'd2');
    const d3 = await template.sendDefault(2, 'k', 'd3');
    expect(d2.recordMetadata.partition).toBe(javaPartition(479470107, 3));
    const defaults = new Map((await readTopic(broker.port, 'defaults', 3)).map((r) => [text(r.value), r]));
    expect([...defaults.keys()].sort()).toEqual(['d1', 'd2', 'd3']);
    for (const result of [d1, d2, d3]) expect(defaults.get(result.producerRecord.value)!.partition).toBe(result.recordMetadata.partition);
    expect(defaults.get('d3')!.partition).toBe(2);
  });

  it("places concurrent keyed sends on the Java client's partitions", async () => {
    await createTopic(broker.port, 'placement', 5);
    const template = await templateWith();
    const vectors: Array<[string, number]> = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    const results = await Promise.all(vectors.flatMap(([key]) => Array.from({ length: 20 }, (_, i) => template.send('placement', key, `${key}#${i}`))));
    const stored = await readTopic(broker.port, 'placement', 5);
    expect(stored).toHaveLength(results.length);
    for (const record of stored) {
      const key = text(record.key)!;
      const [, hash] = vectors.find(([k]) => k === key)!;
      expect([key, record.partition]).toEqual([key, javaPartition(hash, 5)]);
    }
    // Records of one key stay in send order within their partition.
    for (const [key] of vectors) {
      const offsets = results.filter((r) => r.producerRecord.key === key).map((r) => r.recordMetadata.offset);
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    }
  });

  it('resolves a burst of unawaited sends each with its own record, serialized sizes and stored offset', async () => {
    await createTopic(broker.port, 'burst', 3);
    const template = await templateWith({ 'kafka.producer.properties.linger.ms': '20' });
    const records = Array.from({ length: 3000 }, (_, i) => ({ topic: 'burst', key: i % 7 === 0 ? null : `key-${i % 50}`, value: `value-${'x'.repeat(i % 13)}-${i}` }));
    const results = await Promise.all(records.map((record) => template.send(record)));
    expect(results.every((result, i) => result.producerRecord === records[i])).toBe(true);
    const sizes = results.map((r) => [r.recordMetadata.serializedKeySize, r.recordMetadata.serializedValueSize]);
    expect(sizes).toEqual(records.map((r) => [r.key === null ? -1 : Buffer.byteLength(r.key), Buffer.byteLength(r.value)]));
    const stored = new Map((await readTopic(broker.port, 'burst', 3)).map((r) => [text(r.value), r]));
    expect(stored.size).toBe(records.length);
    let misplaced = 0;
    for (const { producerRecord, recordMetadata } of results) {
      const record = stored.get(producerRecord.value)!;
      if (record.partition !== recordMetadata.partition || record.offset !== recordMetadata.offset || record.timestamp !== recordMetadata.timestamp) misplaced++;
    }
    expect(misplaced).toBe(0);
  });

  it('serializes values as JSON when kafka.producer.value-serializer names JsonSerializer, and with a custom serializer given to the template', async () => {
    await createTopic(broker.port, 'json', 1);
    const json = await templateWith({ 'kafka.producer.value-serializer': 'org.springframework.kafka.support.serializer.JsonSerializer' });
    await json.send('json', 'order-1', { id: 1, items: ['a', 'b'], total: 9.5 });
    await afterEachClose();
    const custom = await templateWith({}, { template: { valueSerializer: (v: { id: number }) => Buffer.from(`id=${v.id}`), keySerializer: 'bytes' } });
    await custom.send('json', Buffer.from([1, 2]), { id: 2 });
    const stored = await readTopic(broker.port, 'json', 1);
    expect(stored.map((r) => [r.key === null ? null : [...r.key], text(r.value)])).toEqual([
      [[...Buffer.from('order-1')], '{"id":1,"items":["a","b"],"total":9.5}'],
      [[1, 2], 'id=2'],
    ]);
  });

  it('uses the acks level set in kafka.producer.acks', async () => {
    await createTopic(broker.port, 'acks', 1);
    const none = await templateWith({ 'kafka.producer.acks': 0 });
    const leader = await templateWith({ 'kafka.producer.acks': '1' });
    const all = await templateWith({ 'kafka.producer.acks': 'all' });
    const unacknowledged = await none.send('acks', 'acks-0');
    // acks=0: the broker does not answer, so the offset is unknown, as in Java.
    expect(unacknowledged.recordMetadata.offset).toBe(-1);
    await waitFor(async () => (await readTopic(broker.port, 'acks', 1)).some((r) => text(r.value) === 'acks-0'), { what: 'the acks=0 record on the broker' });
    const one = await leader.send('acks', 'acks-1');
    const full = await all.send('acks', 'acks-all');
    expect(full.recordMetadata.offset).toBe(one.recordMetadata.offset + 1);
    // Idempotence is on only for acks=all (the Java default that acks=0/1 drop).
    expect(all.metrics().producerId).toBeGreaterThanOrEqual(0);
    expect(leader.metrics().producerId).toBe(-1);
    const stored = await readTopic(broker.port, 'acks', 1);
    expect(stored.map((r) => [text(r.value), r.offset])).toEqual([
      ['acks-0', 0],
      ['acks-1', one.recordMetadata.offset],
      ['acks-all', full.recordMetadata.offset],
    ]);
  });

  it('compresses batches with kafka.producer.compression-type', async () => {
    const codecs = { gzip: CompressionType.Gzip, snappy: CompressionType.Snappy, lz4: CompressionType.Lz4, zstd: CompressionType.Zstd } as const;
    for (const [codec, type] of Object.entries(codecs)) {
      const topic = `compressed-${codec}`;
      await createTopic(broker.port, topic, 1);
      const template = await templateWith({ 'kafka.producer.compression-type': codec.toUpperCase() });
      await Promise.all(Array.from({ length: 50 }, (_, i) => template.send(topic, `${codec} record ${i} `.repeat(10))));
      const stored = await readTopic(broker.port, topic, 1);
      expect(stored).toHaveLength(50);
      expect(new Set(stored.map((r) => r.compression))).toEqual(new Set([type]));
      expect(text(stored[49].value)).toBe(`${codec} record 49 `.repeat(10));
    }
  });

  it('rejects a failed send with a KafkaClientError carrying the Kafka error code', async () => {
    await createTopic(broker.port, 'two-partitions', 2);
    const template = await templateWith({ 'kafka.producer.properties': { 'max.request.size': 1024 } });
    await expect(template.send('two-partitions', 7, 'k', 'v')).rejects.toMatchObject({ code: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
    const tooLarge = template.send('two-partitions', 'x'.repeat(2000));
    await expect(tooLarge).rejects.toBeInstanceOf(KafkaClientError);
    await expect(tooLarge).rejects.toMatchObject({ code: ErrorCode.MESSAGE_TOO_LARGE });
    await expect(template.executeInTransaction(() => undefined)).rejects.toMatchObject({ code: ErrorCode.INVALID_TXN_STATE });
  });

  it('starts while no broker answers and fails the send after max.block.ms', async () => {
    const nowhere = `127.0.0.1:${await freePort()}`;
    const app = await startApp(KafkaModule.forRoot({ env: {}, properties: { 'kafka.bootstrap-servers': nowhere, 'kafka.producer.properties.max.block.ms': 300 } }));
    const started = Date.now();
    const failure = await app
      .get(KafkaTemplate)
      .send('anywhere', 'v')
      .catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(KafkaTimeoutError);
    expect(failure).toMatchObject({ code: ErrorCode.REQUEST_TIMED_OUT });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('fails application start with the one-line config error for a bad value', async () => {
    const failure = await startApp(KafkaModule.forRoot({ env: {}, properties: { 'kafka.bootstrap-servers': broker.bootstrap, 'kafka.producer.compression-type': 'brotli' } })).catch(
      (err: unknown) => err,
    );
    expect((failure as Error).message).toBe('kafka.producer.compression-type=brotli: must be one of none, gzip, snappy, lz4, zstd (from KafkaModule properties)');
  });

  it('reads a config file given to forRoot', async () => {
    await createTopic(broker.port, 'from-file', 1);
    const dir = makeTempDir('kafkanest-template-');
    const file = join(dir.path, 'kafka-app.yml');
    writeFileSync(file, `kafka:\n  bootstrap-servers: ${broker.bootstrap}\n  client-id: file-app\n  template:\n    default-topic: from-file\n`);
    const app = await startApp(KafkaModule.forRoot({ config: file, env: {} }));
    const result = await app.get(KafkaTemplate).sendDefault('k', 'v');
    expect(result.recordMetadata).toMatchObject({ topic: 'from-file', partition: 0, offset: 0 });
  });

  it('takes its options from forRootAsync with a ConfigService factory', async () => {
    await createTopic(broker.port, 'async', 1);
    const config = ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ messaging: { brokers: broker.bootstrap, topic: 'async' } })] });
    const app = await startApp(
      KafkaModule.forRootAsync({
        imports: [config],
        inject: [ConfigService],
        useFactory: (settings: ConfigService): KafkaModuleOptions => ({
          env: {},
          properties: { kafka: { 'bootstrap-servers': settings.get<string>('messaging.brokers'), template: { 'default-topic': settings.get<string>('messaging.topic') } } },
        }),
      }),
    );
    const result = await app.get(KafkaTemplate).sendDefault('from-async');
    expect(result.recordMetadata).toMatchObject({ topic: 'async', offset: 0 });
    expect(text((await readTopic(broker.port, 'async', 1))[0].value)).toBe('from-async');
  });

  it('sends every pending record when the application closes', async () => {
    await createTopic(broker.port, 'shutdown', 2);
    // A minute of linger: nothing leaves before close() flushes.
    const template = await templateWith({ 'kafka.producer.properties': { 'linger.ms': 60_000, 'batch.size': 1_000_000 } });
    const app = apps.pop()!;
    const pending = Array.from({ length: 500 }, (_, i) => template.send('shutdown', `k${i % 7}`, `pending-${i}`));
    await app.close();
    const results = await Promise.all(pending);
    expect(results.every((r) => r.recordMetadata.offset >= 0)).toBe(true);
    const stored = await readTopic(broker.port, 'shutdown', 2);
    expect(new Set(stored.map((r) => text(r.value)))).toEqual(new Set(Array.from({ length: 500 }, (_, i) => `pending-${i}`)));
    await expect(template.send('shutdown', 'late')).rejects.toThrow(/closed/);
  });

  it('configures forRoot() from application.yml, a profile file and KAFKA_BOOTSTRAP_SERVERS in the working directory', async () => {
    await createTopic(broker.port, 'dev-topic', 1);
    const cwd = makeTempDir('kafkanest-app-').path;
    // The file's bootstrap list points nowhere; the environment variable wins, as in Spring Boot.
    writeFileSync(join(cwd, 'application.yml'), 'kafka:\n  bootstrap-servers: 127.0.0.1:1\n  template:\n    default-topic: base-topic\n');
    writeFileSync(join(cwd, 'application-dev.yml'), 'kafka:\n  template:\n    default-topic: dev-topic\n');
    const env = { PATH: process.env.PATH, KAFKANEST_PROFILES_ACTIVE: 'dev', KAFKA_BOOTSTRAP_SERVERS: broker.bootstrap };
    const { code, stdout, stderr } = await runChild(['child-value'], cwd, env);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const printed = JSON.parse(stdout.trim()) as { defaultTopic: string; recordMetadata: { topic: string; offset: number } };
    expect(printed).toMatchObject({ defaultTopic: 'dev-topic', recordMetadata: { topic: 'dev-topic', offset: 0 } });
    const [record] = await readTopic(broker.port, 'dev-topic', 1);
    expect([text(record.key), text(record.value)]).toEqual(['key-from-child', 'child-value']);
  });

  it('exports the listener types from the package main beside the module and template', () => {
    const ack: Acknowledgment = { acknowledge: () => undefined };
    const record: ConsumerRecord<string, string> = { topic: 't', partition: 0, offset: 0, timestamp: 0, timestampType: 'CreateTime', key: 'k', value: 'v', headers: [] };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const main = require('../../dist/index.js') as Record<string, unknown>;
    expect(['KafkaModule', 'KafkaTemplate', 'KafkaListener', 'Payload', 'KafkaClientError'].filter((name) => typeof main[name] !== 'function')).toEqual([]);
    expect([typeof ack.acknowledge, record.value]).toEqual(['function', 'v']);
  });

  /** Closes the applications started so far in this test (a test that needs two in turn). */
  async function afterEachClose(): Promise<void> {
    for (const app of apps.splice(0)) await app.close();
  }
});

function runChild(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD_APP, ...args], { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
