// @KafkaListener containers in real Nest applications against the built broker: what a
// listener method receives, batch listeners, concurrency spreading partitions over
// consumers, what each ack mode commits and when (read back with kafkajs'
// admin.fetchOffsets), start-up validation, the default error handler's retries and
// dead-letter publishing, graceful shutdown, pattern subscriptions, explicit partitions
// and containers started through the registry. Test data is produced with kafkajs.
import { Injectable, Module, type INestApplicationContext, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import {
  Ack,
  Header,
  Headers,
  KafkaHeaders,
  KafkaListener,
  KafkaListenerEndpointRegistry,
  KafkaModule,
  Key,
  Payload,
  Record,
  type Acknowledgment,
  type ConsumerRecord,
  type KafkaListenerContainerOptions,
  type ListenerHeaders,
} from '../../src';
import { BrokerProcess } from '../support/broker-process';
import { waitFor } from '../support/wait-for';

let broker: BrokerProcess;
let admin: Admin;
let producer: Producer;
const apps = new Set<INestApplicationContext>();

beforeAll(async () => {
  broker = await BrokerProcess.start({
    settings: { 'group.initial.rebalance.delay.ms': 0, 'group.min.session.timeout.ms': 1000, 'num.partitions': 1 },
  });
  const kafka = new Kafka({ clientId: 'listener-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer();
  await producer.connect();
}, 60_000);

afterEach(async () => {
  for (const app of [...apps]) await closeApp(app);
});

afterAll(async () => {
  await producer?.disconnect();
  await admin?.disconnect();
  await broker?.dispose();
}, 30_000);

/** An application whose root module holds the listener classes and KafkaModule with these kafka.* properties. */
async function startApp(listeners: Type[], properties: Record<string, unknown> = {}, listener: KafkaListenerContainerOptions = {}): Promise<INestApplicationContext> {
  @Module({
    imports: [
      KafkaModule.forRoot({
        env: {},
        properties: {
          'kafka.bootstrap-servers': broker.bootstrap,
          'kafka.consumer.auto-offset-reset': 'earliest',
          'kafka.consumer.fetch-max-wait': '100ms',
          'kafka.consumer.heartbeat-interval': '300ms',
          'kafka.consumer.properties': { 'session.timeout.ms': '3000' },
          'kafka.listener.poll-timeout': '1s',
          ...properties,
        },
        listener,
      }),
    ],
    providers: listeners,
  })
  class AppModule {}
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false, abortOnError: false });
  apps.add(app);
  return app;
}

async function closeApp(app: INestApplicationContext): Promise<void> {
  apps.delete(app);
  await app.close();
}

async function createTopic(topic: string, numPartitions = 1): Promise<void> {
  expect(await admin.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: true })).toBe(true);
}

async function produce(topic: string, values: readonly string[], partition = 0, headers?: Record<string, string>): Promise<void> {
  await producer.send({ topic, acks: -1, messages: values.map((value, i) => ({ partition, key: `k-${value}`, value, headers: i === 0 ? headers : undefined })) });
}

/** The group's committed offset of one partition; -1 when nothing is committed. */
async function committed(groupId: string, topic: string, partition = 0): Promise<number> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return Number(offsets.partitions.find((p) => p.partition === partition)?.offset ?? -1);
}

function registryOf(app: INestApplicationContext): KafkaListenerEndpointRegistry {
  return app.get(KafkaListenerEndpointRegistry);
}

/** A promise the test opens to let a blocked listener go on. */
class Gate {
  private release: () => void = () => undefined;
  readonly opened = new Promise<void>((resolve) => (this.release = resolve));
  open(): void {
    this.release();
  }
}

const values = (count: number, first = 0): string[] => Array.from({ length: count }, (_, i) => String(first + i));

describe('@KafkaListener containers against a broker', () => {
  it('hands a listener the value by default, and key, headers, one header and the record on request', async () => {
    await createTopic('receive');
    const plain: unknown[] = [];
    const detailed: Array<{ value: string; key: string; headers: ListenerHeaders; partition: number; trace: Buffer | undefined; record: ConsumerRecord }> = [];
    @Injectable()
    class Listeners {
      @KafkaListener({ topics: 'receive', groupId: 'receive-plain' })
      onValue(value: string) {
        plain.push(value);
      }

      @KafkaListener({ id: 'receive-detailed', topics: ['receive'] })
      onDetails(
        @Payload() value: string,
        @Key() key: string,
        @Headers() headers: ListenerHeaders,
        @Header(KafkaHeaders.RECEIVED_PARTITION) partition: number,
        @Header('trace') trace: Buffer | undefined,
        @Record() record: ConsumerRecord,
      ) {
        detailed.push({ value, key, headers, partition, trace, record });
      }
    }
    await produce('receive', ['a', 'b', 'c'], 0, { trace: 't-1' });
    await startApp([Listeners]);

    await waitFor(() => plain.length === 3 && detailed.length === 3, { what: 'three records for each listener' });
    expect(plain).toEqual(['a', 'b', 'c']);
    expect(detailed.map((d) => [d.value, d.key, d.partition])).toEqual([
      ['a', 'k-a', 0],
      ['b', 'k-b', 0],
      ['c', 'k-c', 0],
    ]);
    expect(detailed[0].headers).toEqual({ trace: Buffer.from('t-1') });
    expect(detailed[0].trace).toEqual(Buffer.from('t-1'));
    expect(detailed[1].trace).toBeUndefined();
    expect(detailed[2].record).toMatchObject({ topic: 'receive', partition: 0, offset: 2, key: 'k-c', value: 'c', timestampType: 'CreateTime' });
    // The id is the group: both listeners' groups committed the three records.
    await waitFor(async () => (await committed('receive-plain', 'receive')) === 3 && (await committed('receive-detailed', 'receive')) === 3, { what: 'commits of both groups' });
  });

  it('hands a batch listener each poll as lists, committing after each batch', async () => {
    await createTopic('batch', 2);
    const batches: Array<{ values: string[]; keys: string[]; records: ConsumerRecord[] }> = [];
    @Injectable()
    class Listeners {
      @KafkaListener({ topics: 'batch', groupId: 'batch', batch: true })
      onBatch(@Payload() values: string[], @Key() keys: string[], @Record() records: ConsumerRecord[]) {
        batches.push({ values, keys, records });
      }
    }
    await produce('batch', values(30), 0);
    await produce('batch', values(20, 30), 1);
    await startApp([Listeners]);

    await waitFor(() => batches.reduce((n, b) => n + b.values.length, 0) === 50, { what: '50 records in batches' });
    const all = batches.flatMap((b) => b.values).sort((a, b) => Number(a) - Number(b));
    expect(all).toEqual(values(50));
    expect(batches.some((b) => b.values.length > 1)).toBe(true);
    for (const b of batches) {
      expect(b.keys).toEqual(b.values.map((v) => `k-${v}`));
      expect(b.records.map((r) => r.value)).toEqual(b.values);
    }
    await waitFor(async () => (await committed('batch', 'batch', 0)) === 30 && (await committed('batch', 'batch', 1)) === 20, { what: 'both partitions committed' });
  });

  it('runs concurrency 3 as three consumers of one group, two of six partitions each, every record once', async () => {
    await createTopic('spread', 6);
    const seen: string[] = [];
    @Injectable()
    class Listeners {
      @KafkaListener({ id: 'spread', topics: 'spread', concurrency: 3 })
      onRecord(value: string) {
        seen.push(value);
      }
    }
    const app = await startApp([Listeners]);
    const container = registryOf(app).getListenerContainer('spread')!;
    expect(container.concurrency).toBe(3);

    const assignments = await waitFor(
      () => {
        const byClient = container.getAssignmentsByClientId();
        const counts = [...byClient.values()].map((partitions) => partitions.length);
        return counts.length === 3 && counts.every((n) => n === 2) ? byClient : undefined;
      },
      { what: 'two partitions for each of three consumers' },
    );
    expect([...assignments.keys()].sort()).toEqual(['spread-0', 'spread-1', 'spread-2']);
    expect(
      [...assignments.values()]
        .flat()
        .map((tp) => tp.partition)
        .sort(),
    ).toEqual([0, 1, 2, 3, 4, 5]);

    for (let partition = 0; partition < 6; partition++) await produce('spread', values(100, partition * 100), partition);
    await waitFor(() => seen.length >= 600, { what: '600 records' });
    expect(new Set(seen).size).toBe(600);
    expect(seen.length).toBe(600);
  });

  describe('ack modes', () => {
    it('RECORD commits each record as soon as the listener returns', async () => {
      await createTopic('ack-record');
      const gate = new Gate();
      const started: string[] = [];
      @Injectable()
      class Listeners {
        @KafkaListener({ topics: 'ack-record', groupId: 'ack-record' })
        async onRecord(value: string) {
          started.push(value);
          if (value === '1') await gate.opened;
        }
      }
      await produce('ack-record', values(3));
      await startApp([Listeners], { 'kafka.listener.ack-mode': 'record' });
      await waitFor(() => started.includes('1'), { what: 'the listener on record 1' });
      expect(await committed('ack-record', 'ack-record')).toBe(1);
      gate.open();
      await waitFor(async () => (await committed('ack-record', 'ack-record')) === 3, { what: 'all three committed' });
    });

    it('BATCH commits when the poll is done, not before', async () => {
      await createTopic('ack-batch');
      const gate = new Gate();
      const started: string[] = [];
      @Injectable()
      class Listeners {
        @KafkaListener({ topics: 'ack-batch', groupId: 'ack-batch' })
        async onRecord(value: string) {
          started.push(value);
          if (value === '2') await gate.opened;
        }
      }
      await produce('ack-batch', values(3));
      await startApp([Listeners]);
      await waitFor(() => started.includes('2'), { what: 'the listener on record 2' });
      expect(started).toEqual(['0', '1', '2']);
      expect(await committed('ack-batch', 'ack-batch')).toBe(-1);
      gate.open();
      await waitFor(async () => (await committed('ack-batch', 'ack-batch')) === 3, { what: 'the batch committed' });
    });

    it('COUNT commits at the end of the poll in which ack-count records were processed', async () => {
      await createTopic('ack-count');
      const gates = [new Gate(), new Gate(), new Gate()];
      const started: string[] = [];
      @Injectable()
      class Listeners {
        @KafkaListener({ topics: 'ack-count', groupId: 'ack-count', properties: { 'max.poll.records': '1' } })
        async onRecord(value: string) {
          started.push(value);
          const index = Number(value) - 1;
          if (index >= 0 && index < gates.length) await gates[index].opened;
        }
      }
      await produce('ack-count', values(4));
      await startApp([Listeners], { 'kafka.listener.ack-mode': 'count', 'kafka.listener.ack-count': 2 });
      await waitFor(() => started.includes('1'), { what: 'record 1' });
      expect(await committed('ack-count', 'ack-count')).toBe(-1);
      gates[0].open();
      await waitFor(() => started.includes('2'), { what: 'record 2' });
      expect(await committed('ack-count', 'ack-count')).toBe(2);
      gates[1].open();
      await waitFor(() => started.includes('3'), { what: 'record 3' });
      expect(await committed('ack-count', 'ack-count')).toBe(2);
      gates[2].open();
      await waitFor(async () => (await committed('ack-count', 'ack-count')) === 4, { what: 'four committed' });
    });

    it('TIME commits once ack-time has passed since the last commit, on an idle poll too', async () => {
      await createTopic('ack-time');
      const seen: string[] = [];
      @Injectable()
      class Listeners {
        @KafkaListener({ topics: 'ack-time', groupId: 'ack-time' })
        onRecord(value: string) {
          seen.push(value);
        }
      }
      await startApp([Listeners], { 'kafka.listener.ack-mode': 'time', 'kafka.listener.ack-time': '2500ms', 'kafka.listener.poll-timeout': '200ms' });
      await produce('ack-time', ['0']);
      await waitFor(async () => (await committed('ack-time', 'ack-time')) === 1, { what: 'the first time commit', timeoutMs: 15_000 });
      const windowStart = Date.now();
      await produce('ack-time', ['1']);
      await waitFor(() => seen.length === 2, { what: 'record 1' });
      const beforeWindowEnd = await committed('ack-time', 'ack-time');
      const checkedAfterMs = Date.now() - windowStart;
      if (checkedAfterMs < 2000) expect(beforeWindowEnd).toBe(1);
      await waitFor(async () => (await committed('ack-time', 'ack-time')) === 2, { what: 'the idle-poll time commit', timeoutMs: 15_000 });
      expect(Date.now() - windowStart).toBeGreaterThanOrEqual(2000);
    });

    it('COUNT_TIME commits when the count is reached or the time has passed, whichever is first', async () => {
      await createTopic('ack-count-time');
      const seen: string[] = [];
      @Injectable()
      class Listeners {
        @KafkaListener({ topics: 'ack-count-time', groupId: 'ack-count-time' })
        onRecord(value: string) {
          seen.push(value);
        }
      }
      await startApp([Listeners], { 'kafka.listener.ack-mode': 'count_time', 'kafka.listener.ack-count': 2, 'kafka.listener.ack-time': '3s', 'kafka.listener.poll-timeout': '200ms' });
      await produce('ack-count-time', ['0', '1']);
      // Two records in one poll reach the count: committed at once, well before ack-time.
      const started = Date.now();
      await waitFor(async () => (await committed('ack-count-time', 'ack-count-time')) === 2, { what: 'the count commit' });
      expect(Date.now() - started).toBeLessThan(2500);
      await produce('ack-count-time', ['2']);
      await waitFor(async () => (await committed('ack-count-time', 'ack-count-time')) === 3, { what: 'the time commit', timeoutMs: 15_000 });
      expect(seen).toEqual(['0', '1', '2']);
    });

    it('MANUAL commits through the acknowledged record at the end of the poll, covering unacknowledged ones before it', async () => {
      await createTopic('ack-manual');
      const gate = new Gate();
      const started: string[] = [];
      @Injectable()
      class Listeners {
        @KafkaListener({ topics: 'ack-manual', groupId: 'ack-manual' })
        async onRecord(value: string, @Ack() ack: Acknowledgment) {
          started.push(value);
          if (value === '1') ack.acknowledge();
          if (value === '3') await gate.opened;
        }
      }
      await produce('ack-manual', values(4));
      await startApp([Listeners], { 'kafka.listener.ack-mode': 'manual' });
      await waitFor(() => started.includes('3'), { what: 'record 3' });
      expect(await committed('ack-manual', 'ack-manual')).toBe(-1);
      gate.open();
      await waitFor(async () => (await committed('ack-manual', 'ack-manual')) === 2, { what: 'the commit through record 1' });
    });

    it('MANUAL_IMMEDIATE commits as soon as acknowledge() is called', async () => {
      await createTopic('ack-immediate');
      const gate = new Gate();
      const acknowledged: string[] = [];
      @Injectable()
      class Listeners {
        @KafkaListener({ topics: 'ack-immediate', groupId: 'ack-immediate' })
        async onRecord(value: string, @Ack() ack: Acknowledgment) {
          ack.acknowledge();
          acknowledged.push(value);
          if (value === '1') await gate.opened;
        }
      }
      await produce('ack-immediate', values(3));
      await startApp([Listeners], { 'kafka.listener.ack-mode': 'manual_immediate' });
      await waitFor(() => acknowledged.includes('1'), { what: 'record 1 acknowledged' });
      // The listener is still running on record 1, and its commit is already there.
      await waitFor(async () => (await committed('ack-immediate', 'ack-immediate')) === 2, { what: 'the immediate commit' });
      gate.open();
      await waitFor(async () => (await committed('ack-immediate', 'ack-immediate')) === 3, { what: 'all three committed' });
    });
  });

  it('refuses to start an application whose listener asks for an Acknowledgment without a manual ack mode', async () => {
    @Injectable()
    class Listeners {
      @KafkaListener({ id: 'needs-manual', topics: 'never-created' })
      onRecord(value: string, @Ack() ack: Acknowledgment) {
        ack.acknowledge();
        return value;
      }
    }
    await expect(startApp([Listeners])).rejects.toThrow(
      '@KafkaListener needs-manual (Listeners.onRecord): the listener asks for an Acknowledgment (@Ack()), but the ack mode is BATCH',
    );
  });

  it('retries a poison record, publishes it to {topic}.DLT with Spring headers, and moves on', async () => {
    await createTopic('poison', 3);
    await createTopic('poison.DLT', 3);
    class PoisonError extends Error {}
    const deliveries: number[] = [];
    const processed: string[] = [];
    const dead: ConsumerRecord[] = [];
    @Injectable()
    class Listeners {
      @KafkaListener({ topics: 'poison', groupId: 'poison' })
      onRecord(value: string) {
        if (value === 'poison') {
          deliveries.push(Date.now());
          throw new PoisonError('cannot digest this');
        }
        processed.push(value);
      }

      @KafkaListener({ topics: 'poison.DLT', groupId: 'poison-dlt' })
      onDeadLetter(@Record() record: ConsumerRecord) {
        dead.push(record);
      }
    }
    await producer.send({ topic: 'poison', acks: -1, messages: ['before', 'poison', 'after-1', 'after-2'].map((value) => ({ partition: 2, key: 'same-key', value, headers: { origin: 'test' } })) });
    await startApp([Listeners], {}, { errorHandler: { backOff: { intervalMs: 1000, maxAttempts: 2 } } });

    // While partition 2 backs off, partition 0 is served (the consumer polls on).
    await waitFor(() => deliveries.length >= 1, { what: 'the first delivery of the poison record' });
    await produce('poison', ['meanwhile'], 0);
    await waitFor(() => processed.includes('meanwhile'), { what: 'a record of another partition during the back-off' });
    expect(deliveries.length).toBeLessThan(3);

    await waitFor(() => dead.length === 1 && processed.includes('after-2'), { what: 'the dead letter and the records after it', timeoutMs: 15_000 });
    expect(deliveries).toHaveLength(3);
    expect(deliveries[1] - deliveries[0]).toBeGreaterThanOrEqual(950);
    expect(deliveries[2] - deliveries[1]).toBeGreaterThanOrEqual(950);
    expect(processed.filter((v) => v !== 'meanwhile')).toEqual(['before', 'after-1', 'after-2']);

    const letter = dead[0];
    const header = (name: string) => letter.headers.find((h) => h.key === name)?.value;
    expect(letter).toMatchObject({ topic: 'poison.DLT', partition: 2, key: 'same-key', value: 'poison' });
    expect(header('origin')?.toString()).toBe('test');
    expect(header('kafka_dlt-exception-fqcn')?.toString()).toBe('PoisonError');
    expect(header('kafka_dlt-exception-message')?.toString()).toBe('cannot digest this');
    expect(header('kafka_dlt-exception-stacktrace')?.toString()).toContain('cannot digest this');
    expect(header('kafka_dlt-original-topic')?.toString()).toBe('poison');
    expect(header('kafka_dlt-original-partition')?.readInt32BE()).toBe(2);
    expect(header('kafka_dlt-original-offset')?.readBigInt64BE()).toBe(1n);
    expect(header('kafka_dlt-original-timestamp-type')?.toString()).toBe('CreateTime');
    expect(header('kafka_dlt-original-consumer-group')?.toString()).toBe('poison');
    const originalTimestamp = Number(header('kafka_dlt-original-timestamp')?.readBigInt64BE());
    expect(Math.abs(originalTimestamp - deliveries[0])).toBeLessThan(60_000);
    await waitFor(async () => (await committed('poison', 'poison', 2)) === 4, { what: 'the partition committed past the poison record' });
  });

  it('on shutdown finishes the record in progress, commits it and leaves the group; a second app resumes right after it', async () => {
    await createTopic('shutdown');
    const gate = new Gate();
    const first: string[] = [];
    @Injectable()
    class FirstListeners {
      @KafkaListener({ id: 'shutdown', topics: 'shutdown' })
      async onRecord(value: string) {
        if (value === '5') await gate.opened;
        first.push(value);
      }
    }
    await produce('shutdown', values(10));
    const app = await startApp([FirstListeners]);
    await waitFor(() => first.length === 5, { what: 'records 0-4' });
    const container = registryOf(app).getListenerContainer('shutdown')!;
    const closing = closeApp(app);
    await waitFor(() => container.isStopping(), { what: 'the container stopping' });
    gate.open();
    await closing;
    expect(first).toEqual(values(6));
    expect(await committed('shutdown', 'shutdown')).toBe(6);
    const [group] = (await admin.describeGroups(['shutdown'])).groups;
    expect(group.members).toEqual([]);

    const second: string[] = [];
    @Injectable()
    class SecondListeners {
      @KafkaListener({ topics: 'shutdown', groupId: 'shutdown' })
      onRecord(value: string) {
        second.push(value);
      }
    }
    await startApp([SecondListeners]);
    await waitFor(() => second.length === 4, { what: 'records 6-9 in the second app' });
    expect(second).toEqual(values(4, 6));
  });

  it('subscribes to a topic pattern and picks up a topic created later', async () => {
    await createTopic('pattern.one');
    const seen: string[] = [];
    @Injectable()
    class Listeners {
      @KafkaListener({ topicPattern: /pattern\..*/, groupId: 'pattern', properties: { 'metadata.max.age.ms': '300' } })
      onRecord(@Payload() value: string, @Header(KafkaHeaders.RECEIVED_TOPIC) topic: string) {
        seen.push(`${topic}:${value}`);
      }
    }
    await produce('pattern.one', ['a']);
    await startApp([Listeners]);
    await waitFor(() => seen.includes('pattern.one:a'), { what: 'the record of pattern.one' });
    await createTopic('pattern.two');
    await produce('pattern.two', ['b']);
    await waitFor(() => seen.includes('pattern.two:b'), { what: 'the record of the new topic', timeoutMs: 15_000 });
  });

  it('reads explicitly assigned partitions from their initial offsets, without group management', async () => {
    await createTopic('explicit', 3);
    for (let partition = 0; partition < 3; partition++) await produce('explicit', values(5, partition * 10), partition);
    const seen: Array<[number, number, string]> = [];
    @Injectable()
    class Listeners {
      @KafkaListener({
        id: 'explicit',
        topicPartitions: [
          { topic: 'explicit', partitions: [1], initialOffset: 3 },
          { topic: 'explicit', partitions: [2], initialOffset: -2 },
        ],
        concurrency: 2,
      })
      onRecord(@Record() record: ConsumerRecord<string, string>) {
        seen.push([record.partition, record.offset, record.value]);
      }
    }
    const app = await startApp([Listeners]);
    await waitFor(() => seen.length === 4, { what: 'four records' });
    expect(seen.sort((a, b) => a[0] - b[0] || a[1] - b[1])).toEqual([
      [1, 3, '13'],
      [1, 4, '14'],
      [2, 3, '23'],
      [2, 4, '24'],
    ]);
    const container = registryOf(app).getListenerContainer('explicit')!;
    expect([...container.getAssignmentsByClientId().values()].map((tps) => tps.map((tp) => tp.partition))).toEqual([[1], [2]]);
    // The id is the group: offsets are committed for it, without a group membership.
    await waitFor(async () => (await committed('explicit', 'explicit', 1)) === 5 && (await committed('explicit', 'explicit', 2)) === 5, { what: 'commits' });
    const [group] = (await admin.describeGroups(['explicit'])).groups;
    expect(group.members).toEqual([]);
  });

  it('registers autoStartup=false listeners without starting them; the registry starts, pauses, resumes and stops them', async () => {
    await createTopic('manual-start');
    const seen: string[] = [];
    @Injectable()
    class Listeners {
      @KafkaListener({ id: 'manual-start', topics: 'manual-start', autoStartup: false })
      onRecord(value: string) {
        seen.push(value);
      }
    }
    await produce('manual-start', ['a']);
    const app = await startApp([Listeners]);
    const registry = registryOf(app);
    expect(registry.getListenerContainerIds()).toEqual(['manual-start']);
    expect(registry.listListenerContainers()).toHaveLength(1);
    const container = registry.getListenerContainer('manual-start')!;
    expect(container.isRunning()).toBe(false);
    expect((await admin.describeGroups(['manual-start'])).groups[0].members).toEqual([]);

    await container.start();
    expect(container.isRunning()).toBe(true);
    await waitFor(() => seen.includes('a'), { what: 'the record after start()' });

    container.pause();
    expect(container.isPauseRequested()).toBe(true);
    await waitFor(() => container.isContainerPaused(), { what: 'the consumer paused' });
    await produce('manual-start', ['b']);
    container.resume();
    await waitFor(() => seen.includes('b'), { what: 'the record after resume()' });

    await container.stop();
    expect(container.isRunning()).toBe(false);
    expect(await committed('manual-start', 'manual-start')).toBe(2);
    expect((await admin.describeGroups(['manual-start'])).groups[0].members).toEqual([]);
  });
});
