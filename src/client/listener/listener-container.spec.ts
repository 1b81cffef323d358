import { Logger } from '@nestjs/common';
import type { AckMode } from '../consumer/ack-modes';
import { stringDeserializer, type Deserializer } from '../consumer/deserializers';
import { WakeupError, type ConsumerRebalanceListener, type PartitionToAssign } from '../consumer/kafka-consumer';
import { ClientClosedError } from '../errors';
import { FixedBackOff } from './backoff';
import type { ListenerConsumer } from './container-options';
import { BatchListenerFailedError, DefaultErrorHandler, type FailedRecord } from './error-handler';
import { KafkaMessageListenerContainer, type ContainerSettings } from './listener-container';
import { ListenerInvoker } from './listener-invoker';
import type { ListenerParameter } from './listener-parameters.decorator';
import { topicPartitionKey, type Acknowledgment, type ConsumerRecord, type TopicPartition, type TopicPartitionOffset } from './types';

type Fetched = ConsumerRecord<Buffer | null, Buffer | null>;

/**
 * An in-memory consumer with Java's position semantics: poll() returns records from
 * each unpaused partition's position (at most maxPollRecords) and moves past them;
 * seek() moves a position; rebalance callbacks run inside poll(); commits are recorded;
 * like KafkaConsumer, it refuses commits once close() has begun.
 */
class FakeConsumer implements ListenerConsumer {
  readonly options: { clientId: string; enableAutoCommit: boolean; groupId: string | null };
  readonly commits: TopicPartitionOffset[][] = [];
  readonly polls: number[] = [];
  readonly paused = new Set<string>();
  closed = false;
  private readonly log = new Map<string, Fetched[]>();
  private readonly positions = new Map<string, number>();
  private owned: TopicPartition[] = [];
  private listener: ConsumerRebalanceListener = {};
  private pendingAssignment: TopicPartition[] | null = null;
  private pendingRevocation: TopicPartition[] | null = null;
  private wakeupRequested = false;
  private closing = false;

  constructor(
    partitions: readonly TopicPartition[],
    private readonly maxPollRecords = 500,
    options: Partial<FakeConsumer['options']> = {},
  ) {
    this.options = { clientId: 'fake-0', enableAutoCommit: false, groupId: 'group', ...options };
    for (const tp of partitions) this.log.set(topicPartitionKey(tp), []);
  }

  append(topic: string, partition: number, values: readonly (string | null)[], key: string | null = null): void {
    const records = this.log.get(topicPartitionKey({ topic, partition }))!;
    for (const value of values) {
      records.push({
        topic,
        partition,
        offset: records.length,
        timestamp: 1_700_000_000_000 + records.length,
        timestampType: 'CreateTime',
        key: key === null ? null : Buffer.from(key),
        value: value === null ? null : Buffer.from(value),
        headers: [],
      });
    }
  }

  /** The next poll() revokes these partitions (and takes them away). */
  revokeAtNextPoll(partitions: TopicPartition[]): void {
    this.pendingRevocation = partitions;
  }

  subscribe(topics: readonly string[] | RegExp, listener?: ConsumerRebalanceListener): void {
    const wanted = (topic: string) => (topics instanceof RegExp ? topics.test(topic) : topics.includes(topic));
    this.listener = listener ?? {};
    this.pendingAssignment = [...this.log.keys()]
      .map((key) => {
        const [topic, partition] = key.split('\u0000');
        return { topic, partition: Number(partition) };
      })
      .filter((tp) => wanted(tp.topic));
  }

  assign(partitions: readonly PartitionToAssign[]): void {
    this.owned = partitions.map(({ topic, partition }) => ({ topic, partition }));
    for (const p of partitions) if (p.offset !== undefined) this.positions.set(topicPartitionKey(p), p.offset);
  }

  assignment(): TopicPartition[] {
    return [...this.owned];
  }

  async poll(timeoutMs: number): Promise<Fetched[]> {
    if (this.closed || this.closing) throw new ClientClosedError('the consumer');
    if (this.wakeupRequested) {
      this.wakeupRequested = false;
      throw new WakeupError();
    }
    this.polls.push(Date.now());
    if (this.pendingRevocation) {
      const revoked = this.pendingRevocation;
      this.pendingRevocation = null;
      await this.listener.onPartitionsRevoked?.(revoked);
      this.owned = this.owned.filter((tp) => !revoked.some((r) => topicPartitionKey(r) === topicPartitionKey(tp)));
    }
    if (this.pendingAssignment) {
      this.owned = this.pendingAssignment;
      this.pendingAssignment = null;
      await this.listener.onPartitionsAssigned?.(this.owned);
    }
    const out: Fetched[] = [];
    for (const tp of this.owned) {
      const key = topicPartitionKey(tp);
      if (this.paused.has(key)) continue;
      const records = this.log.get(key) ?? [];
      let position = this.positions.get(key) ?? 0;
      while (position < records.length && out.length < this.maxPollRecords) out.push(records[position++]);
      this.positions.set(key, position);
    }
    if (out.length === 0) await new Promise((resolve) => setTimeout(resolve, Math.min(timeoutMs, 5)));
    return out;
  }

  async commitSync(offsets?: readonly TopicPartitionOffset[]): Promise<void> {
    if (this.closing || this.closed) throw new ClientClosedError('the consumer');
    this.commits.push((offsets ?? []).map(({ topic, partition, offset }) => ({ topic, partition, offset })));
  }

  commitAsync(offsets?: readonly TopicPartitionOffset[], callback?: (error: Error | null, offsets: readonly TopicPartitionOffset[]) => void): void {
    this.commitSync(offsets).then(
      () => callback?.(null, offsets ?? []),
      (err: Error) => callback?.(err, offsets ?? []),
    );
  }

  seek(tp: TopicPartition, offset: number): void {
    this.positions.set(topicPartitionKey(tp), offset);
  }

  position(tp: TopicPartition): number {
    return this.positions.get(topicPartitionKey(tp)) ?? 0;
  }

  pause(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.paused.add(topicPartitionKey(tp));
  }

  resume(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.paused.delete(topicPartitionKey(tp));
  }

  async endOffsets(partitions: readonly TopicPartition[]): Promise<TopicPartitionOffset[]> {
    return partitions.map((tp) => ({ ...tp, offset: this.log.get(topicPartitionKey(tp))?.length ?? 0 }));
  }

  wakeup(): void {
    this.wakeupRequested = true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    if (this.owned.length > 0 && this.pendingAssignment === null) await this.listener.onPartitionsRevoked?.(this.owned);
    this.closed = true;
  }

  /** The last committed offset of a partition, -1 if none. */
  committed(topic: string, partition = 0): number {
    let last = -1;
    for (const commit of this.commits) for (const o of commit) if (o.topic === topic && o.partition === partition) last = o.offset;
    return last;
  }
}

interface Harness {
  readonly container: KafkaMessageListenerContainer;
  readonly consumer: FakeConsumer;
  readonly recovered: Array<{ failed: FailedRecord; error: Error }>;
}

interface HarnessOptions {
  readonly partitions?: number;
  readonly ackMode?: AckMode;
  readonly batch?: boolean;
  readonly backOff?: FixedBackOff;
  readonly maxPollRecords?: number;
  readonly parameters?: ListenerParameter[];
  readonly valueDeserializer?: Deserializer;
  readonly autoCommit?: boolean;
  readonly listener: (...args: any[]) => unknown;
}

const running: KafkaMessageListenerContainer[] = [];

// The containers log assignments and failures; the assertions say what matters here.
beforeAll(() => Logger.overrideLogger(false));

async function harness(options: HarnessOptions): Promise<Harness> {
  const partitions = Array.from({ length: options.partitions ?? 1 }, (_, partition) => ({ topic: 't', partition }));
  const consumer = new FakeConsumer(partitions, options.maxPollRecords, { enableAutoCommit: options.autoCommit ?? false });
  const recovered: Harness['recovered'] = [];
  const errorHandler = new DefaultErrorHandler({
    backOff: options.backOff ?? new FixedBackOff(0, 2),
    recoverer: (failed, error) => void recovered.push({ failed, error }),
  });
  const settings: ContainerSettings = {
    listenerId: 'test',
    clientId: 'fake-0',
    groupId: 'group',
    subscription: { kind: 'topics', topics: ['t'] },
    batch: options.batch ?? false,
    ackMode: options.ackMode ?? 'BATCH',
    ackCount: 1,
    ackTimeMs: 5000,
    pollTimeoutMs: 50,
    syncCommits: true,
    asyncAcks: false,
    shutdownTimeoutMs: 2000,
    consumerOptions: { 'bootstrap.servers': 'unused:9092' },
    keyDeserializer: stringDeserializer,
    valueDeserializer: options.valueDeserializer ?? stringDeserializer,
  };
  const invoker = new ListenerInvoker({}, options.listener, { parameters: options.parameters ?? [{ index: 0, kind: 'payload' }] });
  const container = new KafkaMessageListenerContainer(settings, invoker, errorHandler, () => consumer);
  running.push(container);
  await container.start();
  return { container, consumer, recovered };
}

afterEach(async () => {
  for (const c of running.splice(0)) await c.stop();
});

const until = async (condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
};

describe('KafkaMessageListenerContainer', () => {
  it('delivers values in order and commits per ack mode (RECORD: one commit per record)', async () => {
    const seen: string[] = [];
    const { consumer } = await harness({ ackMode: 'RECORD', listener: (v: string) => void seen.push(v) });
    consumer.append('t', 0, ['a', 'b', 'c']);
    await until(() => consumer.committed('t') === 3, 'the commits');
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(consumer.commits).toEqual([[{ topic: 't', partition: 0, offset: 1 }], [{ topic: 't', partition: 0, offset: 2 }], [{ topic: 't', partition: 0, offset: 3 }]]);
  });

  it('BATCH: one commit per poll, covering every partition', async () => {
    const { consumer } = await harness({ partitions: 2, listener: () => undefined });
    consumer.append('t', 0, ['a', 'b']);
    consumer.append('t', 1, ['c']);
    await until(() => consumer.commits.length > 0, 'a commit');
    expect(consumer.commits[0]).toEqual([
      { topic: 't', partition: 0, offset: 2 },
      { topic: 't', partition: 1, offset: 1 },
    ]);
  });

  it('retries a failing record by seeking back, then recovers it with its bytes and commits past it', async () => {
    const attempts: string[] = [];
    const { consumer, recovered } = await harness({
      listener: (v: string) => {
        attempts.push(v);
        if (v === 'bad') throw new TypeError('no');
      },
    });
    consumer.append('t', 0, ['ok', 'bad', 'next'], 'key');
    await until(() => consumer.committed('t') === 3, 'the commit past the bad record');
    // FixedBackOff(0, 2): three deliveries; the record after it waits for them.
    expect(attempts).toEqual(['ok', 'bad', 'bad', 'bad', 'next']);
    expect(recovered).toHaveLength(1);
    expect(recovered[0].error).toBeInstanceOf(TypeError);
    expect(recovered[0].failed.record).toMatchObject({ offset: 1, value: 'bad', key: 'key' });
    expect(recovered[0].failed.rawValue).toEqual(Buffer.from('bad'));
  });

  it('pauses only the failed partition during a back-off interval, polling on, and resumes it on time', async () => {
    const deliveries: Array<[string, number]> = [];
    const { consumer } = await harness({
      partitions: 2,
      backOff: new FixedBackOff(150, 1),
      listener: (v: string) => {
        deliveries.push([v, Date.now()]);
        if (v === 'bad') throw new Error('no');
      },
    });
    consumer.append('t', 0, ['bad', 'after']);
    await until(() => deliveries.length === 1, 'the first delivery');
    expect(consumer.paused.has(topicPartitionKey({ topic: 't', partition: 0 }))).toBe(true);
    consumer.append('t', 1, ['other']);
    await until(() => deliveries.some(([v]) => v === 'other'), 'the other partition');
    await until(() => deliveries.some(([v]) => v === 'after'), 'the record after the failed one');
    const times = deliveries.filter(([v]) => v === 'bad').map(([, t]) => t);
    expect(times).toHaveLength(2);
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(140);
    expect(deliveries.findIndex(([v]) => v === 'other')).toBeLessThan(deliveries.map(([v]) => v).lastIndexOf('bad'));
    // Polls went on during the interval, so max.poll.interval.ms never runs out.
    expect(consumer.polls.filter((t) => t > times[0] && t < times[1]).length).toBeGreaterThan(1);
    expect(consumer.paused.size).toBe(0);
  });

  it('sends a record that cannot be deserialized straight to the recoverer, without calling the listener', async () => {
    const seen: string[] = [];
    const strict: Deserializer = (data) => {
      if (data?.toString() === 'garbage') throw new Error('not a number');
      return data?.toString() ?? null;
    };
    const { consumer, recovered } = await harness({ valueDeserializer: strict, listener: (v: string) => void seen.push(v) });
    consumer.append('t', 0, ['1', 'garbage', '2']);
    await until(() => consumer.committed('t') === 3, 'the commits');
    expect(seen).toEqual(['1', '2']);
    expect(recovered).toHaveLength(1);
    expect(recovered[0].error.name).toBe('DeserializationError');
    expect(recovered[0].failed.rawValue).toEqual(Buffer.from('garbage'));
  });

  it('hands a batch listener lists; a BatchListenerFailedError commits the records before the failed one and retries it alone', async () => {
    const batches: string[][] = [];
    let failures = 0;
    const { consumer, recovered } = await harness({
      batch: true,
      listener: (values: string[]) => {
        batches.push(values);
        const bad = values.indexOf('bad');
        if (bad >= 0) {
          failures++;
          throw new BatchListenerFailedError('one bad record', bad, { cause: new RangeError('bad value') });
        }
      },
    });
    consumer.append('t', 0, ['a', 'b', 'bad', 'c']);
    await until(() => consumer.committed('t') === 4, 'the commit of everything');
    expect(batches[0]).toEqual(['a', 'b', 'bad', 'c']);
    expect(consumer.commits[0]).toEqual([{ topic: 't', partition: 0, offset: 2 }]);
    // Redelivered from the failed record: retried twice more, then recovered with its cause.
    expect(batches.slice(1)).toEqual([['bad', 'c'], ['bad', 'c'], ['c']]);
    expect(failures).toBe(3);
    expect(recovered.map((r) => [r.failed.record.value, r.error.name])).toEqual([['bad', 'RangeError']]);
  });

  it('retries a whole failed batch and recovers every record of it once the back-off is spent', async () => {
    let calls = 0;
    const { consumer, recovered } = await harness({
      batch: true,
      backOff: new FixedBackOff(0, 1),
      listener: () => {
        calls++;
        throw new Error('batch failed');
      },
    });
    consumer.append('t', 0, ['a', 'b']);
    await until(() => consumer.committed('t') === 2, 'the commit after recovery');
    expect(calls).toBe(2);
    expect(recovered.map((r) => r.failed.record.value)).toEqual(['a', 'b']);
  });

  it('MANUAL: commits through the highest acknowledged record at the end of the poll', async () => {
    const { consumer } = await harness({
      ackMode: 'MANUAL',
      parameters: [
        { index: 0, kind: 'payload' },
        { index: 1, kind: 'acknowledgment' },
      ],
      listener: (v: string, ack: Acknowledgment) => {
        if (v === 'b') ack.acknowledge();
      },
    });
    consumer.append('t', 0, ['a', 'b', 'c']);
    await until(() => consumer.commits.length > 0, 'a commit');
    expect(consumer.commits).toEqual([[{ topic: 't', partition: 0, offset: 2 }]]);
  });

  it('MANUAL_IMMEDIATE: commits while the listener still runs; a late acknowledgment is committed too', async () => {
    let late: Acknowledgment | undefined;
    let commitsSeenInListener = -1;
    const { consumer } = await harness({
      ackMode: 'MANUAL_IMMEDIATE',
      parameters: [
        { index: 0, kind: 'payload' },
        { index: 1, kind: 'acknowledgment' },
      ],
      listener: async (v: string, ack: Acknowledgment) => {
        if (v === 'a') {
          ack.acknowledge();
          await new Promise((resolve) => setTimeout(resolve, 10));
          commitsSeenInListener = consumer.commits.length;
        } else {
          late = ack;
        }
      },
    });
    consumer.append('t', 0, ['a', 'b']);
    await until(() => late !== undefined, 'record b');
    expect(commitsSeenInListener).toBe(1);
    expect(consumer.committed('t')).toBe(1);
    late!.acknowledge();
    await until(() => consumer.committed('t') === 2, 'the late acknowledgment');
  });

  it('nack(sleep) delivers the record again after the sleep, the consumer paused meanwhile', async () => {
    const deliveries: Array<[string, number]> = [];
    const { consumer } = await harness({
      ackMode: 'MANUAL',
      parameters: [
        { index: 0, kind: 'payload' },
        { index: 1, kind: 'acknowledgment' },
      ],
      listener: (v: string, ack: Acknowledgment) => {
        deliveries.push([v, Date.now()]);
        if (v === 'b' && deliveries.filter(([x]) => x === 'b').length === 1) ack.nack!(100);
        else ack.acknowledge();
      },
    });
    consumer.append('t', 0, ['a', 'b', 'c']);
    await until(() => consumer.committed('t') === 3, 'everything committed');
    expect(deliveries.map(([v]) => v)).toEqual(['a', 'b', 'b', 'c']);
    expect(deliveries[2][1] - deliveries[1][1]).toBeGreaterThanOrEqual(95);
    expect(consumer.commits[0]).toEqual([{ topic: 't', partition: 0, offset: 1 }]);
  });

  it('commits what was processed before partitions are revoked', async () => {
    const seen: string[] = [];
    const { consumer } = await harness({ ackMode: 'TIME', listener: (v: string) => void seen.push(v) });
    consumer.append('t', 0, ['a', 'b']);
    await until(() => seen.length === 2, 'both records');
    // TIME (5 s) has not committed them yet; the revocation does.
    expect(consumer.commits).toEqual([]);
    consumer.revokeAtNextPoll([{ topic: 't', partition: 0 }]);
    await until(() => consumer.assignment().length === 0, 'the revocation');
    expect(consumer.commits).toEqual([[{ topic: 't', partition: 0, offset: 2 }]]);
  });

  it('on stop finishes the record in progress, commits it, seeks back over the rest and closes the consumer', async () => {
    let release: () => void = () => undefined;
    const seen: string[] = [];
    const { consumer, container } = await harness({
      listener: async (v: string) => {
        if (v === 'b') await new Promise<void>((resolve) => (release = resolve));
        seen.push(v);
      },
    });
    consumer.append('t', 0, ['a', 'b', 'c', 'd']);
    await until(() => seen.length === 1, 'record a');
    const stopping = container.stop();
    expect(container.isStopping()).toBe(true);
    release();
    await stopping;
    expect(seen).toEqual(['a', 'b']);
    expect(consumer.committed('t')).toBe(2);
    expect(consumer.position({ topic: 't', partition: 0 })).toBe(2);
    expect(consumer.closed).toBe(true);
    expect(container.isRunning()).toBe(false);
  });

  it('leaves commits to the consumer when enable.auto.commit was set', async () => {
    const seen: string[] = [];
    const { consumer } = await harness({ autoCommit: true, listener: (v: string) => void seen.push(v) });
    consumer.append('t', 0, ['a', 'b']);
    await until(() => seen.length === 2, 'both records');
    await until(() => consumer.polls.length > 3, 'more polls');
    expect(consumer.commits).toEqual([]);
  });

  it('pause() pauses every owned partition while polling on; resume() brings records back', async () => {
    const seen: string[] = [];
    const { consumer, container } = await harness({ partitions: 2, listener: (v: string) => void seen.push(v) });
    await until(() => consumer.assignment().length === 2, 'the assignment');
    container.pause();
    await until(() => container.isContainerPaused(), 'the pause');
    consumer.append('t', 0, ['a']);
    const pollsBefore = consumer.polls.length;
    await until(() => consumer.polls.length > pollsBefore + 3, 'polls while paused');
    expect(seen).toEqual([]);
    container.resume();
    await until(() => seen.length === 1, 'the record after resume');
    expect(container.isContainerPaused()).toBe(false);
  });
});
