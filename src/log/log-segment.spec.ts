import * as fs from 'node:fs';
import { LogDirIo } from './log-dir-io';
import { logFile, offsetIndexFile } from './log-file-names';
import { LogSegment, SegmentConfig } from './log-segment';
import { batchesIn, makeBatch, makeTempDir } from './log.test-helpers';

describe('LogSegment', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let io: LogDirIo;
  const config: SegmentConfig = { indexIntervalBytes: 200, maxIndexSize: 1024 };
  beforeEach(() => {
    tmp = makeTempDir();
    io = new LogDirIo(tmp.dir);
  });
  afterEach(() => tmp.cleanup());

  /** Appends `n` single-record batches of ~150 bytes from the segment's next offset. */
  function fill(segment: LogSegment, n: number, timestamp = 1000): void {
    for (let i = 0; i < n; i++) segment.append(makeBatch(1, { timestamp: timestamp + i, valueBytes: 80 }), segment.nextOffset, undefined);
  }

  it('names its files with the 20-digit base offset and writes the batches byte for byte', () => {
    const segment = LogSegment.create(tmp.dir, 42, config, io, 0);
    const batch = makeBatch(3);
    segment.append(batch, 42, 7);
    expect(fs.existsSync(logFile(tmp.dir, 42))).toBe(true);
    expect(logFile(tmp.dir, 42)).toMatch(/00000000000000000042\.log$/);
    const onDisk = fs.readFileSync(logFile(tmp.dir, 42));
    expect(onDisk.equals(batch)).toBe(true);
    expect(onDisk.readBigInt64BE(0)).toBe(42n);
    expect(onDisk.readInt32BE(12)).toBe(7);
    expect(segment.nextOffset).toBe(45);
    expect(batchesIn(onDisk)[0].valid).toBe(true);
    segment.close();
  });

  it('adds an index entry once more than indexIntervalBytes were appended since the last one', () => {
    const segment = LogSegment.create(tmp.dir, 0, config, io, 0);
    fill(segment, 10);
    const batchBytes = segment.size / 10;
    // Entries land on the batch after every > 200 bytes: with ~150-byte batches every second batch.
    expect(batchBytes).toBeGreaterThan(100);
    expect(segment.offsetIndex.entries).toBe(Math.floor((10 - 1) / Math.ceil(201 / batchBytes)));
    const first = segment.offsetIndex.entry(0);
    expect(first.position % batchBytes).toBe(0);
    expect(first.offset).toBe(first.position / batchBytes);
    expect(segment.timeIndex.entries).toBe(segment.offsetIndex.entries);
    segment.close();
  });

  it('translates any offset to the batch that holds it', () => {
    const segment = LogSegment.create(tmp.dir, 0, config, io, 0);
    for (let i = 0; i < 20; i++) segment.append(makeBatch(3, { valueBytes: 40 }), segment.nextOffset, undefined);
    for (const offset of [0, 1, 2, 3, 31, 59]) {
      const found = segment.translateOffset(offset)!;
      expect(found.baseOffset).toBe(offset - (offset % 3));
      expect(found.lastOffset).toBe(found.baseOffset + 2);
    }
    expect(segment.translateOffset(60)).toBeUndefined();
    segment.close();
  });

  it('reads whole batches within maxBytes, the first even when larger, none reaching maxOffset', () => {
    const segment = LogSegment.create(tmp.dir, 0, config, io, 0);
    fill(segment, 5);
    const size = segment.size / 5;
    expect(batchesIn(segment.read(0, size * 2 + 10, undefined, true)!).map((b) => b.baseOffset)).toEqual([0, 1]);
    expect(batchesIn(segment.read(1, 1, undefined, true)!).map((b) => b.baseOffset)).toEqual([1]);
    expect(segment.read(1, 1, undefined, false)).toBeUndefined();
    expect(batchesIn(segment.read(0, 1 << 20, 3, true)!).map((b) => b.baseOffset)).toEqual([0, 1, 2]);
    expect(segment.read(3, 1 << 20, 3, true)).toBeUndefined();
    segment.close();
  });

  it('rolls on size, age (first batch timestamp to appended timestamp) and a full index, never when empty', () => {
    const segment = LogSegment.create(tmp.dir, 0, { indexIntervalBytes: 1, maxIndexSize: 16 }, io, 1000);
    expect(segment.shouldRoll(10_000, 0, 1_000_000, 100, 10, 1_000_000)).toBe(false);
    segment.append(makeBatch(1, { timestamp: 5000 }), 0, undefined);
    expect(segment.shouldRoll(10, 1, 5000, 1 << 20, 1 << 30, 9e12)).toBe(false);
    expect(segment.shouldRoll(1 << 20, 1, 5000, 1 << 20, 1 << 30, 5000)).toBe(true);
    expect(segment.shouldRoll(10, 1, 5100, 1 << 20, 100, 0)).toBe(false);
    expect(segment.shouldRoll(10, 1, 5101, 1 << 20, 100, 0)).toBe(true);
    expect(segment.shouldRoll(10, 2 ** 31, 5000, 1 << 20, 1 << 30, 5000)).toBe(true);
    segment.append(makeBatch(1), 1, undefined);
    segment.append(makeBatch(1), 2, undefined);
    segment.append(makeBatch(1), 3, undefined);
    expect(segment.offsetIndex.isFull).toBe(true);
    expect(segment.shouldRoll(10, 4, 5000, 1 << 20, 1 << 30, 5000)).toBe(true);
    segment.close();
  });

  it('truncates to the batch holding an offset, cutting the indexes with it', () => {
    const segment = LogSegment.create(tmp.dir, 0, config, io, 0);
    for (let i = 0; i < 10; i++) segment.append(makeBatch(2, { valueBytes: 60 }), segment.nextOffset, undefined);
    const before = segment.size;
    const cut = segment.truncateTo(11);
    expect(segment.nextOffset).toBe(10);
    expect(segment.size).toBe(before / 2);
    expect(cut).toBe(before / 2);
    expect(segment.offsetIndex.lastOffset).toBeLessThan(10);
    expect(fs.statSync(logFile(tmp.dir, 0)).size).toBe(before / 2);
    segment.close();
  });

  it('recovery rebuilds the indexes of a segment from its log', () => {
    const segment = LogSegment.create(tmp.dir, 0, config, io, 0);
    fill(segment, 10);
    const expected = [...Array(segment.offsetIndex.entries).keys()].map((i) => segment.offsetIndex.entry(i));
    segment.close();
    fs.rmSync(offsetIndexFile(tmp.dir, 0));
    const { segment: reopened, recovery } = LogSegment.open(tmp.dir, 0, config, io, true);
    expect(recovery).toEqual({ validBytes: reopened.size, truncatedBytes: 0, reason: undefined });
    expect([...Array(reopened.offsetIndex.entries).keys()].map((i) => reopened.offsetIndex.entry(i))).toEqual(expected);
    expect(fs.statSync(offsetIndexFile(tmp.dir, 0)).size).toBe(expected.length * 8);
    reopened.close();
  });

  it('finds the first record at or after a timestamp inside a batch', () => {
    const segment = LogSegment.create(tmp.dir, 100, config, io, 0);
    segment.append(makeBatch(5, { timestamp: 1000 }), 100, undefined); // 1000..1004 at 100..104
    segment.append(makeBatch(5, { timestamp: 2000 }), 105, undefined); // 2000..2004 at 105..109
    expect(segment.findOffsetByTimestamp(0, 0)).toEqual({ offset: 100, timestamp: 1000 });
    expect(segment.findOffsetByTimestamp(1003, 0)).toEqual({ offset: 103, timestamp: 1003 });
    expect(segment.findOffsetByTimestamp(1500, 0)).toEqual({ offset: 105, timestamp: 2000 });
    expect(segment.findOffsetByTimestamp(2004, 0)).toEqual({ offset: 109, timestamp: 2004 });
    expect(segment.findOffsetByTimestamp(2005, 0)).toBeUndefined();
    segment.close();
  });
});
