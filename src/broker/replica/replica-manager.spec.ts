import { ErrorCode } from '../../protocol/errors/error-codes';
import { BatchOffsets } from '../../protocol/record-batch/record-batch-layout';
import { RecordBatchSplitter } from '../../protocol/record-batch/record-batch-splitter';
import { heldSequenceBatch } from '../handlers/produce/delayed-records';
import type { FetchParams, FetchPartitionData } from './replica-manager';
import { batch, baseOffsetsIn, createDataPath, valuesIn, type DataPathFixture } from './replica-manager.test-helpers';

function fetchParams(partitions: Array<{ topic?: string; partition?: number; offset?: number; maxBytes?: number }>, overrides: Partial<FetchParams> = {}): FetchParams {
  return {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 50 * 1024 * 1024,
    isolationLevel: 0,
    partitions: partitions.map((p) => ({
      topic: p.topic ?? 't',
      partition: p.partition ?? 0,
      fetchOffset: p.offset ?? 0,
      partitionMaxBytes: p.maxBytes ?? 1024 * 1024,
      currentLeaderEpoch: -1,
    })),
    ...overrides,
  };
}

async function fetchOne(fx: DataPathFixture, offset = 0, overrides: Partial<FetchParams> = {}): Promise<FetchPartitionData> {
  const [data] = await fx.replicas.fetch(fetchParams([{ offset }], overrides));
  return data;
}

describe('ReplicaManager', () => {
  let fx: DataPathFixture;

  beforeEach(() => {
    fx = createDataPath();
    fx.metadata.addTopic('t', 2);
  });

  afterEach(async () => {
    await fx.close();
  });

  describe('produce', () => {
    it('appends a batch and fetches it back with the high watermark at the log end', async () => {
      const [outcome] = await fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: batch(3) }]);
      expect(outcome).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0, logAppendTimeMs: -1, logStartOffset: 0 });
      const [second] = await fx.replicas.appendRecords(-1, 1000, [{ topic: 't', partition: 0, records: batch(2, { tag: 'w' }) }]);
      expect(second).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 3 });
      const data = await fetchOne(fx);
      expect(data).toMatchObject({ errorCode: ErrorCode.NONE, highWatermark: 5, lastStableOffset: 5, logStartOffset: 0 });
      expect(valuesIn(data.records)).toEqual(['v-0', 'v-1', 'v-2', 'w-0', 'w-1']);
      expect(baseOffsetsIn(data.records)).toEqual([0, 3]);
    });

    it('stamps the leader epoch into appended batches', async () => {
      fx.metadata.updatePartition('t', 0, { leaderEpoch: 7 });
      await fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: batch(1) }]);
      const data = await fetchOne(fx);
      expect(data.records.readInt32BE(BatchOffsets.partitionLeaderEpoch)).toBe(7);
    });

    it('answers acks=-1 once the high watermark covers the batch (ISR of one)', async () => {
      const outcomes = await fx.replicas.appendRecords(-1, 1000, [{ topic: 't', partition: 1, records: batch(4) }]);
      expect(outcomes[0]).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0, nextOffset: 4 });
      expect(fx.replicas.getPartition('t', 1)!.highWatermark).toBe(4);
    });

    it('answers acks=-1 with NOT_ENOUGH_REPLICAS when the ISR is below min.insync.replicas, and appends nothing', async () => {
      fx.metadata.setTopicConfig('t', { 'min.insync.replicas': '2' });
      const [outcome] = await fx.replicas.appendRecords(-1, 1000, [{ topic: 't', partition: 0, records: batch(1) }]);
      expect(outcome.errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
      const [acks1] = await fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: batch(1) }]);
      expect(acks1).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });
    });

    it('rejects invalid acks values for every partition', async () => {
      const outcomes = await fx.replicas.appendRecords(2, 1000, [{ topic: 't', partition: 0, records: batch(1) }]);
      expect(outcomes[0].errorCode).toBe(ErrorCode.INVALID_REQUIRED_ACKS);
      expect(fx.replicas.getPartition('t', 0)!.log.logEndOffset).toBe(0);
    });

    it('answers CORRUPT_MESSAGE for a batch with a bad CRC while another partition of the request succeeds', async () => {
      const bad = batch(2);
      bad[bad.length - 1] ^= 0xff;
      const outcomes = await fx.replicas.appendRecords(1, 1000, [
        { topic: 't', partition: 0, records: bad },
        { topic: 't', partition: 1, records: batch(2) },
      ]);
      expect(outcomes[0].errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
      expect(outcomes[1]).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });
      expect(fx.replicas.getPartition('t', 0)!.log.logEndOffset).toBe(0);
    });

    it('answers MESSAGE_TOO_LARGE above the topic max.message.bytes and the broker message.max.bytes', async () => {
      fx.metadata.setTopicConfig('t', { 'max.message.bytes': '200' });
      const [topicLimit] = await fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: batch(1, { valueBytes: 300 }) }]);
      expect(topicLimit.errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE);
      const [fits] = await fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: batch(1, { valueBytes: 50 }) }]);
      expect(fits.errorCode).toBe(ErrorCode.NONE);

      const small = createDataPath({ messageMaxBytes: 500 });
      try {
        small.metadata.addTopic('u');
        const [brokerLimit] = await small.replicas.appendRecords(1, 1000, [{ topic: 'u', partition: 0, records: batch(1, { valueBytes: 600 }) }]);
        expect(brokerLimit.errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE);
      } finally {
        await small.close();
      }
    });

    it('answers INVALID_RECORD for missing records, two batches, another magic or a non-zero base offset', async () => {
      const two = Buffer.concat([batch(1), batch(1)]);
      const magic1 = batch(1);
      magic1[BatchOffsets.magic] = 1;
      const offset5 = batch(1, { baseOffset: 5 });
      const outcomes = await fx.replicas.appendRecords(1, 1000, [
        { topic: 't', partition: 0, records: null },
        { topic: 't', partition: 0, records: two },
        { topic: 't', partition: 0, records: magic1 },
        { topic: 't', partition: 0, records: offset5 },
      ]);
      expect(outcomes.map((o) => o.errorCode)).toEqual([ErrorCode.INVALID_RECORD, ErrorCode.INVALID_RECORD, ErrorCode.INVALID_RECORD, ErrorCode.INVALID_RECORD]);
      expect(fx.replicas.getPartition('t', 0)!.log.logEndOffset).toBe(0);
    });

    it('answers UNKNOWN_TOPIC_OR_PARTITION for unknown topics and partitions, NOT_LEADER_OR_FOLLOWER where another broker leads', async () => {
      fx.metadata.addTopic('elsewhere', 1, { leader: 5 });
      const outcomes = await fx.replicas.appendRecords(1, 1000, [
        { topic: 'nope', partition: 0, records: batch(1) },
        { topic: 't', partition: 9, records: batch(1) },
        { topic: 'elsewhere', partition: 0, records: batch(1) },
      ]);
      expect(outcomes.map((o) => o.errorCode)).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.NOT_LEADER_OR_FOLLOWER]);
    });

    it('answers INVALID_TXN_STATE for transactional batches (no transaction coordinator)', async () => {
      const [outcome] = await fx.replicas.appendRecords(1, 1000, [
        { topic: 't', partition: 0, records: batch(1, { transactional: true, producerId: 1, producerEpoch: 0, baseSequence: 0 }) },
      ]);
      expect(outcome.errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
    });

    it('stamps the append time into the batch header when the topic uses LogAppendTime', async () => {
      const clocked = createDataPath({ now: () => 1_800_000_000_000 });
      try {
        clocked.metadata.addTopic('lat', 1, { configs: { 'message.timestamp.type': 'LogAppendTime' } });
        const [outcome] = await clocked.replicas.appendRecords(1, 1000, [{ topic: 'lat', partition: 0, records: batch(2) }]);
        expect(outcome).toMatchObject({ errorCode: ErrorCode.NONE, logAppendTimeMs: 1_800_000_000_000 });
        const [data] = await clocked.replicas.fetch(fetchParams([{ topic: 'lat' }]));
        const split = new RecordBatchSplitter(data.records);
        expect(split.next()).toBe(true);
        expect(split.view.isLogAppendTime).toBe(true);
        expect(split.view.maxTimestamp).toBe(1_800_000_000_000);
        expect(split.view.validationError()).toBeNull();
      } finally {
        await clocked.close();
      }
    });
  });

  describe('idempotent producers', () => {
    const idem = (seq: number, count = 2, epoch = 0, producerId = 42): Buffer => batch(count, { producerId, producerEpoch: epoch, baseSequence: seq, tag: `s${seq}` });

    it('acknowledges a duplicate batch with its original offset and appends it once', async () => {
      const first = await fx.replicas.appendRecords(-1, 1000, [{ topic: 't', partition: 0, records: idem(0) }]);
      await fx.replicas.appendRecords(-1, 1000, [{ topic: 't', partition: 0, records: idem(2) }]);
      const retry = await fx.replicas.appendRecords(-1, 1000, [{ topic: 't', partition: 0, records: idem(0) }]);
      expect(first[0]).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });
      expect(retry[0]).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });
      expect(fx.replicas.getPartition('t', 0)!.log.logEndOffset).toBe(4);
      expect(valuesIn((await fetchOne(fx)).records)).toEqual(['s0-0', 's0-1', 's2-0', 's2-1']);
    });

    it('answers OUT_OF_ORDER_SEQUENCE_NUMBER for a sequence gap and appends nothing', async () => {
      await fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: idem(0) }]);
      const [gap] = await fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: idem(5) }]);
      expect(gap.errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
      expect(fx.replicas.getPartition('t', 0)!.log.logEndOffset).toBe(2);
    });

    it('fences a stale producer epoch with INVALID_PRODUCER_EPOCH', async () => {
      await fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: idem(0, 1, 3) }]);
      const [stale] = await fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: idem(1, 1, 2) }]);
      expect(stale.errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
      const [newEpochMidSequence] = await fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: idem(4, 1, 4) }]);
      expect(newEpochMidSequence.errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
      const [newEpoch] = await fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: idem(0, 1, 4) }]);
      expect(newEpoch).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 1 });
    });

    it('accepts an unknown producer at any sequence, as Kafka 3.x does', async () => {
      const [outcome] = await fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: idem(17) }]);
      expect(outcome.errorCode).toBe(ErrorCode.NONE);
    });

    it('rebuilds producer state from the log after a restart', async () => {
      await fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: idem(0) }]);
      await fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: idem(2) }]);
      await fx.reopen();
      const [duplicate] = await fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: idem(2) }]);
      expect(duplicate).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 2 });
      const [gap] = await fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: idem(9) }]);
      expect(gap.errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
      const [next] = await fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: idem(4) }]);
      expect(next).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 4 });
      expect(fx.replicas.getPartition('t', 0)!.log.logEndOffset).toBe(6);
    });
  });

  describe('held sequences of delayed records', () => {
    const idem = (seq: number, count = 2): Buffer => batch(count, { producerId: 42, producerEpoch: 0, baseSequence: seq, tag: `s${seq}` });
    /** What the Produce path records while a batch's delayed records are being queued. */
    const recordInMemory = (firstSeq: number, lastSeq: number) => {
      const held = { firstSeq, lastSeq, firstOffset: -1, lastOffset: -1, timestamp: 0 };
      fx.replicas.getPartition('t', 0)!.producers.update(42, 0, held);
      return held;
    };

    it('writes the range as a control batch that a restart rebuilds: the next batch follows on, a retry is a duplicate', async () => {
      await fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: idem(0) }]);
      const held = recordInMemory(2, 4);
      const marked = await fx.replicas.appendBrokerBuilt('t', 0, -1, 1000, heldSequenceBatch(42, 0, 2, 3, 1_700_000_000_000), held);
      expect(marked).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 2, nextOffset: 5 });
      await fx.reopen();
      const [retry] = await fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: idem(2, 3) }]);
      expect(retry).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 2 });
      const [next] = await fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: idem(5) }]);
      expect(next).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 5 });
      // Between the records, the marker: one control record at the range's last offset, which consumers skip.
      const split = new RecordBatchSplitter((await fetchOne(fx)).records);
      const batches: Array<[number, number, boolean, number]> = [];
      while (split.next()) batches.push([split.view.baseOffset, split.view.lastOffset, split.view.isControl, [...split.view.records()].map((r) => r.offset).pop()!]);
      expect(batches).toEqual([
        [0, 1, false, 1],
        [2, 4, true, 4],
        [5, 6, false, 6],
      ]);
    });

    it('keeps the newest range last when a later batch of the producer was written while the held one was queued', async () => {
      await fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: idem(0) }]);
      const held = recordInMemory(2, 3);
      const [later] = await fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: idem(4) }]);
      expect(later.errorCode).toBe(ErrorCode.NONE);
      await fx.replicas.appendBrokerBuilt('t', 0, 1, 1000, heldSequenceBatch(42, 0, 2, 2, 1_700_000_000_000), held);
      await fx.reopen();
      const [next] = await fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: idem(6) }]);
      expect(next.errorCode).toBe(ErrorCode.NONE);
    });
  });

  describe('fetch', () => {
    it('wakes a long poll when an append arrives, well before maxWaitMs', async () => {
      const started = performance.now();
      const pending = fx.replicas.fetch(fetchParams([{ offset: 0 }], { maxWaitMs: 5000, minBytes: 1 }));
      expect(pending).toBeInstanceOf(Promise);
      expect(fx.replicas.parkedFetches).toBe(1);
      setTimeout(() => void fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: batch(2) }]), 20);
      const [data] = await pending;
      const elapsed = performance.now() - started;
      expect(valuesIn(data.records)).toEqual(['v-0', 'v-1']);
      expect(elapsed).toBeLessThan(1000);
      expect(fx.replicas.parkedFetches).toBe(0);
    });

    it('answers an empty fetch at maxWaitMs when nothing arrives', async () => {
      const started = performance.now();
      const [data] = await fx.replicas.fetch(fetchParams([{ offset: 0 }], { maxWaitMs: 150, minBytes: 1 }));
      const elapsed = performance.now() - started;
      expect(data).toMatchObject({ errorCode: ErrorCode.NONE, highWatermark: 0 });
      expect(data.records.length).toBe(0);
      expect(elapsed).toBeGreaterThanOrEqual(140);
      expect(elapsed).toBeLessThan(2000);
    });

    it('keeps waiting until minBytes have arrived', async () => {
      const one = batch(1, { valueBytes: 100 });
      const pending = fx.replicas.fetch(fetchParams([{ offset: 0 }], { maxWaitMs: 5000, minBytes: one.length * 3 }));
      let settled = false;
      void Promise.resolve(pending).then(() => (settled = true));
      for (let i = 0; i < 2; i++) {
        await fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: batch(1, { valueBytes: 100, tag: `b${i}` }) }]);
        await new Promise((resolve) => setImmediate(resolve));
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(settled).toBe(false);
      await fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: batch(1, { valueBytes: 100, tag: 'b2' }) }]);
      const [data] = await pending;
      expect(baseOffsetsIn(data.records)).toEqual([0, 1, 2]);
    });

    it('answers at once when minBytes are already there', async () => {
      await fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: batch(1) }]);
      const result = fx.replicas.fetch(fetchParams([{ offset: 0 }], { maxWaitMs: 5000, minBytes: 1 }));
      expect(result).not.toBeInstanceOf(Promise);
    });

    it('honours partitionMaxBytes and maxBytes, returning the first batch of the first partition even when larger', async () => {
      for (let i = 0; i < 3; i++) {
        await fx.replicas.appendRecords(1, 1000, [
          { topic: 't', partition: 0, records: batch(1, { valueBytes: 1000, tag: `a${i}` }) },
          { topic: 't', partition: 1, records: batch(1, { valueBytes: 1000, tag: `b${i}` }) },
        ]);
      }
      const size = batch(1, { valueBytes: 1000 }).length;
      const tiny = await fx.replicas.fetch(fetchParams([{ partition: 0, maxBytes: 10 }, { partition: 1, maxBytes: 10 }]));
      expect(baseOffsetsIn(tiny[0].records)).toEqual([0]);
      expect(tiny[1].records.length).toBe(0);

      const perPartition = await fx.replicas.fetch(fetchParams([{ partition: 0, maxBytes: size * 2 }, { partition: 1, maxBytes: size * 2 }]));
      expect(baseOffsetsIn(perPartition[0].records)).toEqual([0, 1]);
      expect(baseOffsetsIn(perPartition[1].records)).toEqual([0, 1]);

      const total = await fx.replicas.fetch(fetchParams([{ partition: 0 }, { partition: 1 }], { maxBytes: size * 4 }));
      expect(baseOffsetsIn(total[0].records)).toEqual([0, 1, 2]);
      expect(baseOffsetsIn(total[1].records)).toEqual([0]);
    });

    it('answers OFFSET_OUT_OF_RANGE outside the log and an empty read at the log end', async () => {
      await fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: batch(2) }]);
      expect(await fetchOne(fx, 3)).toMatchObject({ errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, highWatermark: -1, logStartOffset: -1 });
      const atEnd = await fetchOne(fx, 2);
      expect(atEnd).toMatchObject({ errorCode: ErrorCode.NONE, highWatermark: 2 });
      expect(atEnd.records.length).toBe(0);
      fx.replicas.deleteRecords('t', 0, 1);
      expect((await fetchOne(fx, 0)).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    });

    it('answers partition errors at once without waiting', async () => {
      const result = fx.replicas.fetch(fetchParams([{ topic: 'nope' }], { maxWaitMs: 5000 }));
      expect(result).not.toBeInstanceOf(Promise);
      expect((result as FetchPartitionData[])[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    });

    it('checks the current leader epoch', async () => {
      fx.metadata.updatePartition('t', 0, { leaderEpoch: 3 });
      const params = (epoch: number): FetchParams => ({ ...fetchParams([{}]), partitions: [{ topic: 't', partition: 0, fetchOffset: 0, partitionMaxBytes: 1000, currentLeaderEpoch: epoch }] });
      expect((await fx.replicas.fetch(params(2)))[0].errorCode).toBe(ErrorCode.FENCED_LEADER_EPOCH);
      expect((await fx.replicas.fetch(params(4)))[0].errorCode).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
      expect((await fx.replicas.fetch(params(3)))[0].errorCode).toBe(ErrorCode.NONE);
    });

    it('refuses replica fetches from unregistered brokers (CVE-2018-1288)', async () => {
      const [data] = await fx.replicas.fetch(fetchParams([{}], { replicaId: 7 }));
      expect(data.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    });

    describe('a follower fetch parked in purgatory', () => {
      const FOLLOWER = 1;
      const followerFetch = (offset: number, overrides: Partial<FetchParams>) =>
        fetchParams([{ topic: 'r', offset }], { replicaId: FOLLOWER, maxWaitMs: 5000, minBytes: 1, ...overrides });

      it('does not record the follower at its old fetch offset when it completes after a newer fetch', async () => {
        fx.metadata.addBroker(FOLLOWER);
        fx.metadata.addTopic('r', 1, { replicas: [0, FOLLOWER], isr: [0] });
        await fx.replicas.appendRecords(1, 1000, [{ topic: 'r', partition: 0, records: batch(3) }]);
        // Waits for more than will arrive, so only its deadline completes it.
        const parked = fx.replicas.fetch(followerFetch(3, { maxWaitMs: 100, minBytes: 1 << 20 }));
        expect(parked).toBeInstanceOf(Promise);
        await fx.replicas.appendRecords(1, 1000, [{ topic: 'r', partition: 0, records: batch(2) }]);
        // The follower (reconnected, say) fetched those records and asks from offset 5.
        await fx.replicas.fetch(followerFetch(5, { maxWaitMs: 0 }));
        const partition = fx.replicas.getPartition('r', 0)!;
        expect(partition.followerLogEnd(FOLLOWER)).toBe(5);
        const [late] = await parked;
        expect(baseOffsetsIn(late.records)).toEqual([3]);
        expect(partition.followerLogEnd(FOLLOWER)).toBe(5);
      });

      it('gives the follower no caught-up credit for the log end at completion, which it had not fetched', async () => {
        let clock = 1_000;
        const clocked = createDataPath({ now: () => clock });
        try {
          clocked.metadata.addBroker(FOLLOWER);
          clocked.metadata.addTopic('r', 1, { replicas: [0, FOLLOWER], isr: [0, FOLLOWER] });
          await clocked.replicas.appendRecords(1, 1000, [{ topic: 'r', partition: 0, records: batch(3) }]);
          // At t=1000 the follower asks from the log end: caught up then.
          const parked = clocked.replicas.fetch(followerFetch(3, {}));
          expect(parked).toBeInstanceOf(Promise);
          clock = 1_500;
          await clocked.replicas.appendRecords(1, 1000, [{ topic: 'r', partition: 0, records: batch(2) }]);
          expect(baseOffsetsIn((await parked)[0].records)).toEqual([3]);
          clock = 1_600;
          await clocked.replicas.appendRecords(1, 1000, [{ topic: 'r', partition: 0, records: batch(3) }]);
          // At t=2600 it asks from 5, the log end of t=1500, which it never asked at: its last
          // proof of being caught up is still t=1000, so with a lag limit of 1200 ms it is out.
          clock = 2_600;
          await clocked.replicas.fetch(followerFetch(5, { maxWaitMs: 0 }));
          const partition = clocked.replicas.getPartition('r', 0)!;
          expect(partition.outOfSyncReplicas(1_200)).toEqual([FOLLOWER]);
          expect(partition.outOfSyncReplicas(1_700)).toEqual([]);
        } finally {
          await clocked.close();
        }
      });
    });

    it('completes a parked fetch when its topic is deleted', async () => {
      const pending = fx.replicas.fetch(fetchParams([{ offset: 0 }], { maxWaitMs: 5000 }));
      fx.metadata.deleteTopic('t');
      const [data] = await pending;
      expect(data.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    });
  });

  describe('list offsets', () => {
    beforeEach(async () => {
      await fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: batch(3, { timestamp: 1000 }) }]);
      await fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: batch(3, { timestamp: 5000 }) }]);
    });

    const list = (timestamp: number, extra: { isolationLevel?: number } = {}) =>
      fx.replicas.listOffset({ topic: 't', partition: 0, timestamp, currentLeaderEpoch: -1, replicaId: -1, isolationLevel: extra.isolationLevel ?? 0 });

    it('answers earliest, latest (also READ_COMMITTED) and max timestamp', () => {
      expect(list(-2)).toMatchObject({ errorCode: ErrorCode.NONE, offset: 0, timestamp: -1 });
      expect(list(-1)).toMatchObject({ errorCode: ErrorCode.NONE, offset: 6, timestamp: -1, leaderEpoch: 0 });
      expect(list(-1, { isolationLevel: 1 })).toMatchObject({ offset: 6 });
      expect(list(-3)).toMatchObject({ errorCode: ErrorCode.NONE, offset: 5, timestamp: 5002 });
    });

    it('answers the first offset at or after a timestamp, and -1 when none is that recent', () => {
      expect(list(1001)).toMatchObject({ offset: 1, timestamp: 1001 });
      expect(list(3000)).toMatchObject({ offset: 3, timestamp: 5000 });
      expect(list(9000)).toMatchObject({ errorCode: ErrorCode.NONE, offset: -1, timestamp: -1 });
    });

    it('answers earliest after DeleteRecords with the new log start', () => {
      expect(fx.replicas.deleteRecords('t', 0, 4)).toEqual({ errorCode: ErrorCode.NONE, lowWatermark: 4 });
      expect(list(-2)).toMatchObject({ offset: 4 });
    });

    describe('while a new leader\'s high watermark trails its epoch start (KIP-207)', () => {
      const FOLLOWER = 1;
      const listK = (timestamp: number, replicaId = -1, isolationLevel = 0) =>
        fx.replicas.listOffset({ topic: 'k', partition: 0, timestamp, currentLeaderEpoch: -1, replicaId, isolationLevel });
      const followerFetch = (offset: number) =>
        fx.replicas.fetch(fetchParams([{ topic: 'k', offset }], { replicaId: FOLLOWER, maxWaitMs: 0 }));

      beforeEach(async () => {
        fx.metadata.addBroker(FOLLOWER);
        fx.metadata.addTopic('k', 1, { replicas: [0, FOLLOWER], isr: [0, FOLLOWER] });
        await fx.replicas.appendRecords(1, 1000, [{ topic: 'k', partition: 0, records: batch(3, { timestamp: 1000 }) }]);
        await followerFetch(3);
        await fx.replicas.appendRecords(1, 1000, [{ topic: 'k', partition: 0, records: batch(3, { timestamp: 5000 }) }]);
        // A new epoch begins at offset 6 while the high watermark is still 3: the follower
        // has not fetched since, and consumers may already have read up to 6 in epoch 0.
        fx.metadata.updatePartition('k', 0, { leaderEpoch: 1 });
        expect(fx.replicas.getPartition('k', 0)).toMatchObject({ leaderEpochStartOffset: 6, highWatermark: 3 });
      });

      it('answers OFFSET_NOT_AVAILABLE to a consumer asking for the latest offset, or a timestamp found at or past the high watermark', () => {
        expect(listK(-1).errorCode).toBe(ErrorCode.OFFSET_NOT_AVAILABLE);
        expect(listK(-1, -1, 1).errorCode).toBe(ErrorCode.OFFSET_NOT_AVAILABLE);
        expect(listK(5000).errorCode).toBe(ErrorCode.OFFSET_NOT_AVAILABLE);
        expect(listK(-3).errorCode).toBe(ErrorCode.OFFSET_NOT_AVAILABLE);
      });

      it('still answers what the high watermark does not bound: earliest, timestamps before it, and none found', () => {
        expect(listK(-2)).toMatchObject({ errorCode: ErrorCode.NONE, offset: 0 });
        expect(listK(1001)).toMatchObject({ errorCode: ErrorCode.NONE, offset: 1, timestamp: 1001 });
        expect(listK(9000)).toMatchObject({ errorCode: ErrorCode.NONE, offset: -1 });
      });

      it('answers brokers and debugging tools from the log end', () => {
        expect(listK(-1, FOLLOWER)).toMatchObject({ errorCode: ErrorCode.NONE, offset: 6 });
        expect(listK(-1, -2)).toMatchObject({ errorCode: ErrorCode.NONE, offset: 6 });
      });

      it('answers consumers again once the high watermark reaches the epoch start', async () => {
        await followerFetch(6);
        expect(listK(-1)).toMatchObject({ errorCode: ErrorCode.NONE, offset: 6, leaderEpoch: 1 });
        expect(listK(5000)).toMatchObject({ errorCode: ErrorCode.NONE, offset: 3, timestamp: 5000 });
      });
    });

    it('answers per-partition errors', () => {
      expect(fx.replicas.listOffset({ topic: 'nope', partition: 0, timestamp: -1, currentLeaderEpoch: -1, replicaId: -1, isolationLevel: 0 }).errorCode).toBe(
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      );
    });
  });

  describe('delete records', () => {
    it('moves the log start, -1 meaning the high watermark, and refuses offsets past it', async () => {
      await fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: batch(5) }]);
      expect(fx.replicas.deleteRecords('t', 0, 2)).toEqual({ errorCode: ErrorCode.NONE, lowWatermark: 2 });
      expect(fx.replicas.deleteRecords('t', 0, 6)).toEqual({ errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, lowWatermark: -1 });
      expect(fx.replicas.deleteRecords('t', 0, -1)).toEqual({ errorCode: ErrorCode.NONE, lowWatermark: 5 });
      expect((await fetchOne(fx, 5)).logStartOffset).toBe(5);
    });
  });

  describe('metadata', () => {
    it('deletes the logs of a deleted topic and creates them for a new one', async () => {
      await fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: batch(1) }]);
      fx.metadata.deleteTopic('t');
      expect(fx.logManager.getLog({ topic: 't', partition: 0 })).toBeUndefined();
      fx.metadata.addTopic('t', 1);
      expect(fx.logManager.getLog({ topic: 't', partition: 0 })!.logEndOffset).toBe(0);
    });

    it('stops taking appends when leadership moves away', async () => {
      fx.metadata.addBroker(1);
      fx.metadata.updatePartition('t', 0, { leader: 1, leaderEpoch: 1, replicas: [0, 1], isr: [0, 1] });
      const [outcome] = await fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: batch(1) }]);
      expect(outcome.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
      expect(fx.logManager.getLog({ topic: 't', partition: 0 })).toBeDefined();
    });

    it('applies topic config changes to the log', () => {
      fx.metadata.setTopicConfig('t', { 'retention.ms': '1234', 'segment.bytes': '100000' });
      expect(fx.logManager.getLog({ topic: 't', partition: 0 })!.topicConfig).toMatchObject({ retentionMs: 1234, segmentBytes: 100000 });
    });
  });
});
