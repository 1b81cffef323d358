import { compressRawSnappy } from '../compression/snappy.codec';
import { ProtocolError } from '../protocol-error';
import { encodeRecordBatch, RecordInput } from './record-batch-encoder';
import { BatchOffsets, CompressionType } from './record-batch-layout';
import { RecordBatchView } from './record-batch-view';

const T0 = 1_700_000_000_000;

function sampleRecords(): RecordInput[] {
  return [
    { key: Buffer.from('k0'), value: Buffer.from('v0'), timestamp: T0 },
    { key: null, value: Buffer.from('no key'), timestamp: T0 - 5_000 },
    { key: Buffer.from('k2'), value: null, timestamp: T0 + 10, headers: [{ key: 'trace', value: Buffer.from('abc') }, { key: 'ünïcode', value: null }] },
    { value: Buffer.alloc(0), timestamp: T0 + 2 },
  ];
}

function codeOf(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
    return (err as ProtocolError).errorCode;
  }
  return 0;
}

describe('RecordBatchView header', () => {
  it('reads back every header field the encoder wrote', () => {
    const batch = encodeRecordBatch(sampleRecords(), {
      baseOffset: 2 ** 40 + 7,
      partitionLeaderEpoch: 12,
      compression: CompressionType.None,
      transactional: true,
      producerId: 2 ** 33 + 1,
      producerEpoch: 3,
      baseSequence: 1_000,
    });
    const view = new RecordBatchView(batch);
    expect(view.validationError()).toBeNull();
    expect(view.baseOffset).toBe(2 ** 40 + 7);
    expect(view.batchLength).toBe(batch.length - 12);
    expect(view.partitionLeaderEpoch).toBe(12);
    expect(view.magic).toBe(2);
    expect(view.compression).toBe(CompressionType.None);
    expect(view.isTransactional).toBe(true);
    expect(view.isControl).toBe(false);
    expect(view.isLogAppendTime).toBe(false);
    expect(view.lastOffsetDelta).toBe(3);
    expect(view.lastOffset).toBe(2 ** 40 + 10);
    expect(view.baseTimestamp).toBe(T0);
    expect(view.maxTimestamp).toBe(T0 + 10);
    expect(view.producerId).toBe(2 ** 33 + 1);
    expect(view.producerEpoch).toBe(3);
    expect(view.baseSequence).toBe(1_000);
    expect(view.lastSequence).toBe(1_003);
    expect(view.recordCount).toBe(4);
    expect(view.clientBatchError()).toBeNull();
  });

  it('defaults to no producer id, epoch or sequence', () => {
    const view = new RecordBatchView(encodeRecordBatch([{ value: Buffer.from('x') }]));
    expect(view.producerId).toBe(-1);
    expect(view.producerEpoch).toBe(-1);
    expect(view.baseSequence).toBe(-1);
    expect(view.lastSequence).toBe(-1);
    expect(view.partitionLeaderEpoch).toBe(-1);
  });

  it('works on a batch in the middle of a larger buffer without copying', () => {
    const batch = encodeRecordBatch(sampleRecords());
    const frame = Buffer.concat([Buffer.alloc(13, 0xaa), batch, Buffer.alloc(5, 0xbb)]);
    const view = new RecordBatchView(frame, 13, 13 + batch.length);
    view.validate();
    const values = [...view.records()].map((r) => r.value);
    expect(values[0]!.buffer).toBe(frame.buffer);
  });
});

describe('RecordBatchView CRC and framing', () => {
  it('detects a flipped byte anywhere under the CRC', () => {
    const batch = encodeRecordBatch(sampleRecords());
    for (let i = BatchOffsets.attributes; i < batch.length; i++) {
      const copy = Buffer.from(batch);
      copy[i] ^= 0x01;
      expect(codeOf(() => new RecordBatchView(copy).validate())).toBe(2);
    }
  });

  it('keeps the CRC valid when base offset and leader epoch are rewritten in place', () => {
    const batch = encodeRecordBatch(sampleRecords(), { producerId: 5, producerEpoch: 0, baseSequence: 0 });
    const crc = batch.readUInt32BE(BatchOffsets.crc);
    const view = new RecordBatchView(batch);
    view.setBaseOffset(123_456_789_012);
    view.setPartitionLeaderEpoch(77);
    expect(view.baseOffset).toBe(123_456_789_012);
    expect(view.partitionLeaderEpoch).toBe(77);
    expect(view.crc).toBe(crc);
    expect(view.validationError()).toBeNull();
    expect([...view.records()].map((r) => r.offset)).toEqual([123_456_789_012, 123_456_789_013, 123_456_789_014, 123_456_789_015]);
  });

  it('rewrites the timestamp type for LogAppendTime and recomputes the CRC', () => {
    const view = new RecordBatchView(encodeRecordBatch(sampleRecords()));
    view.setLogAppendTime(T0 + 99);
    expect(view.validationError()).toBeNull();
    expect(view.isLogAppendTime).toBe(true);
    expect([...view.records()].every((r) => r.timestamp === T0 + 99)).toBe(true);
  });

  it('rejects short, mis-sized and wrong-magic batches as CORRUPT_MESSAGE', () => {
    const batch = encodeRecordBatch(sampleRecords());
    expect(codeOf(() => new RecordBatchView(batch, 0, 60).validate())).toBe(2);
    expect(codeOf(() => new RecordBatchView(batch, 0, batch.length - 1).validate())).toBe(2);
    const wrongMagic = Buffer.from(batch);
    wrongMagic[BatchOffsets.magic] = 1;
    expect(codeOf(() => new RecordBatchView(wrongMagic).validate())).toBe(2);
  });

  it('rejects counts that contradict the offset range as INVALID_RECORD', () => {
    const tooMany = encodeRecordBatch(sampleRecords(), { lastOffsetDelta: 1 });
    expect(codeOf(() => new RecordBatchView(tooMany).validate())).toBe(87);
    const compacted = encodeRecordBatch(sampleRecords(), { lastOffsetDelta: 10 });
    expect(new RecordBatchView(compacted).validationError()).toBeNull();
    expect(new RecordBatchView(compacted).clientBatchError()?.errorCode).toBe(87);
  });

  it('applies Kafka\'s client-batch rules: no control batches, a sequence when idempotent', () => {
    const control = new RecordBatchView(encodeRecordBatch([{ value: null }], { control: true }));
    expect(control.clientBatchError()?.message).toMatch(/control/);
    const noSequence = new RecordBatchView(encodeRecordBatch([{ value: null }], { producerId: 9, producerEpoch: 0 }));
    expect(noSequence.clientBatchError()?.message).toMatch(/sequence/);
  });
});

describe('RecordBatchView records', () => {
  it.each([CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd].map((c) => [CompressionType[c], c] as const))(
    'round-trips null keys and values, headers and negative deltas with compression %s',
    (_name, compression) => {
      const input = sampleRecords();
      const view = new RecordBatchView(encodeRecordBatch(input, { compression, baseOffset: 100 }));
      view.validate();
      expect(view.compression).toBe(compression);
      const records = [...view.records()];
      expect(records.map((r) => r.offset)).toEqual([100, 101, 102, 103]);
      expect(records.map((r) => r.timestamp)).toEqual(input.map((r) => r.timestamp));
      expect(records[1].timestampDelta).toBe(-5_000);
      expect(records.map((r) => r.key?.toString() ?? null)).toEqual(['k0', null, 'k2', null]);
      expect(records.map((r) => r.value?.toString() ?? null)).toEqual(['v0', 'no key', null, '']);
      expect(records[2].headers).toEqual([
        { key: 'trace', value: Buffer.from('abc') },
        { key: 'ünïcode', value: null },
      ]);
      expect(records[0].headers).toEqual([]);
    },
  );

  it('reads a snappy batch framed raw, as librdkafka writes it', () => {
    const xerial = encodeRecordBatch(sampleRecords(), { compression: CompressionType.Snappy });
    const records = new RecordBatchView(xerial).recordsPayload();
    const raw = Buffer.concat([xerial.subarray(0, 61), compressRawSnappy(records)]);
    raw.writeInt32BE(raw.length - 12, BatchOffsets.batchLength);
    const view = new RecordBatchView(raw);
    raw.writeUInt32BE(view.computeCrc(), BatchOffsets.crc);
    view.validate();
    expect([...view.records()].map((r) => r.value?.toString() ?? null)).toEqual(['v0', 'no key', null, '']);
  });

  it('enforces the expansion cap when iterating a compressed batch', () => {
    const big = encodeRecordBatch([{ value: Buffer.alloc(1_000_000) }], { compression: CompressionType.Zstd });
    expect(big.length).toBeLessThan(1_000);
    const view = new RecordBatchView(big);
    view.validate();
    expect(codeOf(() => view.recordReader(100_000))).toBe(2);
    expect(view.recordReader(2_000_000).next()).toBe(true);
  });

  it('reads records through a reused reader without building objects', () => {
    const view = new RecordBatchView(encodeRecordBatch(sampleRecords(), { baseOffset: 10 }));
    const reader = view.recordReader();
    const seen: number[] = [];
    while (reader.next()) seen.push(reader.offset, reader.keyLength, reader.valueLength, reader.headerCount);
    expect(seen).toEqual([10, 2, 2, 0, 11, -1, 6, 0, 12, 2, -1, 2, 13, -1, 0, 0]);
  });

  it('reports a record count larger than the records as INVALID_RECORD', () => {
    const batch = encodeRecordBatch(sampleRecords(), { lastOffsetDelta: 9 });
    batch.writeInt32BE(5, BatchOffsets.recordCount);
    const view = new RecordBatchView(batch);
    // fix the CRC so only the count is wrong
    batch.writeUInt32BE(view.computeCrc(), BatchOffsets.crc);
    view.validate();
    expect(codeOf(() => [...view.records()])).toBe(87);
  });

  it('reports bytes left over after the last record as INVALID_RECORD', () => {
    const batch = encodeRecordBatch(sampleRecords(), { lastOffsetDelta: 9 });
    batch.writeInt32BE(3, BatchOffsets.recordCount);
    const view = new RecordBatchView(batch);
    batch.writeUInt32BE(view.computeCrc(), BatchOffsets.crc);
    expect(codeOf(() => [...view.records()])).toBe(87);
  });
});
