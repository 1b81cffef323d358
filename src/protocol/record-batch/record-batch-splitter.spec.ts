import { encodeRecordBatch } from './record-batch-encoder';
import { BatchOffsets, CompressionType } from './record-batch-layout';
import { RecordBatchSplitter, SplitStop } from './record-batch-splitter';

function batches(n: number): Buffer[] {
  return Array.from({ length: n }, (_, i) =>
    encodeRecordBatch(
      Array.from({ length: i + 1 }, (_, j) => ({ value: Buffer.from(`batch ${i} record ${j}`) })),
      { baseOffset: i * 10, compression: i % 2 ? CompressionType.Gzip : CompressionType.None },
    ),
  );
}

function positions(split: RecordBatchSplitter): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  while (split.next()) {
    split.view.validate();
    out.push([split.position, split.size]);
  }
  return out;
}

describe('RecordBatchSplitter', () => {
  const parts = batches(4);
  const all = Buffer.concat(parts);
  const expected: Array<[number, number]> = [];
  parts.reduce((pos, b) => (expected.push([pos, b.length]), pos + b.length), 0);

  it('finds every batch boundary and ends cleanly', () => {
    const split = new RecordBatchSplitter(all);
    expect(positions(split)).toEqual(expected);
    expect(split.stop).toBe(SplitStop.End);
    expect(split.stopPosition).toBe(all.length);
    expect(split.stopError()).toBeNull();
  });

  it('reports a torn tail at the position where the last complete batch ends', () => {
    for (const cut of [1, 11, 12, 17, 61, parts[3].length - 1]) {
      const torn = all.subarray(0, all.length - parts[3].length + cut);
      const split = new RecordBatchSplitter(torn);
      expect(positions(split)).toEqual(expected.slice(0, 3));
      expect(split.stop).toBe(SplitStop.PartialTail);
      expect(split.stopPosition).toBe(all.length - parts[3].length);
      expect(split.declaredSize).toBe(cut >= 12 ? parts[3].length : -1);
      expect(split.stopError()?.errorCode).toBe(2);
    }
  });

  it('stops at a header that cannot start a v2 batch', () => {
    const bad = Buffer.from(all);
    bad[expected[2][0] + BatchOffsets.magic] = 1;
    const split = new RecordBatchSplitter(bad);
    expect(positions(split)).toEqual(expected.slice(0, 2));
    expect(split.stop).toBe(SplitStop.Corrupt);
    expect(split.stopPosition).toBe(expected[2][0]);
    expect(split.stopError()?.message).toMatch(/magic 1/);

    const tiny = Buffer.from(all);
    tiny.writeInt32BE(10, expected[1][0] + BatchOffsets.batchLength);
    const split2 = new RecordBatchSplitter(tiny);
    expect(positions(split2)).toEqual(expected.slice(0, 1));
    expect(split2.stop).toBe(SplitStop.Corrupt);
    expect(split2.stopError()?.message).toMatch(/minimum/);
  });

  it('can be reset and reused over a sub-range', () => {
    const split = new RecordBatchSplitter();
    split.reset(all, expected[1][0], expected[3][0]);
    expect(positions(split)).toEqual(expected.slice(1, 3));
    expect(split.stop).toBe(SplitStop.End);
  });

  it('treats an empty buffer as a clean end', () => {
    const split = new RecordBatchSplitter(Buffer.alloc(0));
    expect(split.next()).toBe(false);
    expect(split.stop).toBe(SplitStop.End);
  });
});
