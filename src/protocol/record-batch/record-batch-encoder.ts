import { varintSize, writeVarint } from '../codec/varint';
import { codecFor } from '../compression/compression-codecs';
import { crc32c } from './crc32c';
import { writeInt64 } from './int64';
import {
  BATCH_HEADER_SIZE,
  BATCH_LOG_OVERHEAD,
  BatchAttributes,
  BatchOffsets,
  CompressionType,
  CRC_START,
  CURRENT_MAGIC,
} from './record-batch-layout';
import { RecordHeader } from './record-reader';

export interface RecordInput {
  key?: Buffer | null;
  value: Buffer | null;
  headers?: readonly RecordHeader[];
  /** Create time in ms; defaults to the batch's baseTimestamp (or now). */
  timestamp?: number;
  /** Offset delta within the batch; defaults to the record's index (set with lastOffsetDelta for a batch with gaps). */
  offsetDelta?: number;
}

export interface RecordBatchOptions {
  /** Producers write 0; the broker rewrites it on append. */
  baseOffset?: number;
  /** -1 from producers; the leader's epoch once appended. */
  partitionLeaderEpoch?: number;
  compression?: CompressionType;
  logAppendTime?: boolean;
  transactional?: boolean;
  control?: boolean;
  /** -1 when not idempotent. */
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  /** Defaults to the first record's timestamp, as the Java producer does. */
  baseTimestamp?: number;
  /** Defaults to the largest record timestamp. */
  maxTimestamp?: number;
  /** Defaults to count - 1 (0 for an empty batch); records get offset deltas 0, 1, 2... */
  lastOffsetDelta?: number;
}

/*
 * Zigzag varints sized and written inline for the common 1-3 byte case (lengths and
 * deltas of ordinary records); larger values go through the shared writer. Varlongs
 * use the same encoding, so timestamps deltas take the same path.
 */
// Record body sizes from the sizing pass, reused across calls (grown, never shrunk).
let bodySizes = new Int32Array(1024);

/** Bytes of a record's headers section (count, then each key and value), 1 for none. Shared with the SDK's batch builder. */
export function recordHeadersSize(headers: readonly RecordHeader[] | null | undefined): number {
  if (!headers || headers.length === 0) return 1;
  let size = varintSize(headers.length);
  for (const h of headers) {
    const keyBytes = Buffer.byteLength(h.key, 'utf8');
    size += varintSize(keyBytes) + keyBytes;
    size += h.value === null ? 1 : varintSize(h.value.length) + h.value.length;
  }
  return size;
}

/** Writes a record's headers section at `offset`; returns the offset after it. */
export function writeRecordHeaders(buf: Buffer, offset: number, headers: readonly RecordHeader[] | null | undefined): number {
  if (!headers || headers.length === 0) {
    buf[offset] = 0;
    return offset + 1;
  }
  offset = writeVarint(buf, offset, headers.length);
  for (const h of headers) {
    offset = writeVarint(buf, offset, Buffer.byteLength(h.key, 'utf8'));
    offset += buf.write(h.key, offset, 'utf8');
    if (h.value === null) {
      buf[offset++] = 1;
    } else {
      offset = writeVarint(buf, offset, h.value.length);
      offset += h.value.copy(buf, offset);
    }
  }
  return offset;
}

/** Writes the records section at `offset`; returns the offset after it. */
function writeRecords(buf: Buffer, offset: number, records: readonly RecordInput[], baseTimestamp: number): number {
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    offset = writeVarint(buf, offset, bodySizes[i]);
    buf[offset++] = 0;
    offset = writeVarint(buf, offset, (r.timestamp ?? baseTimestamp) - baseTimestamp);
    offset = writeVarint(buf, offset, r.offsetDelta ?? i);
    const key = r.key ?? null;
    if (key === null) {
      buf[offset++] = 1; // zigzag(-1)
    } else {
      offset = writeVarint(buf, offset, key.length);
      buf.set(key, offset);
      offset += key.length;
    }
    if (r.value === null) {
      buf[offset++] = 1;
    } else {
      offset = writeVarint(buf, offset, r.value.length);
      buf.set(r.value, offset);
      offset += r.value.length;
    }
    offset = writeRecordHeaders(buf, offset, r.headers);
  }
  return offset;
}

/**
 * Builds one RecordBatch v2. Uncompressed, the batch is sized first and written into
 * a single allocation; compressed, the records are written to a scratch buffer,
 * compressed, and the header is written in front of the result.
 */
export function encodeRecordBatch(records: readonly RecordInput[], options: RecordBatchOptions = {}): Buffer {
  const count = records.length;
  let baseTimestamp = options.baseTimestamp ?? records[0]?.timestamp;
  if (baseTimestamp === undefined) baseTimestamp = Date.now();
  let maxTimestamp = -Infinity;
  if (bodySizes.length < count) bodySizes = new Int32Array(Math.max(count, bodySizes.length * 2));

  let recordsSize = 0;
  for (let i = 0; i < count; i++) {
    const r = records[i];
    const timestamp = r.timestamp ?? baseTimestamp;
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
    const key = r.key ?? null;
    const body =
      1 +
      varintSize(timestamp - baseTimestamp) +
      varintSize(r.offsetDelta ?? i) +
      (key === null ? 1 : varintSize(key.length) + key.length) +
      (r.value === null ? 1 : varintSize(r.value.length) + r.value.length) +
      recordHeadersSize(r.headers);
    bodySizes[i] = body;
    recordsSize += varintSize(body) + body;
  }
  if (count === 0) maxTimestamp = baseTimestamp;

  const compression = options.compression ?? CompressionType.None;
  let batch: Buffer;
  if (compression === CompressionType.None) {
    batch = Buffer.allocUnsafe(BATCH_HEADER_SIZE + recordsSize);
    writeRecords(batch, BATCH_HEADER_SIZE, records, baseTimestamp);
  } else {
    const raw = Buffer.allocUnsafe(recordsSize);
    writeRecords(raw, 0, records, baseTimestamp);
    const compressed = codecFor(compression).compress(raw);
    batch = Buffer.allocUnsafe(BATCH_HEADER_SIZE + compressed.length);
    compressed.copy(batch, BATCH_HEADER_SIZE);
  }

  let attributes = compression & BatchAttributes.CompressionMask;
  if (options.logAppendTime) attributes |= BatchAttributes.TimestampTypeLogAppend;
  if (options.transactional) attributes |= BatchAttributes.Transactional;
  if (options.control) attributes |= BatchAttributes.Control;

  writeInt64(batch, BatchOffsets.baseOffset, options.baseOffset ?? 0);
  batch.writeInt32BE(batch.length - BATCH_LOG_OVERHEAD, BatchOffsets.batchLength);
  batch.writeInt32BE(options.partitionLeaderEpoch ?? -1, BatchOffsets.partitionLeaderEpoch);
  batch.writeInt8(CURRENT_MAGIC, BatchOffsets.magic);
  batch.writeInt16BE(attributes, BatchOffsets.attributes);
  batch.writeInt32BE(options.lastOffsetDelta ?? Math.max(0, count - 1), BatchOffsets.lastOffsetDelta);
  writeInt64(batch, BatchOffsets.baseTimestamp, baseTimestamp);
  writeInt64(batch, BatchOffsets.maxTimestamp, options.maxTimestamp ?? maxTimestamp);
  writeInt64(batch, BatchOffsets.producerId, options.producerId ?? -1);
  batch.writeInt16BE(options.producerEpoch ?? -1, BatchOffsets.producerEpoch);
  batch.writeInt32BE(options.baseSequence ?? -1, BatchOffsets.baseSequence);
  batch.writeInt32BE(count, BatchOffsets.recordCount);
  batch.writeUInt32BE(crc32c(batch, CRC_START, batch.length), BatchOffsets.crc);
  return batch;
}
