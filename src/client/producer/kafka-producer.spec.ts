import { ApiKey, ErrorCode, RecordBatchView } from '../../protocol';
import { KafkaClientError, KafkaTimeoutError } from '../errors';
import { FakeBroker, type FakeRequest } from '../network/fake-broker.test-helpers';
import { Logger } from '@nestjs/common';
import { KafkaProducer, type RecordCompletion, type SendCallback } from './kafka-producer';
import type { ProducerOptions } from './producer-options';

interface SeenBatch {
  broker: number;
  topic: string;
  partition: number;
  producerId: number;
  baseSequence: number;
  count: number;
  values: string[];
}

/**
 * Fake brokers that share one "log" per partition: a Produce appends, answers with the
 * base offset, and `decide` may answer an error (or nothing) for a batch instead.
 */
class FakeCluster {
  readonly brokers: FakeBroker[] = [];
  readonly seen: SeenBatch[] = [];
  readonly logEnd = new Map<string, number>();
  leaders: Record<string, number[]> = {};
  decide: (batch: SeenBatch, request: FakeRequest) => number | 'hold' | 'drop' | undefined = () => undefined;
  held: Array<() => void> = [];
  metadataCalls = 0;
  /** InitProducerId error codes to answer with, one per request, before succeeding. */
  initErrors: number[] = [];

  async start(count: number): Promise<this> {
    for (let i = 0; i < count; i++) this.brokers.push(await FakeBroker.start((request) => this.handle(i, request)));
    return this;
  }

  get bootstrap(): string[] {
    return this.brokers.map((b) => b.address);
  }

  releaseHeld(): void {
    for (const release of this.held.splice(0)) release();
  }

  async close(): Promise<void> {
    for (const b of this.brokers) await b.close();
  }

  private handle(brokerIndex: number, request: FakeRequest): unknown {
    const broker = this.brokers[brokerIndex];
    switch (request.apiKey) {
      case ApiKey.Metadata:
        this.metadataCalls++;
        return this.metadata(request);
      case ApiKey.InitProducerId: {
        const errorCode = this.initErrors.shift() ?? 0;
        return { throttleTimeMs: 0, errorCode, producerId: errorCode ? -1 : 4000 + broker.requestsOf(ApiKey.InitProducerId).length, producerEpoch: errorCode ? -1 : 0 };
      }
      case ApiKey.Produce:
        return this.produce(brokerIndex, request);
      default:
        return undefined;
    }
  }

  private metadata(request: FakeRequest) {
    const asked: string[] = request.body.topics === null ? Object.keys(this.leaders) : request.body.topics.map((t: { name: string }) => t.name);
    return {
      throttleTimeMs: 0,
      brokers: this.brokers.map((b, nodeId) => ({ nodeId, host: '127.0.0.1', port: b.port, rack: null })),
      clusterId: 'fake',
      controllerId: 0,
      topics: asked.map((name) => ({
        errorCode: this.leaders[name] ? 0 : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        name,
        topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
        isInternal: false,
        partitions: (this.leaders[name] ?? []).map((leaderId, partitionIndex) => ({
          errorCode: 0,
          partitionIndex,
          leaderId,
          leaderEpoch: 0,
          replicaNodes: [leaderId],
          isrNodes: [leaderId],
          offlineReplicas: [],
        })),
        topicAuthorizedOperations: -2147483648,
      })),
      clusterAuthorizedOperations: -2147483648,
    };
  }

  private produce(brokerIndex: number, request: FakeRequest): unknown {
    const responses = [];
    let hold = false;
    for (const topic of request.body.topicData) {
      const partitionResponses = [];
      for (const p of topic.partitionData) {
        const view = new RecordBatchView(p.records);
        view.validate();
        const batch: SeenBatch = {
          broker: brokerIndex,
          topic: topic.name,
          partition: p.index,
          producerId: view.producerId,
          baseSequence: view.baseSequence,
          count: view.recordCount,
          values: [...view.records()].map((r) => r.value?.toString() ?? ''),
        };
        this.seen.push(batch);
        const verdict = this.decide(batch, request);
        if (verdict === 'drop') {
          request.socket.destroy();
          return undefined;
        }
        if (verdict === 'hold') hold = true;
        const errorCode = typeof verdict === 'number' ? verdict : 0;
        const key = `${topic.name}-${p.index}`;
        const baseOffset = errorCode === 0 ? (this.logEnd.get(key) ?? 0) : -1;
        if (errorCode === 0) this.logEnd.set(key, baseOffset + batch.count);
        partitionResponses.push({ index: p.index, errorCode, baseOffset, logAppendTimeMs: -1, logStartOffset: 0, recordErrors: [], errorMessage: null, currentLeader: { leaderId: -1, leaderEpoch: -1 } });
      }
      responses.push({ name: topic.name, partitionResponses });
    }
    if (request.body.acks === 0) return undefined;
    const body = { responses, throttleTimeMs: 0, nodeEndpoints: [] };
    if (hold) {
      this.held.push(() => this.brokers[brokerIndex].reply(request, body));
      return undefined;
    }
    return body;
  }
}

describe('KafkaProducer (against fake brokers)', () => {
  let cluster: FakeCluster;
  const producers: KafkaProducer<any, any>[] = [];

  function producer(options: Partial<ProducerOptions<string, string>> = {}): KafkaProducer<string, string> {
    const p = new KafkaProducer<string, string>({ bootstrapServers: cluster.bootstrap, lingerMs: 0, retryBackoffMs: 5, retryBackoffMaxMs: 20, ...options });
    producers.push(p);
    return p;
  }

  beforeEach(async () => {
    cluster = await new FakeCluster().start(2);
    cluster.leaders = { t: [0, 1] };
  });

  afterEach(async () => {
    for (const p of producers.splice(0)) await p.close(0);
    await cluster.close();
  });

  it('sends each partition to its leader and resolves offsets in order', async () => {
    const p = producer();
    const results = await Promise.all([0, 1, 0, 1].map((partition, i) => p.send({ topic: 't', partition, value: `v${i}` })));
    expect(results.map((r) => [r.partition, r.offset])).toEqual([
      [0, 0],
      [1, 0],
      [0, 1],
      [1, 1],
    ]);
    expect(cluster.seen.every((b) => b.broker === b.partition)).toBe(true);
    expect(results[0].timestamp).toBeGreaterThan(0);
  });

  it('numbers batches per partition for idempotence and keeps the numbers on a retry after a lost connection', async () => {
    let dropped = false;
    cluster.decide = (batch) => {
      if (batch.partition === 0 && batch.baseSequence === 3 && !dropped) {
        dropped = true;
        return 'drop';
      }
      return undefined;
    };
    const p = producer();
    for (let round = 0; round < 3; round++) {
      await Promise.all([0, 1, 2].map((i) => p.send({ topic: 't', partition: 0, value: `r${round}-${i}` })));
    }
    const partition0 = cluster.seen.filter((b) => b.partition === 0);
    expect(partition0.map((b) => [b.baseSequence, b.count])).toEqual([
      [0, 3],
      [3, 3],
      [3, 3],
      [6, 3],
    ]);
    expect(new Set(partition0.map((b) => b.producerId))).toEqual(new Set([p.metrics().producerId]));
    expect(p.metrics().producerId).toBeGreaterThanOrEqual(4000);
  });

  it('refreshes metadata on NOT_LEADER_OR_FOLLOWER and retries at the new leader', async () => {
    cluster.decide = (batch) => (batch.broker === 0 ? ErrorCode.NOT_LEADER_OR_FOLLOWER : undefined);
    const p = producer();
    await p.connect();
    const sending = p.send({ topic: 't', partition: 0, value: 'moved' });
    await new Promise((resolve) => setTimeout(resolve, 30));
    cluster.leaders = { t: [1, 1] };
    const result = await sending;
    expect(result.partition).toBe(0);
    expect(cluster.seen.at(-1)!.broker).toBe(1);
    expect(cluster.seen.filter((b) => b.broker === 0).length).toBeGreaterThanOrEqual(1);
  });

  it('retries a batch rejected as out of order behind an earlier retried one, keeping the order', async () => {
    let first = true;
    cluster.decide = (batch) => {
      if (batch.partition !== 0) return undefined;
      if (first && batch.baseSequence === 0) {
        first = false;
        return ErrorCode.NOT_ENOUGH_REPLICAS;
      }
      const written = cluster.logEnd.get('t-0') ?? 0;
      return batch.baseSequence !== written ? ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER : undefined;
    };
    const p = producer({ batchSize: 100 });
    // Records of ~60 bytes: one per batch, so several batches are in flight at once.
    const sends = Array.from({ length: 6 }, (_, i) => p.send({ topic: 't', partition: 0, value: `${i}`.padEnd(60, '.') }));
    const results = await Promise.all(sends);
    expect(results.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(cluster.seen.some((b) => b.count === 1 && b.baseSequence > 0)).toBe(true);
  });

  it('fails records refused for good, and gives their sequence numbers to the next batch', async () => {
    cluster.decide = (batch) => (batch.values[0] === 'poison' ? ErrorCode.INVALID_RECORD : undefined);
    const p = producer();
    const err = await p.send({ topic: 't', partition: 0, value: 'poison' }).catch((e) => e);
    expect(err).toBeInstanceOf(KafkaClientError);
    expect(err.code).toBe(ErrorCode.INVALID_RECORD);
    const ok = await p.send({ topic: 't', partition: 0, value: 'fine' });
    expect(ok.offset).toBe(0);
    expect(cluster.seen.map((b) => b.baseSequence)).toEqual([0, 0]);
  });

  it('retries InitProducerId while the broker cannot serve it, and fails sends when it is refused for good', async () => {
    cluster.initErrors = [ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS];
    const p = producer();
    expect((await p.send({ topic: 't', partition: 0, value: 'a' })).offset).toBe(0);
    expect(cluster.brokers.flatMap((b) => b.requestsOf(ApiKey.InitProducerId))).toHaveLength(3);

    cluster.initErrors = [ErrorCode.CLUSTER_AUTHORIZATION_FAILED];
    const refused = producer();
    const err = await refused.send({ topic: 't', partition: 0, value: 'b' }).catch((e) => e);
    expect(err).toMatchObject({ code: ErrorCode.CLUSTER_AUTHORIZATION_FAILED });
    await expect(refused.send({ topic: 't', partition: 1, value: 'c' })).rejects.toMatchObject({ code: ErrorCode.CLUSTER_AUTHORIZATION_FAILED });
  });

  it('with acks=0 resolves once written, offset -1, without idempotence', async () => {
    const p = producer({ acks: 0 });
    const result = await p.send({ topic: 't', partition: 1, value: 'fire' });
    expect(result.offset).toBe(-1);
    expect(cluster.brokers.flatMap((b) => b.requestsOf(ApiKey.InitProducerId))).toHaveLength(0);
    // Resolved when written: the broker reads it a moment later.
    while (cluster.seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(cluster.seen[0].producerId).toBe(-1);
    expect(p.options.idempotent).toBe(false);
  });

  it('makes send() wait while buffer.memory is used up and fails it after max.block.ms', async () => {
    cluster.decide = () => 'hold';
    const p = producer({ batchSize: 1024, bufferMemory: 2048, maxBlockMs: 100 });
    const value = 'x'.repeat(900);
    const first = [p.send({ topic: 't', partition: 0, value }), p.send({ topic: 't', partition: 1, value })];
    const third = p.send({ topic: 't', partition: 0, value });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(p.metrics().waitingSends).toBe(1);
    expect(p.metrics().bufferAvailableBytes).toBe(0);
    expect(await third.catch((e) => e)).toBeInstanceOf(KafkaTimeoutError);
    const fourth = p.send({ topic: 't', partition: 1, value });
    await new Promise((resolve) => setTimeout(resolve, 20));
    cluster.decide = () => undefined;
    cluster.releaseHeld();
    expect((await Promise.all(first)).map((r) => r.offset)).toEqual([0, 0]);
    expect((await fourth).offset).toBe(1);
  });

  it('waits for a topic to appear, up to max.block.ms', async () => {
    const p = producer({ maxBlockMs: 150 });
    const late = p.send({ topic: 'later', value: 'x' });
    setTimeout(() => (cluster.leaders = { ...cluster.leaders, later: [1] }), 40);
    expect((await late).partition).toBe(0);
    const err = await p.send({ topic: 'never', value: 'x' }).catch((e) => e);
    expect(err).toBeInstanceOf(KafkaTimeoutError);
    expect(err.message).toMatch(/Topic never not present in metadata after 150 ms/);
  });

  it('fails a batch that cannot be delivered within delivery.timeout.ms', async () => {
    cluster.decide = () => ErrorCode.NOT_ENOUGH_REPLICAS;
    const p = producer({ requestTimeoutMs: 100, deliveryTimeoutMs: 200 });
    const started = Date.now();
    const err = await p.send({ topic: 't', partition: 0, value: 'x' }).catch((e) => e);
    expect(err).toBeInstanceOf(KafkaClientError);
    expect([ErrorCode.NOT_ENOUGH_REPLICAS, ErrorCode.REQUEST_TIMED_OUT]).toContain(err.code);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(cluster.seen.length).toBeGreaterThan(1);
  });

  it('flush() sends a lingering batch at once, close() delivers what is buffered', async () => {
    const p = producer({ lingerMs: 60_000 });
    await p.connect();
    const pending = p.send({ topic: 't', partition: 0, value: 'a' });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(cluster.seen).toHaveLength(0);
    await p.flush();
    expect((await pending).offset).toBe(0);
    const last = p.send({ topic: 't', partition: 1, value: 'b' });
    await p.close();
    expect((await last).offset).toBe(0);
    await expect(p.send({ topic: 't', value: 'late' })).rejects.toThrow(/closed/);
  });

  it('rejects a record larger than max.request.size or with a partition the topic does not have', async () => {
    const p = producer({ maxRequestSize: 1000 });
    await expect(p.send({ topic: 't', value: 'x'.repeat(2000) })).rejects.toMatchObject({ code: ErrorCode.MESSAGE_TOO_LARGE });
    await expect(p.send({ topic: 't', partition: 5, value: 'x' })).rejects.toThrow(/not in the range \[0\.\.\.2\)/);
  });

  it('serializes keys and values as configured, and writes headers', async () => {
    const p = new KafkaProducer<number, { n: number }>({ bootstrapServers: cluster.bootstrap, lingerMs: 0, keySerializer: (n) => Buffer.from([n]), valueSerializer: 'json' });
    producers.push(p);
    await p.send({ topic: 't', key: 7, value: { n: 1 }, headers: { trace: 'abc', multi: ['1', '2'], bytes: Buffer.from([0]) } });
    expect(cluster.seen[0].values).toEqual(['{"n":1}']);
  });

  it('send(record, callback) delivers each outcome to the callback without a promise', async () => {
    const p = producer();
    const outcomes: Array<[string | null, number | null]> = [];
    const all = new Promise<void>((resolve) => {
      const callback: SendCallback = (error, metadata) => {
        outcomes.push([error?.message ?? null, metadata?.offset ?? null]);
        if (outcomes.length === 4) resolve();
      };
      for (const value of ['a', 'b', 'c']) expect(p.send({ topic: 't', partition: 1, value }, callback)).toBeUndefined();
      p.send({ topic: 't', partition: 9, value: 'nowhere' }, callback);
    });
    await all;
    expect(outcomes).toEqual([
      [expect.stringMatching(/not in the range/), null],
      [null, 0],
      [null, 1],
      [null, 2],
    ]);
  });

  it('never calls a callback inside send(), also when the record is refused at once', async () => {
    const p = producer();
    await p.close();
    let called = false;
    let returned = false;
    let returnedFirst = false;
    const error = await new Promise<Error | null>((resolve) => {
      p.send({ topic: 't', value: 'late' }, (err) => {
        called = true;
        returnedFirst = returned;
        resolve(err);
      });
      returned = true;
    });
    expect([called, returnedFirst]).toEqual([true, true]);
    expect(error?.message).toMatch(/closed/);
  });

  it('hands a RecordCompletion the metadata fields, and keeps completing records when a callback throws', async () => {
    const p = producer();
    const acknowledged: unknown[] = [];
    const completion: RecordCompletion = { onAcknowledged: (...fields) => acknowledged.push(fields), onFailed: (err) => acknowledged.push(err) };
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      p.send({ topic: 't', partition: 0, value: 'first' }, () => {
        throw new Error('careless callback');
      });
      p.sendSerialized('t', 0, 1234, null, Buffer.from('second'), undefined, completion);
      await p.flush();
      expect(acknowledged).toEqual([['t', 0, 1, 1234]]);
      expect(logged).toHaveBeenCalledWith(expect.stringContaining("topic-partition 't-0'"), expect.stringContaining('careless callback'));
    } finally {
      logged.mockRestore();
    }
  });
});
