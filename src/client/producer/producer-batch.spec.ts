import { CompressionType, RecordBatchView } from '../../protocol';
import { ProducerBatch, singleRecordBatchUpperBound, type RecordMetadata } from './producer-batch';
import { VIA_CALLBACK, VIA_COMPLETION, type RecordCompletion } from './record-completion';

function collect() {
  const done: RecordMetadata[] = [];
  const failed: Error[] = [];
  return { done, failed, resolve: (m: RecordMetadata) => done.push(m), reject: (e: Error) => failed.push(e) };
}

function decode(bytes: Buffer) {
  const view = new RecordBatchView(bytes);
  view.validate();
  return { view, records: [...view.records()] };
}

describe('ProducerBatch', () => {
  it('writes a RecordBatch v2 the protocol reader validates, with keys, values, headers and timestamps', () => {
    const sink = collect();
    const batch = new ProducerBatch('t', 2, Buffer.alloc(16_384), Date.now(), 16_384);
    const base = 1_700_000_000_000;
    expect(batch.tryAppend(base, Buffer.from('k1'), Buffer.from('v1'), null, sink.resolve, sink.reject)).toBeGreaterThan(0);
    batch.tryAppend(base - 5, null, null, [{ key: 'h', value: Buffer.from('x') }, { key: 'ü', value: null }], sink.resolve, sink.reject);
    batch.tryAppend(base + 100_000, Buffer.alloc(300, 1), Buffer.alloc(5000, 2), null, sink.resolve, sink.reject);
    batch.close(CompressionType.None);
    const { view, records } = decode(batch.bytes);
    expect([view.recordCount, view.baseTimestamp, view.maxTimestamp, view.lastOffsetDelta, view.producerId, view.baseSequence]).toEqual([3, base, base + 100_000, 2, -1, -1]);
    expect(records.map((r) => [r.key?.toString() ?? null, r.value?.length ?? null, r.timestamp, r.offsetDelta])).toEqual([
      ['k1', 2, base, 0],
      [null, null, base - 5, 1],
      [Buffer.alloc(300, 1).toString(), 5000, base + 100_000, 2],
    ]);
    expect(records[1].headers).toEqual([
      { key: 'h', value: Buffer.from('x') },
      { key: 'ü', value: null },
    ]);
  });

  it.each([CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd])('compresses the records with codec %s', (codec) => {
    const sink = collect();
    const batch = new ProducerBatch('t', 0, Buffer.alloc(64 * 1024), Date.now(), 64 * 1024);
    for (let i = 0; i < 200; i++) batch.tryAppend(1000 + i, Buffer.from(`key-${i}`), Buffer.from(`value-${i}`.repeat(10)), null, sink.resolve, sink.reject);
    const copy = batch.close(codec)!;
    expect(copy).not.toBeNull();
    expect(copy.length).toBeLessThan(batch.uncompressedBytes);
    const { view, records } = decode(batch.bytes);
    expect(view.compression).toBe(codec);
    expect(records.map((r) => r.value!.toString())).toEqual(Array.from({ length: 200 }, (_, i) => `value-${i}`.repeat(10)));
  });

  it('rewrites the idempotence fields and the CRC in place', () => {
    const sink = collect();
    const batch = new ProducerBatch('t', 0, Buffer.alloc(1024), Date.now(), 1024);
    batch.tryAppend(1, null, Buffer.from('a'), null, sink.resolve, sink.reject);
    batch.tryAppend(1, null, Buffer.from('b'), null, sink.resolve, sink.reject);
    batch.close(CompressionType.None);
    batch.setProducerState(77, 3, 10);
    let { view } = decode(batch.bytes);
    expect([view.producerId, view.producerEpoch, view.baseSequence, view.lastSequence, batch.lastSequence]).toEqual([77, 3, 10, 11, 11]);
    batch.setProducerState(78, 0, 0);
    ({ view } = decode(batch.bytes));
    expect([view.producerId, view.baseSequence]).toEqual([78, 0]);
  });

  it('stops at its write limit, but always takes a first record that its buffer was sized for', () => {
    const sink = collect();
    const batch = new ProducerBatch('t', 0, Buffer.alloc(200), Date.now(), 100);
    expect(batch.tryAppend(1, null, Buffer.alloc(90), null, sink.resolve, sink.reject)).toBeGreaterThan(0);
    expect(batch.full).toBe(true);
    expect(batch.tryAppend(1, null, Buffer.alloc(1), null, sink.resolve, sink.reject)).toBe(0);
    expect(batch.recordCount).toBe(1);
    expect(singleRecordBatchUpperBound(null, Buffer.alloc(90), null)).toBeGreaterThanOrEqual(61 + 90 + 7);
  });

  it('says when only the buffer is too small, so it can be grown', () => {
    const sink = collect();
    const batch = new ProducerBatch('t', 0, Buffer.alloc(100), Date.now(), 1000);
    batch.tryAppend(1, null, Buffer.alloc(20), null, sink.resolve, sink.reject);
    expect(batch.tryAppend(1, null, Buffer.alloc(50), null, sink.resolve, sink.reject)).toBe(0);
    expect(batch.full).toBe(false);
    batch.grow(Buffer.alloc(1000), 1000);
    expect(batch.tryAppend(1, null, Buffer.alloc(50), null, sink.resolve, sink.reject)).toBeGreaterThan(0);
    batch.close(CompressionType.None);
    expect(decode(batch.bytes).records.map((r) => r.value!.length)).toEqual([20, 50]);
  });

  it('settles every record: offsets from the base offset, the append time on LogAppendTime topics', async () => {
    const sink = collect();
    const batch = new ProducerBatch('t', 1, Buffer.alloc(1024), Date.now(), 1024);
    batch.tryAppend(10, null, Buffer.from('a'), null, sink.resolve, sink.reject);
    batch.tryAppend(20, null, Buffer.from('b'), null, sink.resolve, sink.reject);
    const done = batch.whenDone();
    batch.complete(100, -1);
    await done;
    expect(sink.done).toEqual([
      { topic: 't', partition: 1, offset: 100, timestamp: 10 },
      { topic: 't', partition: 1, offset: 101, timestamp: 20 },
    ]);
    const other = collect();
    const appended = new ProducerBatch('t', 0, Buffer.alloc(1024), Date.now(), 1024);
    appended.tryAppend(10, null, null, null, other.resolve, other.reject);
    appended.complete(-1, 555);
    expect(other.done).toEqual([{ topic: 't', partition: 0, offset: -1, timestamp: 555 }]);
    const failing = collect();
    const lost = new ProducerBatch('t', 0, Buffer.alloc(1024), Date.now(), 1024);
    lost.tryAppend(1, null, null, null, failing.resolve, failing.reject);
    lost.tryAppend(1, null, null, null, failing.resolve, failing.reject);
    lost.fail(new Error('gone'));
    lost.complete(5, -1);
    expect([failing.failed.length, failing.done.length]).toEqual([2, 0]);
  });

  it('keeps every receiver and timestamp when records outnumber what the first record suggested', () => {
    const sink = collect();
    const batch = new ProducerBatch('t', 0, Buffer.alloc(4096), Date.now(), 4096);
    const base = 1_700_000_000_000;
    batch.tryAppend(base, null, Buffer.alloc(1000), null, sink.resolve, sink.reject);
    for (let i = 1; i < 300; i++) expect(batch.tryAppend(base + i, null, Buffer.from('x'), null, sink.resolve, sink.reject)).toBeGreaterThan(0);
    batch.complete(0, -1);
    expect(sink.done).toHaveLength(300);
    expect(sink.done.every((m, i) => m.offset === i && m.timestamp === base + i)).toBe(true);
  });

  it('completes callbacks and RecordCompletions with the same fields a promise gets', () => {
    const batch = new ProducerBatch('t', 3, Buffer.alloc(1024), Date.now(), 1024);
    const calls: unknown[] = [];
    const completion: RecordCompletion = { onAcknowledged: (...fields) => calls.push(fields), onFailed: (err) => calls.push(err.message) };
    batch.tryAppend(50, null, null, null, (err, metadata) => calls.push([err, metadata]), VIA_CALLBACK);
    batch.tryAppend(60, null, null, null, completion, VIA_COMPLETION);
    batch.complete(7, -1);
    expect(calls).toEqual([
      [null, { topic: 't', partition: 3, offset: 7, timestamp: 50 }],
      ['t', 3, 8, 60],
    ]);
    const failed = new ProducerBatch('t', 3, Buffer.alloc(1024), Date.now(), 1024);
    failed.tryAppend(1, null, null, null, (err, metadata) => calls.push([err?.message, metadata]), VIA_CALLBACK);
    failed.tryAppend(1, null, null, null, completion, VIA_COMPLETION);
    failed.fail(new Error('gone'));
    expect(calls.slice(2)).toEqual([['gone', null], 'gone']);
  });
});
