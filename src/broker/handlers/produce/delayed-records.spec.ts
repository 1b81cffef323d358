import { BrokerConfig } from '../../../config/broker.config';
import type { DelayCluster, ProduceResult } from '../../../coordinator/delay/delay-cluster';
import type { DelayService } from '../../../coordinator/delay/delay.service';
import { ErrorCode } from '../../../protocol/errors/error-codes';
import { encodeRecordBatch, type RecordInput } from '../../../protocol/record-batch/record-batch-encoder';
import { RecordBatchSplitter } from '../../../protocol/record-batch/record-batch-splitter';
import { createDataPath, FakeMetadataView, type DataPathFixture } from '../../replica/replica-manager.test-helpers';
import { DelayedRecords } from './delayed-records';

const PRODUCER = { producerId: 42, producerEpoch: 0 };
const held = (value: string): RecordInput => ({ key: Buffer.from('k'), value: Buffer.from(value), headers: [{ key: 'x-delay-level', value: Buffer.from('1') }] });
const plain = (value: string): RecordInput => ({ key: Buffer.from('k'), value: Buffer.from(value), headers: [] });
const idempotent = (records: RecordInput[], baseSequence: number): Buffer => encodeRecordBatch(records, { ...PRODUCER, baseSequence, baseTimestamp: 1_700_000_000_000 });

/** A broker's Produce path for delayed records over its own replicas; `queued` counts what reached the delay queues. */
function delayPath(fx: DataPathFixture, cluster: DelayCluster, beforeQueued: () => void = () => undefined): { path: DelayedRecords; queued: RecordInput[] } {
  const queued: RecordInput[] = [];
  const delays = {
    levelsMs: [1000],
    enqueue: (byQueue: ReadonlyMap<number, RecordInput[]>): Promise<ProduceResult> => {
      for (const records of byQueue.values()) queued.push(...records);
      beforeQueued();
      return Promise.resolve({ errorCode: ErrorCode.NONE, baseOffset: 0 });
    },
  } as unknown as DelayService;
  return { path: new DelayedRecords(new BrokerConfig(), fx.replicas, delays, cluster), queued };
}

/** Every batch of t-0, as a consumer fetches them. */
async function partitionBytes(fx: DataPathFixture): Promise<Buffer> {
  const [data] = await fx.replicas.fetch({
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    partitions: [{ topic: 't', partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1 }],
  });
  return data.records;
}

/** Batches in a partition's log: [base offset, last offset, control, values]. */
async function logOf(fx: DataPathFixture): Promise<Array<[number, number, boolean, string[]]>> {
  const split = new RecordBatchSplitter(await partitionBytes(fx));
  const batches: Array<[number, number, boolean, string[]]> = [];
  while (split.next()) {
    const v = split.view;
    batches.push([v.baseOffset, v.lastOffset, v.isControl, v.isControl ? [] : [...v.records()].map((r) => r.value!.toString())]);
  }
  return batches;
}

async function offsetsOf(fx: DataPathFixture): Promise<number[]> {
  const split = new RecordBatchSplitter(await partitionBytes(fx));
  const offsets: number[] = [];
  while (split.next()) for (const r of split.view.records()) offsets.push(r.offset);
  return offsets;
}

describe('DelayedRecords: what stands for an idempotent producer’s held records in its partition, across a leader change', () => {
  let before: DataPathFixture;
  let after: DataPathFixture;
  /** Broker 1, the new leader, as broker 0's delay path reaches it (Produce from a delay broker: ProduceHandler.appendFromBroker). */
  let forwarded: number;
  const toNewLeader: DelayCluster = {
    produce: async (topic, partition, batch, acks, timeoutMs) => {
      forwarded++;
      const outcome = await after.replicas.appendBrokerBuilt(topic, partition, acks, timeoutMs, Buffer.from(batch));
      return { errorCode: outcome.errorCode, errorMessage: outcome.errorMessage, baseOffset: outcome.baseOffset };
    },
    onChange: () => () => undefined,
  } as Partial<DelayCluster> as DelayCluster;
  const leaderMoves = (): void => before.metadata.updatePartition('t', 0, { leader: 1, leaderEpoch: 1, replicas: [1], isr: [1] });

  beforeEach(() => {
    forwarded = 0;
    before = createDataPath();
    before.metadata.addTopic('t', 1);
    after = createDataPath({}, new FakeMetadataView(1));
    after.metadata.addTopic('t', 1);
  });

  afterEach(async () => {
    await before.close();
    await after.close();
  });

  it('sends the held range on to the new leader, so the retry there is a duplicate and nothing is queued twice', async () => {
    const first = delayPath(before, toNewLeader, leaderMoves);
    const batch = idempotent([held('a'), held('b')], 0);
    const answer = await first.path.divert(-1, 1000, { topic: 't', partition: 0, records: Buffer.from(batch) });
    expect(answer).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: -1 });
    expect(forwarded).toBe(1);

    const retried = delayPath(after, toNewLeader);
    const retry = await retried.path.divert(-1, 1000, { topic: 't', partition: 0, records: Buffer.from(batch) });
    expect(retry).toMatchObject({ errorCode: ErrorCode.NONE });
    expect([...first.queued, ...retried.queued].map((r) => r.value!.toString())).toEqual(['a', 'b']);
    // The producer's next batch follows on at the new leader.
    const [next] = await after.replicas.appendRecords(-1, 1000, [{ topic: 't', partition: 0, records: idempotent([plain('c')], 2) }]);
    expect(next).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 2 });
    expect(await logOf(after)).toEqual([
      [0, 1, true, []],
      [2, 2, false, ['c']],
    ]);
  });

  it('writes a mixed batch’s ordinary records with the whole range at the new leader, once, and its retry is a duplicate', async () => {
    const first = delayPath(before, toNewLeader, leaderMoves);
    const batch = idempotent([plain('now-1'), held('later'), plain('now-2')], 0);
    const answer = await first.path.divert(1, 1000, { topic: 't', partition: 0, records: Buffer.from(batch) });
    expect(answer).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });

    const retry = await delayPath(after, toNewLeader).path.divert(1, 1000, { topic: 't', partition: 0, records: Buffer.from(batch) });
    expect(retry).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });
    // Offsets 0-2 stand for the batch: 'later' is in its delay queue, the ordinary records take the last two.
    expect(await logOf(after)).toEqual([[0, 2, false, ['now-1', 'now-2']]]);
    expect(await offsetsOf(after)).toEqual([1, 2]);
    expect(first.queued.map((r) => r.value!.toString())).toEqual(['later']);
  });

  it('answers a range the new leader already has (it replicated before the leader moved) as the duplicate it is', async () => {
    // The range as the old leader wrote it, already in the new leader's log.
    await after.replicas.appendBrokerBuilt('t', 0, 1, 1000, idempotent([plain('x'), plain('y')], 0));
    const sent = await toNewLeader.produce('t', 0, idempotent([plain('x'), plain('y')], 0), 1, 1000);
    expect(sent).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });
    expect(await logOf(after)).toEqual([[0, 1, false, ['x', 'y']]]);
  });

  it('leaves acks=all with too few in-sync replicas to the ordinary path, which refuses it, before anything is queued', () => {
    before.metadata.setTopicConfig('t', { 'min.insync.replicas': '2' });
    const { path, queued } = delayPath(before, toNewLeader);
    expect(path.divert(-1, 1000, { topic: 't', partition: 0, records: idempotent([held('a')], 0) })).toBeUndefined();
    expect(queued).toEqual([]);
  });

  it('without a leader to send the range to, answers the producer with a retriable error when its timeout is up', async () => {
    const nowhere = { produce: () => Promise.resolve({ errorCode: ErrorCode.LEADER_NOT_AVAILABLE, baseOffset: -1 }), onChange: () => () => undefined } as Partial<DelayCluster> as DelayCluster;
    const first = delayPath(before, nowhere, leaderMoves);
    const answer = await first.path.divert(1, 300, { topic: 't', partition: 0, records: idempotent([held('a')], 0) });
    expect(answer).toMatchObject({ errorCode: ErrorCode.LEADER_NOT_AVAILABLE });
  });
});
