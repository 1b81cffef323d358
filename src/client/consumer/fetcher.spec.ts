import { ApiKey, CompressionType, ErrorCode, encodeRecordBatch, encodeTransactionMarkerBatch, type RecordInput } from '../../protocol';
import { KafkaCluster } from '../cluster/kafka-cluster';
import { FakeBroker, type FakeRequest } from '../network/fake-broker.test-helpers';
import type { ConsumerRecord } from '../listener/types';
import { retryPolicy } from '../retry';
import { fieldDecoderFor, stringDeserializer } from './deserializers';
import { AssignedPartitions, type OffsetResetStrategy } from './assigned-partitions';
import { Fetcher, OffsetOutOfRangeError, PollSignal, RecordDeserializationError, type FetcherSettings } from './fetcher';

const TOPIC = 'orders';
const T0 = 1_700_000_000_000;

function records(first: number, count: number, extra: Partial<RecordInput> = {}): RecordInput[] {
  return Array.from({ length: count }, (_, i) => ({ key: Buffer.from(`k${first + i}`), value: Buffer.from(`v${first + i}`), timestamp: T0 + first + i, ...extra }));
}

interface PartitionAnswer {
  errorCode?: number;
  records?: Buffer | null;
  highWatermark?: number;
}

describe('Fetcher', () => {
  let broker: FakeBroker;
  let cluster: KafkaCluster;
  let assigned: AssignedPartitions;
  let signal: PollSignal;
  /** What the next Fetch answers, per partition. */
  let answers: Map<number, PartitionAnswer>;
  let fetches: FakeRequest[];
  /** Error codes the next ListOffsets answers carry, one per request, before it answers normally. */
  let listOffsetsErrors: number[];
  const tp0 = { topic: TOPIC, partition: 0 };
  const tp1 = { topic: TOPIC, partition: 1 };

  beforeEach(async () => {
    answers = new Map();
    fetches = [];
    listOffsetsErrors = [];
    broker = await FakeBroker.start((request) => {
      switch (request.apiKey) {
        case ApiKey.Metadata:
          return {
            brokers: [{ nodeId: 0, host: '127.0.0.1', port: broker.port, rack: null }],
            clusterId: 'fake',
            controllerId: 0,
            topics: [
              {
                errorCode: 0,
                name: TOPIC,
                topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
                isInternal: false,
                partitions: [0, 1].map((p) => ({ errorCode: 0, partitionIndex: p, leaderId: 0, leaderEpoch: 3, replicaNodes: [0], isrNodes: [0], offlineReplicas: [] })),
              },
            ],
          };
        case ApiKey.Fetch:
          fetches.push(request);
          return fetchAnswer(request);
        case ApiKey.ListOffsets: {
          const errorCode = listOffsetsErrors.shift() ?? 0;
          return {
            topics: request.body.topics.map((t: any) => ({
              name: t.name,
              partitions: t.partitions.map((p: any) =>
                errorCode !== 0
                  ? { partitionIndex: p.partitionIndex, errorCode, timestamp: -1, offset: -1, leaderEpoch: -1 }
                  : { partitionIndex: p.partitionIndex, errorCode: 0, timestamp: -1, offset: p.timestamp === -2 ? 7 : 42, leaderEpoch: 3 },
              ),
            })),
          };
        }
        default:
          return undefined;
      }
    });
    cluster = new KafkaCluster({ bootstrapServers: [broker.address], retry: { backoffMs: 5, maxBackoffMs: 20 } });
    await cluster.ensureTopics([TOPIC]);
    assigned = new AssignedPartitions();
    signal = new PollSignal();
  });

  afterEach(async () => {
    cluster.close();
    await broker.close();
  });

  function fetchAnswer(request: FakeRequest) {
    return {
      responses: request.body.topics.map((t: any) => ({
        topic: t.topic,
        partitions: t.partitions.map((p: any) => {
          const answer = answers.get(p.partition) ?? {};
          return {
            partitionIndex: p.partition,
            errorCode: answer.errorCode ?? 0,
            highWatermark: answer.highWatermark ?? 100,
            lastStableOffset: 100,
            logStartOffset: 0,
            abortedTransactions: null,
            preferredReadReplica: -1,
            records: answer.records ?? null,
          };
        }),
      })),
    };
  }

  function fetcher(
    maxRecords = 500,
    reset: OffsetResetStrategy | null = 'earliest',
    overrides: Partial<FetcherSettings<string | null, string | null>> = {},
  ): { fetcher: Fetcher<string | null, string | null>; maxRecords: number } {
    const f = new Fetcher<string | null, string | null>(
      cluster,
      assigned,
      {
        key: fieldDecoderFor(stringDeserializer),
        value: fieldDecoderFor(stringDeserializer),
        checkCrcs: true,
        minBytes: 1,
        maxBytes: 1 << 20,
        maxWaitMs: 10,
        partitionMaxBytes: 1 << 16,
        requestTimeoutMs: 1000,
        retry: retryPolicy({ backoffMs: 5, maxBackoffMs: 20 }),
        rackId: null,
        ...overrides,
      },
      signal,
      reset,
    );
    return { fetcher: f, maxRecords };
  }

  /** Sends fetches and waits until every one has been answered. */
  async function fetchRound(f: Fetcher<any, any>): Promise<void> {
    expect(f.sendFetches()).toBeGreaterThan(0);
    while (f.inFlightCount > 0) await signal.wait(1000);
  }

  it('decodes batches lazily: skips what precedes the position and control batches, and resumes mid-batch', async () => {
    const bytes = Buffer.concat([
      encodeRecordBatch(records(0, 5), { baseOffset: 0, partitionLeaderEpoch: 3 }),
      encodeRecordBatch(records(5, 5, { headers: [{ key: 'h', value: Buffer.from('x') }] }), { baseOffset: 5, compression: CompressionType.Gzip, partitionLeaderEpoch: 3 }),
      encodeTransactionMarkerBatch({ commit: true, coordinatorEpoch: 0, producerId: 9, producerEpoch: 0 }, { baseOffset: 10 }),
      encodeRecordBatch(records(11, 2), { baseOffset: 11, logAppendTime: true, maxTimestamp: T0 + 999, partitionLeaderEpoch: 4 }),
    ]);
    answers.set(0, { records: bytes });
    assigned.set([tp0]);
    assigned.seek(tp0, 3);
    const { fetcher: f } = fetcher();
    await fetchRound(f);
    expect(fetches[0].body.topics[0].partitions[0]).toMatchObject({ partition: 0, fetchOffset: 3, partitionMaxBytes: 1 << 16 });

    const first = f.collect(4);
    expect(first.map((r) => r.offset)).toEqual([3, 4, 5, 6]);
    expect(assigned.get(tp0)!.position).toBe(7);
    // Records still buffered: the next fetch starts where they end, not at the position.
    await fetchRound(f);
    expect(fetches[1].body.topics[0].partitions[0]).toMatchObject({ partition: 0, fetchOffset: 13 });
    const rest = f.collect(10);
    expect(rest.map((r) => r.offset)).toEqual([7, 8, 9, 11, 12]);
    expect(assigned.get(tp0)!.position).toBe(13);
    expect(rest[0]).toEqual<ConsumerRecord<string | null, string | null>>({
      topic: TOPIC,
      partition: 0,
      offset: 7,
      timestamp: T0 + 7,
      timestampType: 'CreateTime',
      key: 'k7',
      value: 'v7',
      headers: [{ key: 'h', value: Buffer.from('x') }],
      leaderEpoch: 3,
    });
    expect(rest[3]).toMatchObject({ offset: 11, timestamp: T0 + 999, timestampType: 'LogAppendTime', leaderEpoch: 4, headers: [] });
    expect(assigned.consumed()).toEqual([{ ...tp0, offset: 13, leaderEpoch: 4 }]);
    expect(f.collect(10)).toEqual([]);
  });

  it('sends one Fetch per broker while it is not known whether records are there, and keeps a paused partition buffered until it resumes', async () => {
    answers.set(0, { records: encodeRecordBatch(records(0, 3), { baseOffset: 0 }) });
    answers.set(1, { records: encodeRecordBatch(records(0, 2), { baseOffset: 0 }) });
    assigned.set([tp0, tp1]);
    assigned.seek(tp0, 0);
    assigned.seek(tp1, 0);
    const { fetcher: f } = fetcher();
    expect(f.sendFetches()).toBe(1);
    expect(f.sendFetches()).toBe(0);
    while (f.inFlightCount > 0) await signal.wait(1000);
    expect(fetches).toHaveLength(1);
    expect(fetches[0].body.topics[0].partitions.map((p: any) => p.partition)).toEqual([0, 1]);

    assigned.get(tp1)!.paused = true;
    expect(f.collect(10).map((r) => `${r.partition}@${r.offset}`)).toEqual(['0@0', '0@1', '0@2']);
    expect(f.hasAvailableRecords()).toBe(false);
    assigned.get(tp1)!.paused = false;
    expect(f.hasAvailableRecords()).toBe(true);
    expect(f.collect(10).map((r) => `${r.partition}@${r.offset}`)).toEqual(['1@0', '1@1']);
  });

  it('fetches a partition ahead of the records it has buffered, and returns what came after them', async () => {
    answers.set(0, { records: encodeRecordBatch(records(0, 5), { baseOffset: 0 }) });
    assigned.set([tp0]);
    assigned.seek(tp0, 0);
    const { fetcher: f } = fetcher();
    await fetchRound(f);
    answers.set(0, { records: encodeRecordBatch(records(5, 5), { baseOffset: 5 }) });
    expect(f.collect(2).map((r) => r.offset)).toEqual([0, 1]);
    await fetchRound(f);
    expect(fetches[1].body.topics[0].partitions[0].fetchOffset).toBe(5);
    // One response buffered and one fetched ahead: nothing more until the application catches up.
    expect(f.sendFetches()).toBe(0);
    expect(f.collect(10).map((r) => r.offset)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(assigned.get(tp0)!.position).toBe(10);
    expect(f.sendFetches()).toBe(1);
  });

  it('keeps several Fetches to a broker in flight while each is answered at once', async () => {
    answers.set(0, { records: encodeRecordBatch(records(0, 3), { baseOffset: 0 }) });
    answers.set(1, { records: encodeRecordBatch(records(0, 3), { baseOffset: 0 }) });
    assigned.set([tp0, tp1]);
    assigned.seek(tp0, 0);
    assigned.seek(tp1, 0);
    const { fetcher: f } = fetcher();
    await fetchRound(f);
    assigned.get(tp1)!.paused = true;
    expect(f.collect(10).map((r) => `${r.partition}@${r.offset}`)).toEqual(['0@0', '0@1', '0@2']);
    expect(f.sendFetches()).toBe(1);
    assigned.get(tp1)!.paused = false;
    // The broker has records past both fetch offsets (high watermark 100), so the second request does not wait behind the first.
    expect(f.sendFetches()).toBe(1);
    expect(f.inFlightCount).toBe(2);
    while (f.inFlightCount > 0) await signal.wait(1000);
    expect(fetches.slice(1).map((r) => r.body.topics[0].partitions.map((p: any) => `${p.partition}@${p.fetchOffset}`))).toEqual([['0@3'], ['1@3']]);
  });

  it('holds back a Fetch that may wait at the broker while another partition of it is still catching up', async () => {
    answers.set(0, { records: encodeRecordBatch(records(0, 3), { baseOffset: 0 }), highWatermark: 100 });
    answers.set(1, { records: encodeRecordBatch(records(0, 2), { baseOffset: 0 }), highWatermark: 2 });
    assigned.set([tp0, tp1]);
    assigned.seek(tp0, 0);
    assigned.seek(tp1, 0);
    const { fetcher: f } = fetcher();
    await fetchRound(f);
    assigned.get(tp0)!.paused = true;
    expect(f.collect(10).map((r) => `${r.partition}@${r.offset}`)).toEqual(['1@0', '1@1']);
    assigned.get(tp0)!.paused = false;
    answers.set(0, { records: encodeRecordBatch(records(3, 3), { baseOffset: 3 }), highWatermark: 100 });
    answers.set(1, { records: null, highWatermark: 2 });
    await fetchRound(f);
    // Partition 1 is caught up: alone, its Fetch could wait fetch.max.wait.ms and hold up partition 0's next one.
    expect(f.sendFetches()).toBe(0);
    expect(f.collect(10).map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(f.sendFetches()).toBe(1);
    while (f.inFlightCount > 0) await signal.wait(1000);
    expect(fetches[2].body.topics[0].partitions.map((p: any) => `${p.partition}@${p.fetchOffset}`)).toEqual(['0@6', '1@2']);
  });

  it('stops fetching ahead once the records held reach fetch.max.bytes', async () => {
    const batch = encodeRecordBatch(records(0, 5), { baseOffset: 0 });
    answers.set(0, { records: batch });
    assigned.set([tp0]);
    assigned.seek(tp0, 0);
    const { fetcher: f } = fetcher(500, 'earliest', { maxBytes: batch.length });
    await fetchRound(f);
    expect(f.collect(2)).toHaveLength(2);
    expect(f.sendFetches()).toBe(0);
    expect(f.collect(10)).toHaveLength(3);
    expect(f.sendFetches()).toBe(1);
  });

  it('drops a response fetched ahead when the application seeks', async () => {
    answers.set(0, { records: encodeRecordBatch(records(0, 5), { baseOffset: 0 }) });
    assigned.set([tp0]);
    assigned.seek(tp0, 0);
    const { fetcher: f } = fetcher();
    await fetchRound(f);
    answers.set(0, { records: encodeRecordBatch(records(5, 5), { baseOffset: 5 }) });
    await fetchRound(f);
    assigned.seek(tp0, 1);
    expect(f.collect(10)).toEqual([]);
    answers.set(0, { records: encodeRecordBatch(records(0, 5), { baseOffset: 0 }) });
    await fetchRound(f);
    expect(fetches[2].body.topics[0].partitions[0].fetchOffset).toBe(1);
    expect(f.collect(10).map((r) => r.offset)).toEqual([1, 2, 3, 4]);
  });

  it('drops what was buffered for a partition that was sought meanwhile', async () => {
    answers.set(0, { records: encodeRecordBatch(records(0, 5), { baseOffset: 0 }) });
    assigned.set([tp0]);
    assigned.seek(tp0, 0);
    const { fetcher: f } = fetcher();
    await fetchRound(f);
    assigned.seek(tp0, 2);
    expect(f.collect(10)).toEqual([]);
    await fetchRound(f);
    expect(fetches[1].body.topics[0].partitions[0].fetchOffset).toBe(2);
    expect(f.collect(10).map((r) => r.offset)).toEqual([2, 3, 4]);
  });

  it('resets on OFFSET_OUT_OF_RANGE by auto.offset.reset, and reports it without one', async () => {
    answers.set(0, { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE });
    assigned.set([tp0]);
    assigned.seek(tp0, 500);
    const withReset = fetcher(500, 'latest').fetcher;
    await fetchRound(withReset);
    expect(assigned.get(tp0)!.pendingReset).toBe('latest');
    expect(assigned.hasResetsDue()).toBe(true);
    await withReset.resetPositions();
    expect(assigned.get(tp0)).toMatchObject({ position: 42, pendingReset: null, positionLeaderEpoch: 3 });

    assigned.seek(tp0, 500);
    const without = fetcher(500, null).fetcher;
    await fetchRound(without);
    expect(() => without.collect(10)).toThrow(OffsetOutOfRangeError);
    expect(assigned.get(tp0)!.position).toBe(500);
  });

  it('retries ListOffsets answered OFFSET_NOT_AVAILABLE (a new leader whose high watermark still lags) until it answers', async () => {
    listOffsetsErrors = [ErrorCode.OFFSET_NOT_AVAILABLE, ErrorCode.OFFSET_NOT_AVAILABLE];
    const { fetcher: f } = fetcher();
    const found = await f.listOffsets([{ ...tp0, timestamp: -1 }], Date.now() + 5_000);
    expect([...found.values()]).toEqual([{ offset: 42, timestamp: -1, leaderEpoch: 3 }]);
    expect(broker.requestsOf(ApiKey.ListOffsets)).toHaveLength(3);

    // A reset (auto.offset.reset=latest) stays pending over the error and completes on the retry.
    listOffsetsErrors = [ErrorCode.OFFSET_NOT_AVAILABLE];
    assigned.set([tp1]);
    assigned.requestReset(tp1, 'latest');
    await f.resetPositions();
    expect(assigned.get(tp1)).toMatchObject({ pendingReset: 'latest' });
    await until(() => Date.now() >= assigned.get(tp1)!.retryAt);
    await f.resetPositions();
    expect(assigned.get(tp1)).toMatchObject({ pendingReset: null, position: 42, positionLeaderEpoch: 3 });
  });

  it('asks for new metadata after NOT_LEADER_OR_FOLLOWER and retries the partition after the back-off', async () => {
    answers.set(0, { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER });
    assigned.set([tp0]);
    assigned.seek(tp0, 0);
    const { fetcher: f } = fetcher();
    const metadataBefore = broker.requestsOf(ApiKey.Metadata).length;
    await fetchRound(f);
    expect(f.sendFetches()).toBe(0);
    answers.set(0, { records: encodeRecordBatch(records(0, 1), { baseOffset: 0 }) });
    await until(() => f.sendFetches() > 0);
    while (f.inFlightCount > 0) await signal.wait(1000);
    expect(f.collect(10).map((r) => r.value)).toEqual(['v0']);
    // The refresh waits retry.backoff.ms after the previous one, as the partition does: either may reach the broker first.
    await until(() => broker.requestsOf(ApiKey.Metadata).length > metadataBefore);
  });

  it('returns the records before a corrupt batch, then fails at its offset until the application seeks past it', async () => {
    const corrupt = encodeRecordBatch(records(2, 2), { baseOffset: 2 });
    corrupt[corrupt.length - 1] ^= 0xff;
    answers.set(0, { records: Buffer.concat([encodeRecordBatch(records(0, 2), { baseOffset: 0 }), corrupt]) });
    assigned.set([tp0]);
    assigned.seek(tp0, 0);
    const { fetcher: f } = fetcher();
    await fetchRound(f);
    expect(f.collect(10).map((r) => r.offset)).toEqual([0, 1]);
    let error: unknown;
    try {
      f.collect(10);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RecordDeserializationError);
    expect(error).toMatchObject({ topic: TOPIC, partition: 0, offset: 2 });
    expect(assigned.get(tp0)!.position).toBe(2);
  });

  it('reports a deserializer failure with the record it failed on', async () => {
    answers.set(0, { records: encodeRecordBatch(records(0, 3), { baseOffset: 0 }) });
    assigned.set([tp0]);
    assigned.seek(tp0, 0);
    const f = new Fetcher<string | null, string>(
      cluster,
      assigned,
      {
        key: fieldDecoderFor(stringDeserializer),
        value: fieldDecoderFor<string>((data) => {
          if (data!.toString() === 'v1') throw new Error('bad value');
          return data!.toString();
        }),
        checkCrcs: true,
        minBytes: 1,
        maxBytes: 1 << 20,
        maxWaitMs: 10,
        partitionMaxBytes: 1 << 16,
        requestTimeoutMs: 1000,
        retry: retryPolicy({ backoffMs: 5 }),
        rackId: null,
      },
      signal,
      'earliest',
    );
    await fetchRound(f);
    expect(f.collect(10).map((r) => r.value)).toEqual(['v0']);
    expect(() => f.collect(10)).toThrow(/offset 1 of orders-0.*bad value/);
    assigned.seek(tp0, 2);
    await fetchRound(f);
    expect(f.collect(10).map((r) => r.value)).toEqual(['v2']);
  });
});

/** Polls `condition` every few milliseconds for up to a second. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 1000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 1 s');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
