import * as fs from 'node:fs';
import * as path from 'node:path';
import { LogDirIo } from './log-dir-io';
import { CorruptRecordError, KafkaStorageError, OffsetOutOfRangeError } from './log-errors';
import { LEADER_EPOCH_CHECKPOINT_FILE } from './log-file-names';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, MAX_TIMESTAMP, PartitionLog } from './partition-log';
import { CollectingLogger, ManualClock, batchesIn, makeBatch, makeTempDir, openLog, readAll } from './log.test-helpers';

describe('PartitionLog', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let dir: string;
  const logs: PartitionLog[] = [];
  const open = (...args: Parameters<typeof openLog>): PartitionLog => {
    const log = openLog(...args);
    logs.push(log);
    return log;
  };
  beforeEach(() => {
    tmp = makeTempDir();
    dir = path.join(tmp.dir, 'test-0');
  });
  afterEach(async () => {
    for (const log of logs.splice(0)) await log.close().catch(() => undefined);
    tmp.cleanup();
  });

  describe('append', () => {
    it('assigns offsets in place from the log end and reports base, last and append time', () => {
      const clock = new ManualClock(5000);
      const log = open(dir, {}, { now: clock.now });
      expect(log.append(makeBatch(3))).toEqual({ baseOffset: 0, lastOffset: 2, logAppendTime: 5000 });
      const two = Buffer.concat([makeBatch(2), makeBatch(4)]);
      expect(log.append(two, 9)).toEqual({ baseOffset: 3, lastOffset: 8, logAppendTime: 5000 });
      expect(two.readBigInt64BE(0)).toBe(3n);
      expect(two.readInt32BE(12)).toBe(9);
      expect(log.logEndOffset).toBe(9);
      expect(readAll(log).map((b) => [b.baseOffset, b.lastOffset, b.valid])).toEqual([
        [0, 2, true],
        [3, 4, true],
        [5, 8, true],
      ]);
    });

    it('rejects bytes that are not whole batches with CORRUPT_MESSAGE and writes nothing', () => {
      const log = open(dir);
      const batch = makeBatch(2);
      expect(() => log.append(batch.subarray(0, batch.length - 3))).toThrow(CorruptRecordError);
      const badMagic = Buffer.from(batch);
      badMagic[16] = 1;
      expect(() => log.append(badMagic)).toThrow(expect.objectContaining({ errorCode: 2 }));
      expect(log.logEndOffset).toBe(0);
      expect(log.size).toBe(0);
    });

    it('rolls a new segment at segment.bytes with base offset = log end', () => {
      const log = open(dir, { segmentBytes: 500 });
      for (let i = 0; i < 10; i++) log.append(makeBatch(2, { valueBytes: 50 }));
      expect(log.segmentCount).toBeGreaterThan(3);
      const bases = log.segmentBaseOffsets;
      expect(bases[0]).toBe(0);
      for (const base of bases) expect(fs.existsSync(path.join(dir, `${String(base).padStart(20, '0')}.log`))).toBe(true);
      expect(readAll(log).map((b) => b.baseOffset)).toEqual([...Array(10).keys()].map((i) => i * 2));
    });

    it('rolls when the active segment spans more than segment.ms of record time', () => {
      const log = open(dir, { segmentMs: 100 });
      log.append(makeBatch(1, { timestamp: 1000 }));
      log.append(makeBatch(1, { timestamp: 1100 }));
      expect(log.segmentCount).toBe(1);
      log.append(makeBatch(1, { timestamp: 1101 }));
      expect(log.segmentBaseOffsets).toEqual([0, 2]);
    });

    it('fsyncs after flush.messages unflushed messages, moving the recovery point', () => {
      const log = open(dir, { flushIntervalMessages: 5 });
      log.append(makeBatch(3));
      expect(log.recoveryPoint).toBe(0);
      log.append(makeBatch(3));
      expect(log.recoveryPoint).toBe(6);
    });
  });

  describe('read', () => {
    it('returns whole batches within maxBytes starting with the batch holding the offset', () => {
      const log = open(dir);
      for (let i = 0; i < 5; i++) log.append(makeBatch(4, { valueBytes: 20 }));
      const size = batchesIn(log.read(0, 1 << 20).records)[0].size;
      const result = log.read(6, size * 2 + size / 2);
      expect(batchesIn(result.records).map((b) => b.baseOffset)).toEqual([4, 8]);
      expect(result).toMatchObject({ logStartOffset: 0, logEndOffset: 20, highWatermark: 0 });
    });

    it('returns the first batch even when it is larger than maxBytes, so consumers never stall', () => {
      const log = open(dir);
      log.append(makeBatch(1, { valueBytes: 5000 }));
      log.append(makeBatch(1));
      const result = log.read(0, 100);
      expect(batchesIn(result.records)).toEqual([expect.objectContaining({ baseOffset: 0, valid: true })]);
      expect(log.read(0, 100, { minOneBatch: false }).records.length).toBe(0);
    });

    it('stops before a batch that reaches maxOffset (the high watermark)', () => {
      const log = open(dir);
      for (let i = 0; i < 4; i++) log.append(makeBatch(2));
      log.highWatermark = 4;
      expect(batchesIn(log.read(0, 1 << 20, { maxOffset: log.highWatermark }).records).map((b) => b.lastOffset)).toEqual([1, 3]);
      expect(log.read(4, 1 << 20, { maxOffset: 4 }).records.length).toBe(0);
    });

    it('reads across segments and answers empty at the log end', () => {
      const log = open(dir, { segmentBytes: 300 });
      for (let i = 0; i < 8; i++) log.append(makeBatch(1, { valueBytes: 100 }));
      expect(log.segmentCount).toBeGreaterThan(2);
      for (let offset = 0; offset < 8; offset++) expect(batchesIn(log.read(offset, 1).records)[0].baseOffset).toBe(offset);
      expect(log.read(8, 1000).records.length).toBe(0);
    });

    it('throws OFFSET_OUT_OF_RANGE below the log start and past the log end', () => {
      const log = open(dir);
      log.append(makeBatch(3));
      expect(() => log.read(4, 100)).toThrow(OffsetOutOfRangeError);
      expect(() => log.read(-1, 100)).toThrow(expect.objectContaining({ errorCode: 1 }));
      log.highWatermark = 3;
      log.append(makeBatch(2));
      log.highWatermark = 5;
      log.deleteRecordsBefore(3);
      expect(() => log.read(2, 100)).toThrow(OffsetOutOfRangeError);
    });
  });

  describe('offsetForTimestamp', () => {
    it('finds the first record at or after a timestamp across segments, and the special timestamps', () => {
      const log = open(dir, { segmentBytes: 400 });
      for (let i = 0; i < 6; i++) log.append(makeBatch(3, { timestamp: 10_000 + i * 100 }));
      expect(log.segmentCount).toBeGreaterThan(1);
      expect(log.offsetForTimestamp(0)).toEqual({ offset: 0, timestamp: 10_000 });
      expect(log.offsetForTimestamp(10_101)).toEqual({ offset: 4, timestamp: 10_101 });
      expect(log.offsetForTimestamp(10_150)).toEqual({ offset: 6, timestamp: 10_200 });
      expect(log.offsetForTimestamp(10_502)).toEqual({ offset: 17, timestamp: 10_502 });
      expect(log.offsetForTimestamp(10_503)).toBeUndefined();
      expect(log.offsetForTimestamp(LATEST_TIMESTAMP)).toEqual({ offset: 18, timestamp: -1 });
      expect(log.offsetForTimestamp(EARLIEST_TIMESTAMP)).toEqual({ offset: 0, timestamp: -1 });
      expect(log.offsetForTimestamp(MAX_TIMESTAMP)).toEqual({ offset: 17, timestamp: 10_502 });
    });
  });

  describe('truncation', () => {
    it('truncateTo removes offsets at and after the target, across segments, and keeps appending from there', () => {
      const log = open(dir, { segmentBytes: 300 });
      for (let i = 0; i < 10; i++) log.append(makeBatch(1, { valueBytes: 100 }));
      log.highWatermark = 10;
      expect(log.truncateTo(4)).toBe(true);
      expect(log.logEndOffset).toBe(4);
      expect(log.highWatermark).toBe(4);
      expect(log.segmentBaseOffsets.every((b) => b <= 4)).toBe(true);
      expect(log.append(makeBatch(1)).baseOffset).toBe(4);
      expect(readAll(log).map((b) => b.baseOffset)).toEqual([0, 1, 2, 3, 4]);
      expect(log.truncateTo(100)).toBe(false);
    });

    it('truncateTo inside a batch removes the whole batch', () => {
      const log = open(dir);
      log.append(makeBatch(5));
      log.append(makeBatch(5));
      log.truncateTo(7);
      expect(log.logEndOffset).toBe(5);
    });

    it('truncateFullyAndStartAt empties the log and starts it at the new offset', () => {
      const log = open(dir, { segmentBytes: 300 });
      for (let i = 0; i < 6; i++) log.append(makeBatch(1, { valueBytes: 100 }));
      log.truncateFullyAndStartAt(1000);
      expect([log.logStartOffset, log.logEndOffset, log.highWatermark, log.segmentBaseOffsets]).toEqual([1000, 1000, 1000, [1000]]);
      expect(log.append(makeBatch(2)).baseOffset).toBe(1000);
      expect(fs.readdirSync(dir).filter((f) => f.endsWith('.log'))).toEqual(['00000000000000001000.log']);
    });

    it('deleteRecordsBefore moves the log start, drops whole segments below it, and refuses to pass the high watermark', () => {
      const log = open(dir, { segmentBytes: 300 });
      for (let i = 0; i < 10; i++) log.append(makeBatch(1, { valueBytes: 100 }));
      expect(() => log.deleteRecordsBefore(5)).toThrow(OffsetOutOfRangeError);
      log.highWatermark = 10;
      const segmentsBefore = log.segmentCount;
      expect(log.deleteRecordsBefore(5)).toBe(5);
      expect(log.logStartOffset).toBe(5);
      expect(log.segmentCount).toBeLessThan(segmentsBefore);
      expect(log.segmentBaseOffsets[0]).toBeLessThanOrEqual(5);
      expect(batchesIn(log.read(5, 1).records)[0].baseOffset).toBe(5);
      expect(log.deleteRecordsBefore(3)).toBe(5);
    });
  });

  describe('leader epochs', () => {
    it('keeps epoch → start offset in leader-epoch-checkpoint and answers end offsets per epoch', () => {
      const log = open(dir);
      log.append(makeBatch(3), 1);
      log.append(makeBatch(2), 1);
      log.append(makeBatch(4), 3);
      expect(fs.readFileSync(path.join(dir, LEADER_EPOCH_CHECKPOINT_FILE), 'utf8')).toBe('0\n2\n1 0\n3 5\n');
      expect(log.leaderEpochs.endOffsetFor(1, log.logEndOffset)).toMatchObject({ epoch: 1, endOffset: 5 });
      expect(log.leaderEpochs.endOffsetFor(2, log.logEndOffset)).toMatchObject({ epoch: 1, endOffset: 5 });
      expect(log.leaderEpochs.endOffsetFor(3, log.logEndOffset)).toMatchObject({ epoch: 3, endOffset: 9 });
      expect(log.leaderEpochs.endOffsetFor(4, log.logEndOffset)).toMatchObject({ epoch: -1, endOffset: -1 });
      log.truncateTo(5);
      expect(log.leaderEpochs.all).toEqual([{ epoch: 1, startOffset: 0 }]);
    });

    it('rebuilds the epochs from the batches when the checkpoint is lost in an unclean stop', async () => {
      const log = open(dir);
      log.append(makeBatch(2), 4);
      log.append(makeBatch(2), 6);
      await log.close();
      fs.rmSync(path.join(dir, LEADER_EPOCH_CHECKPOINT_FILE));
      const reopened = open(dir, {}, { recoveryPoint: 0 });
      expect(reopened.leaderEpochs.all).toEqual([
        { epoch: 4, startOffset: 0 },
        { epoch: 6, startOffset: 2 },
      ]);
    });
  });

  describe('appendAsFollower', () => {
    /** Batches as a leader's log holds them: offsets and epochs assigned by `leader.append`. */
    function leaderBytes(leader: PartitionLog, from = 0): Buffer {
      return leader.read(from, 1 << 20).records;
    }

    it('keeps the leader\'s offsets and epochs byte for byte and records where each epoch starts', () => {
      const leader = open(path.join(tmp.dir, 'leader-0'));
      leader.append(makeBatch(3), 2);
      leader.append(makeBatch(2), 5);
      const follower = open(dir);
      const bytes = Buffer.from(leaderBytes(leader));
      expect(follower.appendAsFollower(bytes)).toMatchObject({ baseOffset: 0, lastOffset: 4, bytes: bytes.length });
      expect(follower.logEndOffset).toBe(5);
      expect(follower.leaderEpochs.all).toEqual([
        { epoch: 2, startOffset: 0 },
        { epoch: 5, startOffset: 3 },
      ]);
      expect(follower.read(0, 1 << 20).records.equals(leaderBytes(leader))).toBe(true);
      expect(follower.endOffsetForEpoch(2)).toEqual({ epoch: 2, endOffset: 3 });
      expect(follower.endOffsetForEpoch(5)).toEqual({ epoch: 5, endOffset: 5 });
      expect(follower.endOffsetForEpoch(9)).toBeUndefined();
    });

    it('leaves a batch cut short at the end for the next fetch', () => {
      const leader = open(path.join(tmp.dir, 'leader-0'));
      leader.append(makeBatch(2), 0);
      leader.append(makeBatch(2), 0);
      const all = leaderBytes(leader);
      const follower = open(dir);
      expect(follower.appendAsFollower(all.subarray(0, all.length - 5))).toMatchObject({ baseOffset: 0, lastOffset: 1 });
      expect(follower.logEndOffset).toBe(2);
      expect(follower.appendAsFollower(leaderBytes(leader, 2))).toMatchObject({ baseOffset: 2, lastOffset: 3 });
      expect(follower.logEndOffset).toBe(4);
    });

    it('refuses batches that overlap the log end or fail their CRC, writing nothing', () => {
      const leader = open(path.join(tmp.dir, 'leader-0'));
      leader.append(makeBatch(2), 0);
      const follower = open(dir);
      follower.appendAsFollower(Buffer.from(leaderBytes(leader)));
      expect(() => follower.appendAsFollower(Buffer.from(leaderBytes(leader)))).toThrow(OffsetOutOfRangeError);
      leader.append(makeBatch(2), 0);
      const corrupt = Buffer.from(leaderBytes(leader, 2));
      corrupt[corrupt.length - 1] ^= 0xff;
      expect(() => follower.appendAsFollower(corrupt)).toThrow(CorruptRecordError);
      expect(follower.logEndOffset).toBe(2);
    });

    it('rolls segments by the same rules as a leader', () => {
      const leader = open(path.join(tmp.dir, 'leader-0'), { segmentBytes: 500 });
      for (let i = 0; i < 10; i++) leader.append(makeBatch(2, { valueBytes: 50 }), 0);
      const follower = open(dir, { segmentBytes: 500 });
      let offset = 0;
      while (offset < leader.logEndOffset) {
        const bytes = leader.read(offset, 1).records;
        offset = follower.appendAsFollower(Buffer.from(bytes)).lastOffset + 1;
      }
      expect(follower.segmentBaseOffsets).toEqual(leader.segmentBaseOffsets);
      expect(readAll(follower)).toEqual(readAll(leader));
    });
  });

  describe('retention', () => {
    it('deletes inactive segments older than retention.ms, never the active one', () => {
      const clock = new ManualClock(1_000_000);
      const log = open(dir, { segmentBytes: 300, retentionMs: 10_000 }, { now: clock.now });
      for (let i = 0; i < 6; i++) log.append(makeBatch(1, { valueBytes: 100, timestamp: clock.time + i }));
      log.highWatermark = log.logEndOffset;
      const segments = log.segmentCount;
      expect(log.enforceRetention()).toBe(0);
      clock.advance(20_000);
      expect(log.enforceRetention()).toBe(segments - 1);
      expect(log.segmentCount).toBe(1);
      expect(log.logStartOffset).toBe(log.activeSegment.baseOffset);
      expect(log.activeSegment.size).toBeGreaterThan(0);
    });

    it('deletes the oldest segments while what remains stays at or above retention.bytes (Kafka\'s rule)', () => {
      const log = open(dir, { segmentBytes: 300, retentionBytes: 700, retentionMs: -1 });
      for (let i = 0; i < 12; i++) log.append(makeBatch(1, { valueBytes: 100 }));
      log.highWatermark = log.logEndOffset;
      expect(log.size).toBeGreaterThan(1400);
      expect(log.enforceRetention()).toBeGreaterThan(0);
      expect(log.size).toBeGreaterThanOrEqual(700);
      expect(log.size - log.activeSegment.size).toBeLessThan(700);
      expect(readAll(log).map((b) => b.baseOffset)).toEqual([...Array(12 - log.logStartOffset).keys()].map((i) => i + log.logStartOffset));
    });

    it('keeps segments the high watermark has not passed', () => {
      const log = open(dir, { segmentBytes: 300, retentionBytes: 0, retentionMs: 0 });
      for (let i = 0; i < 6; i++) log.append(makeBatch(1, { valueBytes: 100 }));
      expect(log.enforceRetention()).toBe(0);
    });
  });

  describe('reopen', () => {
    it('a clean close and reopen keeps every batch, offsets and indexes', async () => {
      const log = open(dir, { segmentBytes: 400, indexIntervalBytes: 100 });
      for (let i = 0; i < 20; i++) log.append(makeBatch(2, { valueBytes: 30 }));
      const before = readAll(log);
      await log.close();
      const logger = new CollectingLogger();
      const reopened = open(dir, { segmentBytes: 400, indexIntervalBytes: 100 }, { cleanShutdown: true, logger });
      expect(readAll(reopened)).toEqual(before);
      expect(reopened.logEndOffset).toBe(40);
      expect(reopened.recoveryPoint).toBe(40);
      expect(logger.lines).toEqual([]);
      expect(reopened.append(makeBatch(1)).baseOffset).toBe(40);
    });
  });

  describe('storage errors', () => {
    it('a failed file operation takes the log dir offline and surfaces KAFKA_STORAGE_ERROR instead of crashing', () => {
      const io = new LogDirIo(tmp.dir);
      const failures: string[] = [];
      io.onOffline((d) => failures.push(d));
      const log = open(dir, {}, { io });
      log.append(makeBatch(1));
      fs.rmSync(dir, { recursive: true });
      expect(() => log.roll()).toThrow(KafkaStorageError);
      expect(failures).toEqual([tmp.dir]);
      expect(io.offline).toBe(true);
      expect(() => log.read(0, 100)).toThrow(expect.objectContaining({ errorCode: 56 }));
      expect(() => log.append(makeBatch(1))).toThrow(KafkaStorageError);
      logs.splice(logs.indexOf(log), 1);
      log.closeWithoutFlush();
    });
  });
});
