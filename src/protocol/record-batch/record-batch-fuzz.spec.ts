import { ProtocolError } from '../protocol-error';
import { encodeRecordBatch } from './record-batch-encoder';
import { BatchOffsets, CompressionType } from './record-batch-layout';
import { RecordBatchSplitter } from './record-batch-splitter';
import { RecordBatchView } from './record-batch-view';

/** xorshift32: a fixed seed keeps a failure reproducible. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

function seedBatches(): Buffer[] {
  const records = Array.from({ length: 6 }, (_, i) => ({
    key: i % 2 ? null : Buffer.from(`key-${i}`),
    value: i === 3 ? null : Buffer.from(`value ${i} `.repeat(i + 1)),
    timestamp: 1_700_000_000_000 + i * (i % 2 ? -7 : 11),
    headers: i % 3 === 0 ? [{ key: `h${i}`, value: Buffer.from('hv') }, { key: 'n', value: null }] : undefined,
  }));
  return [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd].map((compression) =>
    encodeRecordBatch(records, { compression, producerId: 3, producerEpoch: 0, baseSequence: 0 }),
  );
}

function mutate(src: Buffer, rand: () => number): Buffer {
  let buf = Buffer.from(src);
  const edits = 1 + Math.floor(rand() * 4);
  for (let e = 0; e < edits; e++) {
    const kind = rand();
    const at = Math.floor(rand() * buf.length);
    if (kind < 0.5) buf[at] = Math.floor(rand() * 256);
    else if (kind < 0.7) buf[at] ^= 1 << Math.floor(rand() * 8);
    else if (kind < 0.85) buf = buf.subarray(0, at);
    else buf = Buffer.concat([buf.subarray(0, at), Buffer.from([Math.floor(rand() * 256), 0xff, 0x7f]), buf.subarray(at)]);
  }
  return buf;
}

/** Runs everything a reader may do with the bytes; anything but a ProtocolError fails the test. */
function exercise(bytes: Buffer, fixCrc: boolean): void {
  const view = new RecordBatchView(bytes);
  if (fixCrc && bytes.length >= 61) bytes.writeUInt32BE(view.computeCrc(), BatchOffsets.crc);
  try {
    view.validationError();
    view.clientBatchError();
    for (const r of view.records(1024 * 1024)) void r.headers.length;
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
  }
  const split = new RecordBatchSplitter(bytes);
  while (split.next()) split.view.validationError();
  split.stopError();
}

describe('RecordBatch fuzzing', () => {
  const seeds = seedBatches();

  it('never throws anything but ProtocolError on mutated batches, with or without a matching CRC', () => {
    const rand = rng(0x5eed);
    for (let i = 0; i < 4_000; i++) {
      const base = seeds[i % seeds.length];
      const mutated = mutate(base, rand);
      expect(() => exercise(mutated, i % 2 === 0)).not.toThrow();
    }
  });

  it('flags every single-byte change under the CRC as CORRUPT_MESSAGE', () => {
    const rand = rng(42);
    for (let i = 0; i < 500; i++) {
      const base = seeds[i % seeds.length];
      const copy = Buffer.from(base);
      const at = BatchOffsets.attributes + Math.floor(rand() * (copy.length - BatchOffsets.attributes));
      copy[at] ^= 1 + Math.floor(rand() * 255);
      expect(new RecordBatchView(copy).validationError()?.errorCode).toBe(2);
    }
  });
});
