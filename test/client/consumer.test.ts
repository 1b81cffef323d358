// The SDK's KafkaConsumer against the built broker: group membership (eager range and
// cooperative-sticky, static members, pattern subscriptions), positions (commits,
// auto.offset.reset, seek, pause), explicit assignment, and the two timers Java's
// consumer is known by — heartbeats that keep a slow handler in the group, and
// max.poll.interval.ms that takes a stuck one out. Test data is produced with kafkajs.
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { KafkaConsumer, WakeupError, type ConsumerRebalanceListener } from '../../src/client/consumer/kafka-consumer';
import type { ConsumerOptions } from '../../src/client/consumer/consumer-options';
import { OffsetOutOfRangeError } from '../../src/client/consumer/fetcher';
import { CommitFailedError } from '../../src/client/consumer/offset-commits';
import { ClientClosedError, ClientConfigError } from '../../src/client/errors';
import { topicPartitionKey, type ConsumerRecord, type TopicPartition } from '../../src/client/listener/types';
import { KafkaCluster } from '../../src/client/cluster/kafka-cluster';
import type { MetadataStoreLogger } from '../../src/zk/metadata-store';
import { ZooKeeperMetadataStore } from '../../src/zk/zookeeper-metadata-store';
import { BrokerProcess } from '../support/broker-process';
import { testZkConnect, uniqueZkRoot } from '../support/test-zookeeper';
import { waitFor } from '../support/wait-for';

let broker: BrokerProcess;
let admin: Admin;
let producer: Producer;
const open = new Set<KafkaConsumer<any, any>>();
let groupSequence = 0;

beforeAll(async () => {
  broker = await BrokerProcess.start({
    settings: { 'group.initial.rebalance.delay.ms': 0, 'group.min.session.timeout.ms': 1000, 'num.partitions': 1 },
  });
  const kafka = new Kafka({ clientId: 'consumer-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer();
  await producer.connect();
}, 60_000);

afterAll(async () => {
  await Promise.all([...open].map((c) => c.close(2000).catch(() => undefined)));
  await producer?.disconnect();
  await admin?.disconnect();
  await broker?.dispose();
}, 30_000);

function newGroup(): string {
  return `group-${++groupSequence}`;
}

function consumer<K = string | null, V = string | null>(overrides: Partial<ConsumerOptions<K, V>> = {}): KafkaConsumer<K, V> {
  const c = new KafkaConsumer<K, V>({
    'bootstrap.servers': broker.bootstrap,
    'auto.offset.reset': 'earliest',
    'session.timeout.ms': 3000,
    'heartbeat.interval.ms': 300,
    'max.poll.interval.ms': 10_000,
    'fetch.max.wait.ms': 100,
    ...overrides,
  } as ConsumerOptions<K, V>);
  open.add(c);
  return c;
}

async function close(c: KafkaConsumer<any, any>): Promise<void> {
  await c.close(5000);
  open.delete(c);
}

async function createTopic(topic: string, numPartitions: number): Promise<void> {
  expect(await admin.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: true })).toBe(true);
}

/** `count` records valued `${first}`..., round-robin over the partitions. */
async function produce(topic: string, partitions: number, count: number, first = 0): Promise<void> {
  const messages = Array.from({ length: count }, (_, i) => ({ partition: (first + i) % partitions, key: `k${first + i}`, value: String(first + i) }));
  for (let i = 0; i < messages.length; i += 500) await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 500) });
}

interface RebalanceEvent {
  readonly kind: 'revoked' | 'assigned' | 'lost';
  readonly partitions: readonly TopicPartition[];
}

/** A consumer driven by a poll(100) loop, as an application runs one; records and rebalance events are kept. */
class PollLoop<K = string | null, V = string | null> {
  readonly records: ConsumerRecord<K, V>[] = [];
  readonly events: RebalanceEvent[] = [];
  readonly errors: unknown[] = [];
  private stopped = false;
  private running: Promise<void> = Promise.resolve();

  constructor(
    readonly consumer: KafkaConsumer<K, V>,
    private readonly afterPoll: (records: ConsumerRecord<K, V>[]) => Promise<void> | void = () => undefined,
  ) {}

  get listener(): ConsumerRebalanceListener {
    return {
      onPartitionsRevoked: (partitions) => void this.events.push({ kind: 'revoked', partitions }),
      onPartitionsAssigned: (partitions) => void this.events.push({ kind: 'assigned', partitions }),
      onPartitionsLost: (partitions) => void this.events.push({ kind: 'lost', partitions }),
    };
  }

  start(): this {
    this.stopped = false;
    this.running = (async () => {
      while (!this.stopped) {
        try {
          const records = await this.consumer.poll(100);
          this.records.push(...records);
          await this.afterPoll(records);
        } catch (err) {
          this.errors.push(err);
          if (this.stopped || err instanceof ClientClosedError) return;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    })();
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  values(): string[] {
    return this.records.map((r) => String(r.value));
  }

  assignmentKeys(): string[] {
    return this.consumer.assignment().map(topicPartitionKey).sort();
  }
}

function keys(partitions: readonly TopicPartition[]): string[] {
  return partitions.map(topicPartitionKey).sort();
}

function numbers(count: number, first = 0): string[] {
  return Array.from({ length: count }, (_, i) => String(first + i));
}

function sortedNumbers(values: string[]): string[] {
  return [...values].sort((a, b) => Number(a) - Number(b));
}

describe('KafkaConsumer', () => {
  it('reads everything of a subscription, commits, and a restarted consumer resumes after the commit', async () => {
    const topic = 'sub-basic';
    await createTopic(topic, 3);
    await produce(topic, 3, 300);
    const group = newGroup();

    const first = consumer({ 'group.id': group, 'enable.auto.commit': false });
    const loop = new PollLoop(first);
    first.subscribe([topic], loop.listener);
    loop.start();
    await waitFor(() => loop.records.length >= 300, { timeoutMs: 15_000, what: '300 records' });
    await loop.stop();
    expect(sortedNumbers(loop.values())).toEqual(numbers(300));
    expect(loop.records.every((r) => r.topic === topic && r.key === `k${r.value}` && r.timestampType === 'CreateTime')).toBe(true);
    // A first join has nothing to revoke: the listener hears of the assignment only.
    expect(loop.events.map((e) => e.kind)).toEqual(['assigned']);
    expect(keys(loop.events[0].partitions)).toEqual(keys([0, 1, 2].map((partition) => ({ topic, partition }))));
    await first.commitSync();
    const committed = await first.committed([0, 1, 2].map((partition) => ({ topic, partition })));
    expect(committed.map((c) => c.offset)).toEqual([100, 100, 100]);
    await close(first);
    expect(loop.events.at(-1)).toEqual({ kind: 'revoked', partitions: expect.any(Array) });

    await produce(topic, 3, 90, 300);
    const second = consumer({ 'group.id': group });
    const resumed = new PollLoop(second);
    second.subscribe([topic]);
    resumed.start();
    await waitFor(() => resumed.records.length >= 90, { timeoutMs: 15_000, what: 'the 90 new records' });
    await resumed.stop();
    expect(sortedNumbers(resumed.values())).toEqual(numbers(90, 300));
    expect(await second.position({ topic, partition: 0 })).toBe(130);
    await close(second);
    // Auto-commit on close (enable.auto.commit defaults to true).
    const third = consumer({ 'group.id': group });
    third.assign([{ topic, partition: 1 }]);
    expect((await third.committed([{ topic, partition: 1 }]))[0].offset).toBe(130);
    await close(third);
  }, 30_000);

  it('lets onPartitionsRevoked commit while close() gives the partitions up, and the commits land', async () => {
    const topic = 'commit-on-close';
    await createTopic(topic, 2);
    await produce(topic, 2, 20);
    const group = newGroup();
    const c = consumer({ 'group.id': group, 'enable.auto.commit': false });
    const p0 = { topic, partition: 0 };
    const p1 = { topic, partition: 1 };
    const revoked: string[][] = [];
    let asyncOutcome: Error | null | undefined;
    const listenerErrors: unknown[] = [];
    c.subscribe([topic], {
      onPartitionsRevoked: async (partitions) => {
        revoked.push(keys(partitions));
        try {
          await c.commitSync([{ ...p0, offset: 7 }]);
          c.commitAsync([{ ...p1, offset: 4 }], (err) => (asyncOutcome = err));
        } catch (err) {
          listenerErrors.push(err);
        }
      },
    });
    let read = 0;
    await waitFor(async () => (read += (await c.poll(100)).length) >= 20, { timeoutMs: 15_000, what: 'the 20 records' });
    await close(c);
    expect(listenerErrors).toEqual([]);
    expect(revoked).toEqual([keys([p0, p1])]);
    // close() waited for the asynchronous commit's answer before closing the connections.
    expect(asyncOutcome).toBeNull();
    await expect(c.commitSync([{ ...p0, offset: 8 }])).rejects.toBeInstanceOf(ClientClosedError);

    const check = consumer({ 'group.id': group });
    expect((await check.committed([p0, p1])).map((o) => o.offset)).toEqual([7, 4]);
    await close(check);
  }, 30_000);

  it('close() lets an asynchronous commit still out land before it closes the connections', async () => {
    const topic = 'commit-async-close';
    await createTopic(topic, 1);
    const group = newGroup();
    const c = consumer({ 'group.id': group, 'enable.auto.commit': false });
    const p0 = { topic, partition: 0 };
    c.assign([p0]);
    let outcome: Error | null | undefined;
    c.commitAsync([{ ...p0, offset: 5 }], (err) => (outcome = err));
    await close(c);
    expect(outcome).toBeNull();
    const check = consumer({ 'group.id': group });
    expect((await check.committed([p0]))[0].offset).toBe(5);
    await close(check);
  }, 30_000);

  it('splits partitions between two members with the range assignor, each record read once', async () => {
    const topic = 'split-range';
    await createTopic(topic, 4);
    const group = newGroup();
    const options = { 'group.id': group, 'partition.assignment.strategy': 'range' };
    const a = new PollLoop(consumer(options));
    const b = new PollLoop(consumer(options));
    a.consumer.subscribe([topic], a.listener);
    b.consumer.subscribe([topic], b.listener);
    a.start();
    b.start();
    await waitFor(() => a.consumer.assignment().length === 2 && b.consumer.assignment().length === 2, { timeoutMs: 15_000, what: 'a 2/2 split' });
    expect(new Set([...a.assignmentKeys(), ...b.assignmentKeys()]).size).toBe(4);
    await produce(topic, 4, 400);
    await waitFor(() => a.records.length + b.records.length >= 400, { timeoutMs: 15_000, what: '400 records' });
    await Promise.all([a.stop(), b.stop()]);
    expect(sortedNumbers([...a.values(), ...b.values()])).toEqual(numbers(400));
    // Range over one topic: consecutive partitions per member.
    expect([a.assignmentKeys(), b.assignmentKeys()].map((k) => k.map((key) => Number(key.split('\u0000')[1])))).toEqual(
      expect.arrayContaining([
        [0, 1],
        [2, 3],
      ]),
    );
    await Promise.all([close(a.consumer), close(b.consumer)]);
  }, 30_000);

  it('cooperative-sticky: a joining member takes partitions without the first one revoking those it keeps', async () => {
    const topic = 'split-coop';
    await createTopic(topic, 4);
    await produce(topic, 4, 200);
    const group = newGroup();
    const options = { 'group.id': group, 'partition.assignment.strategy': 'cooperative-sticky' };
    const a = new PollLoop(consumer(options));
    a.consumer.subscribe([topic], a.listener);
    a.start();
    await waitFor(() => a.consumer.assignment().length === 4 && a.records.length >= 200, { timeoutMs: 15_000, what: 'the first member to own and read all' });
    const eventsBefore = a.events.length;

    const b = new PollLoop(consumer(options));
    b.consumer.subscribe([topic], b.listener);
    b.start();
    await waitFor(() => a.consumer.assignment().length === 2 && b.consumer.assignment().length === 2, { timeoutMs: 15_000, what: 'a 2/2 split' });
    await produce(topic, 4, 200, 200);
    await waitFor(() => a.records.length + b.records.length >= 400, { timeoutMs: 15_000, what: '200 more records' });
    await Promise.all([a.stop(), b.stop()]);

    const kept = a.assignmentKeys();
    const revoked = a.events.slice(eventsBefore).filter((e) => e.kind === 'revoked');
    // Exactly the partitions that moved were revoked, once; nothing was lost.
    expect(revoked.flatMap((e) => keys(e.partitions)).sort()).toEqual(b.assignmentKeys());
    expect(revoked.flatMap((e) => keys(e.partitions)).filter((k) => kept.includes(k))).toEqual([]);
    expect(a.events.some((e) => e.kind === 'lost')).toBe(false);
    // The newcomer is handed the moved partitions only once the first member gave them up.
    expect(b.events.filter((e) => e.kind === 'assigned' && e.partitions.length > 0).flatMap((e) => keys(e.partitions))).toEqual(b.assignmentKeys());
    expect(sortedNumbers([...a.values(), ...b.values()].filter((v) => Number(v) >= 200))).toEqual(numbers(200, 200));
    await Promise.all([close(a.consumer), close(b.consumer)]);
  }, 30_000);

  it('static membership: a restarted member with the same group.instance.id gets its partitions back without a rebalance', async () => {
    const topic = 'static-members';
    await createTopic(topic, 4);
    const group = newGroup();
    const options = (instance: string) => ({ 'group.id': group, 'group.instance.id': instance, 'session.timeout.ms': 10_000, 'partition.assignment.strategy': 'range' });
    const a = new PollLoop(consumer(options('member-a')));
    const b = new PollLoop(consumer(options('member-b')));
    a.consumer.subscribe([topic], a.listener);
    b.consumer.subscribe([topic], b.listener);
    a.start();
    b.start();
    await waitFor(() => a.consumer.assignment().length === 2 && b.consumer.assignment().length === 2, { timeoutMs: 15_000, what: 'a 2/2 split' });
    const ownedByA = a.assignmentKeys();
    const bGeneration = b.consumer.groupMetadata().generationId;
    const bEvents = b.events.length;

    await a.stop();
    await close(a.consumer);
    const restarted = new PollLoop(consumer(options('member-a')));
    restarted.consumer.subscribe([topic], restarted.listener);
    restarted.start();
    await waitFor(() => restarted.consumer.assignment().length === 2, { timeoutMs: 15_000, what: 'the restarted member to be assigned' });
    expect(restarted.assignmentKeys()).toEqual(ownedByA);
    await produce(topic, 4, 40);
    await waitFor(() => restarted.records.length + b.records.length >= 40, { timeoutMs: 10_000, what: 'records after the restart' });
    expect(b.consumer.groupMetadata().generationId).toBe(bGeneration);
    expect(b.events.length).toBe(bEvents);
    expect(b.consumer.rebalanceCount).toBe(1);
    await Promise.all([restarted.stop(), b.stop()]);
    await Promise.all([close(restarted.consumer), close(b.consumer)]);
  }, 30_000);

  it('a pattern subscription picks up a topic created after it started', async () => {
    await createTopic('pattern-a', 2);
    await createTopic('pattern-unrelated', 1);
    await produce('pattern-a', 2, 20);
    await produce('pattern-unrelated', 1, 5);
    const loop = new PollLoop(consumer({ 'group.id': newGroup(), 'metadata.max.age.ms': 300 }));
    loop.consumer.subscribe(/pattern-[a-z]/, loop.listener);
    loop.start();
    await waitFor(() => loop.records.length >= 20, { timeoutMs: 10_000, what: 'pattern-a records' });
    expect(loop.consumer.subscription()).toEqual(['pattern-a']);
    // The group formed over the matching topics from the start, not over none first.
    expect(loop.events.map((e) => keys(e.partitions))).toEqual([keys([0, 1].map((partition) => ({ topic: 'pattern-a', partition })))]);

    await createTopic('pattern-b', 1);
    await produce('pattern-b', 1, 10, 100);
    await waitFor(() => loop.records.length >= 30, { timeoutMs: 10_000, what: 'pattern-b records' });
    await loop.stop();
    expect(loop.consumer.subscription()).toEqual(['pattern-a', 'pattern-b']);
    expect(new Set(loop.records.map((r) => r.topic))).toEqual(new Set(['pattern-a', 'pattern-b']));
    expect(loop.consumer.assignment().length).toBe(3);
    await close(loop.consumer);
  }, 30_000);

  it('rejoins when a subscribed topic gains partitions, and reads the new one', async () => {
    const topic = 'growing';
    await createTopic(topic, 1);
    const loop = new PollLoop(consumer({ 'group.id': newGroup(), 'metadata.max.age.ms': 300 }));
    loop.consumer.subscribe([topic], loop.listener);
    loop.start();
    await waitFor(() => loop.consumer.assignment().length === 1, { what: 'the first assignment' });
    await admin.createPartitions({ topicPartitions: [{ topic, count: 2 }] });
    await waitFor(() => loop.consumer.assignment().length === 2, { timeoutMs: 10_000, what: 'the new partition to be assigned' });
    await producer.send({ topic, acks: -1, messages: [{ partition: 1, value: 'in the new partition' }] });
    await waitFor(() => loop.records.some((r) => r.partition === 1), { what: 'a record of the new partition' });
    await loop.stop();
    expect(loop.events.at(-1)).toEqual({ kind: 'assigned', partitions: [0, 1].map((partition) => ({ topic, partition })) });
    expect(loop.events.some((e) => e.kind === 'lost')).toBe(false);
    await close(loop.consumer);
  }, 30_000);

  it('seeks, pauses and resumes partitions', async () => {
    const topic = 'seek-pause';
    await createTopic(topic, 2);
    await produce(topic, 2, 100);
    const c = consumer({ 'group.id': newGroup(), 'max.poll.records': 10 });
    c.subscribe([topic]);
    const p0 = { topic, partition: 0 };
    const p1 = { topic, partition: 1 };
    await waitFor(async () => (await c.poll(100)).length > 0, { what: 'the first records' });

    c.pause([p1]);
    expect(c.paused()).toEqual([p1]);
    c.seek(p0, 40);
    c.seek(p1, 0);
    const fromP0: ConsumerRecord[] = [];
    while (fromP0.length < 10) {
      const records = await c.poll(200);
      expect(records.every((r) => r.partition === 0)).toBe(true);
      fromP0.push(...records);
    }
    expect(fromP0[0].offset).toBe(40);
    expect(fromP0.map((r) => r.value)).toEqual(numbers(10).map((i) => String((40 + Number(i)) * 2)));
    expect(await c.position(p0)).toBe(50);
    expect(await c.position(p1)).toBe(0);

    c.resume([p1]);
    expect(c.paused()).toEqual([]);
    const fromP1 = await waitFor(async () => (await c.poll(200)).filter((r) => r.partition === 1)[0], { what: 'records of the resumed partition' });
    expect(fromP1.offset).toBe(0);

    c.seekToEnd([p0]);
    expect(await c.position(p0)).toBe(50);
    c.seekToBeginning();
    expect(await c.position(p0)).toBe(0);
    expect(await c.position(p1)).toBe(0);
    expect(await c.endOffsets([p0, p1])).toEqual([
      { ...p0, offset: 50 },
      { ...p1, offset: 50 },
    ]);
    await close(c);
  }, 30_000);

  it('reads assigned partitions without a group, from an initial offset', async () => {
    const topic = 'manual-assign';
    await createTopic(topic, 2);
    await produce(topic, 2, 40);
    const c = consumer<Buffer | null, number>({ 'key.deserializer': 'buffer', 'value.deserializer': (data) => Number(data!.toString()) });
    c.assign([{ topic, partition: 1, offset: 15 }]);
    expect(c.assignment()).toEqual([{ topic, partition: 1 }]);
    const records: ConsumerRecord<Buffer | null, number>[] = [];
    await waitFor(async () => (records.push(...(await c.poll(100))), records.length >= 5), { what: 'records from offset 15' });
    expect(records[0].offset).toBe(15);
    expect(records.map((r) => r.value)).toEqual(records.map((r) => r.offset * 2 + 1));
    expect(Buffer.isBuffer(records[0].key)).toBe(true);
    expect(records[0].key!.toString()).toBe('k31');
    expect(() => c.subscribe([topic])).toThrow(ClientConfigError);
    await expect(c.commitSync()).rejects.toThrow(ClientConfigError);

    // wakeup() ends a waiting poll at once, and a wakeup between polls ends the next one.
    const startedAt = Date.now();
    const waiting = c.poll(10_000);
    c.wakeup();
    await expect(waiting).rejects.toBeInstanceOf(WakeupError);
    expect(Date.now() - startedAt).toBeLessThan(1000);
    c.wakeup();
    await expect(c.poll(10_000)).rejects.toBeInstanceOf(WakeupError);
    await expect(c.poll(0)).resolves.toEqual([]);
    await close(c);
  }, 30_000);

  it('resets an out-of-range position by auto.offset.reset, and fails without one', async () => {
    const topic = 'out-of-range';
    await createTopic(topic, 1);
    await produce(topic, 1, 30);
    const tp = { topic, partition: 0 };

    const earliest = consumer({ 'auto.offset.reset': 'earliest' });
    earliest.assign([{ ...tp, offset: 1000 }]);
    const fromStart = await waitFor(async () => (await earliest.poll(100))[0], { what: 'a record after the reset' });
    expect(fromStart.offset).toBe(0);
    await close(earliest);

    const latest = consumer({ 'auto.offset.reset': 'latest' });
    latest.assign([{ ...tp, offset: 1000 }]);
    await waitFor(async () => (await latest.poll(50), (await latest.position(tp)) === 30), { what: 'the position to reset to the end' });
    await produce(topic, 1, 1, 30);
    const next = await waitFor(async () => (await latest.poll(100))[0], { what: 'the next record' });
    expect(next.offset).toBe(30);
    await close(latest);

    const none = consumer({ 'auto.offset.reset': 'none' });
    none.assign([{ ...tp, offset: 1000 }]);
    const error = await waitFor(
      async () => {
        try {
          await none.poll(100);
          return undefined;
        } catch (err) {
          return err;
        }
      },
      { what: 'poll to fail' },
    );
    expect(error).toBeInstanceOf(OffsetOutOfRangeError);
    expect((error as OffsetOutOfRangeError).offsets).toEqual([{ ...tp, offset: 1000 }]);
    none.seek(tp, 29);
    expect((await none.poll(1000))[0].offset).toBe(29);
    await close(none);
  }, 30_000);

  it('heartbeats keep a member whose handler outlasts the session timeout in the group', async () => {
    const topic = 'slow-handler';
    await createTopic(topic, 2);
    const group = newGroup();
    const options = { 'group.id': group, 'session.timeout.ms': 1000, 'heartbeat.interval.ms': 200, 'max.poll.interval.ms': 10_000, 'enable.auto.commit': false };
    let slowRuns = 0;
    const slow: PollLoop = new PollLoop(consumer(options), async (records) => {
      if (records.length === 0) return;
      // Two and a half session timeouts of "work", without polling.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      slowRuns++;
      await slow.consumer.commitSync();
    });
    const other = new PollLoop(consumer(options));
    slow.consumer.subscribe([topic], slow.listener);
    other.consumer.subscribe([topic], other.listener);
    slow.start();
    other.start();
    await waitFor(() => slow.consumer.assignment().length === 1 && other.consumer.assignment().length === 1, { timeoutMs: 15_000, what: 'a 1/1 split' });
    const generation = other.consumer.groupMetadata().generationId;
    const eventsBefore = slow.events.length;
    await produce(topic, 2, 10);
    await waitFor(() => slowRuns >= 1, { timeoutMs: 10_000, what: 'the slow handler to finish' });
    await Promise.all([slow.stop(), other.stop()]);
    expect(slow.errors).toEqual([]);
    expect(other.consumer.groupMetadata().generationId).toBe(generation);
    expect(slow.consumer.groupMetadata().generationId).toBe(generation);
    expect(slow.events.length).toBe(eventsBefore);
    const owned = slow.consumer.assignment()[0];
    expect((await slow.consumer.committed([owned]))[0].offset).toBe(5);
    await Promise.all([close(slow.consumer), close(other.consumer)]);
  }, 30_000);

  it('a member that exceeds max.poll.interval.ms leaves the group: its partitions move, and it finds them lost when it polls again', async () => {
    const topic = 'stuck-handler';
    await createTopic(topic, 2);
    const group = newGroup();
    const options = { 'group.id': group, 'session.timeout.ms': 5000, 'heartbeat.interval.ms': 200, 'enable.auto.commit': false, 'partition.assignment.strategy': 'range' };
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let stuckOnce = false;
    let commitError: unknown;
    const stuck: PollLoop = new PollLoop(consumer({ ...options, 'max.poll.interval.ms': 1500 }), async (records) => {
      if (records.length === 0 || stuckOnce) return;
      stuckOnce = true;
      await released;
      commitError = await stuck.consumer.commitSync().catch((err) => err);
    });
    const healthy = new PollLoop(consumer({ ...options, 'max.poll.interval.ms': 10_000 }));
    stuck.consumer.subscribe([topic], stuck.listener);
    healthy.consumer.subscribe([topic], healthy.listener);
    stuck.start();
    healthy.start();
    await waitFor(() => stuck.consumer.assignment().length === 1 && healthy.consumer.assignment().length === 1, { timeoutMs: 15_000, what: 'a 1/1 split' });
    const stuckPartition = stuck.consumer.assignment()[0];
    await produce(topic, 2, 10);
    const startedAt = Date.now();
    // Within max.poll.interval.ms plus a rebalance, the healthy member owns everything.
    await waitFor(() => healthy.consumer.assignment().length === 2, { timeoutMs: 8000, what: 'the partitions to move' });
    expect(Date.now() - startedAt).toBeLessThan(6000);
    await waitFor(() => healthy.records.filter((r) => r.partition === stuckPartition.partition).length === 5, { what: 'the moved partition to be read' });
    release();
    await waitFor(() => stuck.events.some((e) => e.kind === 'lost'), { timeoutMs: 8000, what: 'the stuck member to find its partition lost' });
    expect(commitError).toBeInstanceOf(CommitFailedError);
    expect(stuck.events.find((e) => e.kind === 'lost')!.partitions).toEqual([stuckPartition]);
    await waitFor(() => stuck.consumer.assignment().length === 1 && healthy.consumer.assignment().length === 1, { timeoutMs: 15_000, what: 'the member to rejoin' });
    await Promise.all([stuck.stop(), healthy.stop()]);
    await Promise.all([close(stuck.consumer), close(healthy.consumer)]);
  }, 30_000);
});

describe('KafkaConsumer on two brokers over ZooKeeper', () => {
  const brokers: BrokerProcess[] = [];
  let kafka: Kafka;

  beforeAll(async () => {
    const quiet: MetadataStoreLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };
    const root = await ZooKeeperMetadataStore.connect({ connect: testZkConnect(), logger: quiet });
    const chroot = uniqueZkRoot('client-consumer');
    await root.create(chroot, null);
    await root.close();
    for (const id of [1, 2]) {
      brokers.push(
        await BrokerProcess.start({
          settings: {
            'broker.id': id,
            'zookeeper.connect': `${testZkConnect()}${chroot}`,
            'group.initial.rebalance.delay.ms': 0,
            'group.min.session.timeout.ms': 1000,
          },
        }),
      );
    }
    kafka = new Kafka({ clientId: 'consumer-test-zk', brokers: brokers.map((b) => b.bootstrap), logLevel: logLevel.NOTHING });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(brokers.map((b) => b.dispose()));
  }, 30_000);

  it('survives its coordinator and a partition leader going away, and reads the partition again once its leader is back', async () => {
    const topic = 'two-brokers';
    const group = 'failover-group';
    const zkAdmin = kafka.admin();
    await zkAdmin.connect();
    const zkProducer = kafka.producer();
    await zkProducer.connect();
    try {
      expect(await zkAdmin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 1 }], waitForLeaders: true })).toBe(true);
      const send = async (partition: number, first: number, count: number) =>
        zkProducer.send({ topic, acks: -1, messages: Array.from({ length: count }, (_, i) => ({ partition, value: String(first + i) })) });

      // The group's coordinator goes away, and with it the partition it leads.
      const probe = new KafkaCluster({ bootstrapServers: brokers.map((b) => b.bootstrap) });
      await probe.ensureTopics([topic]);
      const coordinatorId = (await probe.coordinatorFor(group)).nodeId;
      const gonePartition = [0, 1].find((p) => probe.leaderFor(topic, p) === coordinatorId)!;
      const livePartition = 1 - gonePartition;
      probe.close();
      const leaving = brokers.find((b) => b.brokerId === coordinatorId)!;

      const loop = new PollLoop(
        new KafkaConsumer({
          'bootstrap.servers': brokers.map((b) => b.bootstrap),
          'group.id': group,
          'auto.offset.reset': 'earliest',
          'session.timeout.ms': 3000,
          'heartbeat.interval.ms': 300,
          'fetch.max.wait.ms': 100,
          'auto.commit.interval.ms': 200,
          'retry.backoff.max.ms': 300,
        }),
      );
      open.add(loop.consumer);
      loop.consumer.subscribe([topic], loop.listener);
      loop.start();
      await send(gonePartition, 0, 20);
      await send(livePartition, 100, 20);
      await waitFor(() => loop.records.length >= 40, { timeoutMs: 15_000, what: 'the first 40 records' });
      await loop.consumer.commitSync();

      await leaving.stop();
      await send(livePartition, 120, 20);
      await waitFor(() => loop.values().includes('139'), { timeoutMs: 15_000, what: 'records of the live partition after the coordinator left' });
      // The member found the new coordinator, which resumed the group's generation: it commits
      // there without rejoining (no partitions lost); what was committed before the move is still there.
      await waitFor(async () => (await loop.consumer.committed([{ topic, partition: livePartition }]))[0].offset === 40, {
        timeoutMs: 15_000,
        what: 'commits to the new coordinator',
      });
      expect((await loop.consumer.committed([{ topic, partition: gonePartition }]))[0].offset).toBe(20);
      expect(loop.events.map((e) => e.kind)).toEqual(['assigned']);

      await leaving.restart();
      await waitFor(async () => (await send(gonePartition, 20, 10), true), { timeoutMs: 15_000, intervalMs: 300, what: 'the partition to take writes again' });
      await waitFor(() => loop.values().includes('29'), { timeoutMs: 20_000, what: 'records of the partition whose leader came back' });
      await loop.stop();
      // Everything read. Positions came back from the commits, which survived the move: only
      // what was read while no coordinator took commits is read again after the rejoin.
      expect([...new Set(sortedNumbers(loop.values()))]).toEqual([...numbers(30), ...numbers(40, 100)]);
      expect(sortedNumbers(loop.values().filter((v) => Number(v) < 120))).toEqual([...numbers(30), ...numbers(20, 100)]);
      expect(loop.errors).toEqual([]);
      await close(loop.consumer);
    } finally {
      await zkProducer.disconnect();
      await zkAdmin.disconnect();
    }
  }, 60_000);
});
