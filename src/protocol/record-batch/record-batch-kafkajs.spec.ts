/**
 * Interoperability with kafkajs's own RecordBatch encoder and decoder (its internal
 * modules, the code that runs inside a kafkajs producer and consumer). kafkajs ships
 * gzip only; snappy, lz4 and zstd go through its CompressionCodecs registry, where
 * our codecs are plugged in for these tests, so the framing under test is still ours
 * while the batch and record layout is kafkajs's.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import { codecFor } from '../compression/compression-codecs';
import { encodeRecordBatch } from './record-batch-encoder';
import { CompressionType } from './record-batch-layout';
import { RecordBatchView } from './record-batch-view';

const { RecordBatch: kafkajsEncodeBatch } = require('kafkajs/src/protocol/recordBatch/v0');
const kafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0');
const kafkajsDecodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder');
const KafkajsDecoder = require('kafkajs/src/protocol/decoder');

const T0 = 1_700_000_000_000;
const TYPES = [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];
const codecs = CompressionCodecs as unknown as Record<number, unknown>;
const saved = { ...codecs };

beforeAll(() => {
  for (const type of [CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
    const codec = codecFor(type);
    codecs[type] = () => ({
      compress: async (encoder: { buffer: Buffer }) => codec.compress(encoder.buffer),
      decompress: async (buf: Buffer) => codec.decompress(buf, 64 * 1024 * 1024),
    });
  }
});
afterAll(() => Object.assign(codecs, saved));

describe.each(TYPES.map((t) => [CompressionType[t], t] as const))('kafkajs interoperability, compression %s', (_name, compression) => {
  it('decodes a batch written by kafkajs', async () => {
    const records = [
      kafkajsRecord({ offsetDelta: 0, timestampDelta: 0, key: Buffer.from('a'), value: Buffer.from('first') }),
      kafkajsRecord({ offsetDelta: 1, timestampDelta: -3, key: null, value: Buffer.from('second'), headers: { h1: Buffer.from('x'), h2: 'y' } }),
      kafkajsRecord({ offsetDelta: 2, timestampDelta: 9, key: Buffer.from('c'), value: null }),
    ];
    const batch: Buffer = (
      await kafkajsEncodeBatch({
        compression: compression as unknown as CompressionTypes,
        firstOffset: 0,
        firstTimestamp: T0,
        maxTimestamp: T0 + 9,
        lastOffsetDelta: 2,
        producerId: 1234,
        producerEpoch: 2,
        firstSequence: 17,
        transactional: true,
        records,
      })
    ).buffer;
    const view = new RecordBatchView(batch);
    expect(view.validationError()).toBeNull();
    expect(view.compression).toBe(compression);
    expect(view.isTransactional).toBe(true);
    expect([view.producerId, view.producerEpoch, view.baseSequence, view.recordCount]).toEqual([1234, 2, 17, 3]);
    const decoded = [...view.records()];
    expect(decoded.map((r) => [r.offset, r.timestamp])).toEqual([[0, T0], [1, T0 - 3], [2, T0 + 9]]);
    expect(decoded.map((r) => r.key?.toString() ?? null)).toEqual(['a', null, 'c']);
    expect(decoded.map((r) => r.value?.toString() ?? null)).toEqual(['first', 'second', null]);
    expect(decoded[1].headers).toEqual([{ key: 'h1', value: Buffer.from('x') }, { key: 'h2', value: Buffer.from('y') }]);
  });

  it('writes a batch kafkajs decodes', async () => {
    const batch = encodeRecordBatch(
      [
        { key: Buffer.from('k'), value: Buffer.from('v1'), timestamp: T0, headers: [{ key: 'h', value: Buffer.from('hv') }] },
        { key: null, value: null, timestamp: T0 - 1 },
        { value: Buffer.alloc(5_000, 'p'), timestamp: T0 + 1 },
      ],
      { compression, baseOffset: 40, partitionLeaderEpoch: 3, producerId: 7, producerEpoch: 1, baseSequence: 0 },
    );
    const decoded = await kafkajsDecodeBatch(new KafkajsDecoder(batch));
    expect(decoded.firstOffset).toBe('40');
    expect(decoded.partitionLeaderEpoch).toBe(3);
    expect(decoded.producerId).toBe('7');
    expect(decoded.records.map((r: { offset: string }) => r.offset)).toEqual(['40', '41', '42']);
    expect(decoded.records.map((r: { timestamp: string }) => r.timestamp)).toEqual([`${T0}`, `${T0 - 1}`, `${T0 + 1}`]);
    expect(decoded.records[0].key.toString()).toBe('k');
    expect(decoded.records[0].headers).toEqual({ h: Buffer.from('hv') });
    expect(decoded.records[1].key).toBeNull();
    expect(decoded.records[1].value).toBeNull();
    expect(decoded.records[2].value.length).toBe(5_000);
  });
});
