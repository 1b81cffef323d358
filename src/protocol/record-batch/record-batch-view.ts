import { codecFor } from '../compression/compression-codecs';
import { ProtocolError } from '../protocol-error';
import { crc32c } from './crc32c';
import { readInt64, writeInt64 } from './int64';
import { corruptBatch, invalidRecord } from './record-batch-errors';
import {
  BATCH_HEADER_SIZE,
  BATCH_LOG_OVERHEAD,
  BatchAttributes,
  BatchOffsets,
  CompressionType,
  CRC_START,
  CURRENT_MAGIC,
} from './record-batch-layout';
import { DecodedRecord, RecordReader } from './record-reader';

/**
 * How far a compressed batch may expand when nothing better is known. Kafka has no
 * such limit; ours keeps a "zip bomb" from taking the process down. Callers that know
 * the topic's max.message.bytes or a fetch's max bytes should pass their own.
 */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

/**
 * A lazy, zero-copy view over one RecordBatch v2 in a larger buffer (a Produce
 * request, a log segment read, a Fetch response). Header fields are read on demand,
 * `validate()` checks framing and the CRC without touching the records, the two
 * fields outside the CRC (baseOffset, partitionLeaderEpoch) are rewritten in place,
 * and records are decompressed and parsed only when iterated.
 *
 * `wrap()` re-points the view, so a scan over many batches uses one instance.
 * Header getters read fixed offsets without checks: call them on a batch that passed
 * `validate()` (or at least came from RecordBatchSplitter, which guarantees the header).
 */
export class RecordBatchView {
  buffer: Buffer;
  start: number;
  end: number;

  constructor(buffer: Buffer = Buffer.alloc(0), start = 0, end = buffer.length) {
    this.buffer = buffer;
    this.start = start;
    this.end = end;
  }

  wrap(buffer: Buffer, start = 0, end = buffer.length): this {
    this.buffer = buffer;
    this.start = start;
    this.end = end;
    return this;
  }

  /** The batch's bytes (a slice, no copy). */
  bytes(): Buffer {
    return this.buffer.subarray(this.start, this.end);
  }

  get sizeInBytes(): number {
    return this.end - this.start;
  }

  get baseOffset(): number {
    return readInt64(this.buffer, this.start + BatchOffsets.baseOffset);
  }
  get batchLength(): number {
    return this.buffer.readInt32BE(this.start + BatchOffsets.batchLength);
  }
  get partitionLeaderEpoch(): number {
    return this.buffer.readInt32BE(this.start + BatchOffsets.partitionLeaderEpoch);
  }
  get magic(): number {
    return this.buffer.readInt8(this.start + BatchOffsets.magic);
  }
  /** The CRC stored in the header. */
  get crc(): number {
    return this.buffer.readUInt32BE(this.start + BatchOffsets.crc);
  }
  get attributes(): number {
    return this.buffer.readInt16BE(this.start + BatchOffsets.attributes);
  }
  get compression(): CompressionType {
    return this.attributes & BatchAttributes.CompressionMask;
  }
  get isLogAppendTime(): boolean {
    return (this.attributes & BatchAttributes.TimestampTypeLogAppend) !== 0;
  }
  get isTransactional(): boolean {
    return (this.attributes & BatchAttributes.Transactional) !== 0;
  }
  get isControl(): boolean {
    return (this.attributes & BatchAttributes.Control) !== 0;
  }
  get lastOffsetDelta(): number {
    return this.buffer.readInt32BE(this.start + BatchOffsets.lastOffsetDelta);
  }
  get lastOffset(): number {
    return this.baseOffset + this.lastOffsetDelta;
  }
  /** The offset after this batch: where the next batch of the log starts. */
  get nextOffset(): number {
    return this.lastOffset + 1;
  }
  get baseTimestamp(): number {
    return readInt64(this.buffer, this.start + BatchOffsets.baseTimestamp);
  }
  get maxTimestamp(): number {
    return readInt64(this.buffer, this.start + BatchOffsets.maxTimestamp);
  }
  get producerId(): number {
    return readInt64(this.buffer, this.start + BatchOffsets.producerId);
  }
  get producerEpoch(): number {
    return this.buffer.readInt16BE(this.start + BatchOffsets.producerEpoch);
  }
  get baseSequence(): number {
    return this.buffer.readInt32BE(this.start + BatchOffsets.baseSequence);
  }
  /** Sequence numbers wrap at 2^31, as in Kafka's DefaultRecordBatch.incrementSequence. */
  get lastSequence(): number {
    const base = this.baseSequence;
    if (base < 0) return -1;
    return (base + this.lastOffsetDelta) % 2147483648;
  }
  get recordCount(): number {
    return this.buffer.readInt32BE(this.start + BatchOffsets.recordCount);
  }
  get hasProducerId(): boolean {
    return this.producerId >= 0;
  }

  /** CRC-32C of attributes..end, what the stored crc should equal. */
  computeCrc(): number {
    return crc32c(this.buffer, this.start + CRC_START, this.end);
  }

  /** The header getters read fixed offsets; this is what makes them safe to call. */
  private headerError(): ProtocolError | null {
    const size = this.end - this.start;
    if (this.start < 0 || this.end > this.buffer.length || size < BATCH_HEADER_SIZE) {
      return corruptBatch(`record batch of ${size} bytes is smaller than the ${BATCH_HEADER_SIZE}-byte header`);
    }
    return null;
  }

  /** Framing, magic, CRC and counts; null when the batch is sound. Records are not parsed. */
  validationError(): ProtocolError | null {
    const headerError = this.headerError();
    if (headerError) return headerError;
    const size = this.end - this.start;
    const batchLength = this.batchLength;
    if (batchLength + BATCH_LOG_OVERHEAD !== size) {
      return corruptBatch(`record batch declares ${batchLength + BATCH_LOG_OVERHEAD} bytes but ${size} are present`);
    }
    if (this.magic !== CURRENT_MAGIC) return corruptBatch(`unsupported record batch magic ${this.magic}`);
    const crc = this.computeCrc();
    if (crc !== this.crc) {
      return corruptBatch(`record batch is corrupt (stored crc ${this.crc}, computed crc ${crc})`);
    }
    const count = this.recordCount;
    if (count < 0) return invalidRecord(`invalid record count ${count}`);
    const lastOffsetDelta = this.lastOffsetDelta;
    // Compaction may leave fewer records than the offset range spans, never more.
    if (lastOffsetDelta < 0 || count > lastOffsetDelta + 1) {
      return invalidRecord(`last offset delta ${lastOffsetDelta} cannot hold ${count} records`);
    }
    return null;
  }

  validate(): void {
    const err = this.validationError();
    if (err) throw err;
  }

  /**
   * The checks Kafka's LogValidator applies to a batch a client produced (on top of
   * validate()): offsets 0..count-1, no control batches, a sequence when idempotent.
   */
  clientBatchError(): ProtocolError | null {
    const headerError = this.headerError();
    if (headerError) return headerError;
    const count = this.recordCount;
    if (count <= 0) return invalidRecord(`invalid reported count for record batch: ${count}`);
    if (this.lastOffsetDelta + 1 !== count) {
      return invalidRecord(`inconsistent batch offset range (last offset delta ${this.lastOffsetDelta}) and record count ${count}`);
    }
    if (this.isControl) return invalidRecord('clients are not allowed to write control records');
    if (this.hasProducerId && this.baseSequence < 0) {
      return invalidRecord(`invalid sequence number ${this.baseSequence} in record batch with producer id ${this.producerId}`);
    }
    return null;
  }

  /** Outside the CRC: no checksum to update. */
  setBaseOffset(offset: number): void {
    writeInt64(this.buffer, this.start + BatchOffsets.baseOffset, offset);
  }

  /** Outside the CRC: no checksum to update. */
  setPartitionLeaderEpoch(epoch: number): void {
    this.buffer.writeInt32BE(epoch, this.start + BatchOffsets.partitionLeaderEpoch);
  }

  /**
   * For topics with message.timestamp.type=LogAppendTime: sets the timestamp-type bit
   * and maxTimestamp. Both are inside the CRC, so it is recomputed (records untouched).
   */
  setLogAppendTime(timestamp: number): void {
    const at = this.start + BatchOffsets.attributes;
    this.buffer.writeInt16BE(this.buffer.readInt16BE(at) | BatchAttributes.TimestampTypeLogAppend, at);
    writeInt64(this.buffer, this.start + BatchOffsets.maxTimestamp, timestamp);
    this.buffer.writeUInt32BE(this.computeCrc(), this.start + BatchOffsets.crc);
  }

  /**
   * The records section, decompressed if needed (a slice of the batch when not).
   * Decompression never produces more than `maxDecompressed` bytes.
   */
  recordsPayload(maxDecompressed = DEFAULT_MAX_DECOMPRESSED_BYTES): Buffer {
    const records = this.recordsAsSent();
    const compression = this.compression;
    if (compression === CompressionType.None) return records;
    return codecFor(compression).decompress(records, maxDecompressed);
  }

  /**
   * The records' bytes in the pieces decompression produces (lz4: one per block), for a
   * reader that can look at them piece by piece without the copy that joins them.
   */
  recordsPayloadParts(maxDecompressed = DEFAULT_MAX_DECOMPRESSED_BYTES): Buffer[] {
    const records = this.recordsAsSent();
    const compression = this.compression;
    if (compression === CompressionType.None) return [records];
    const codec = codecFor(compression);
    return codec.decompressParts?.(records, maxDecompressed) ?? [codec.decompress(records, maxDecompressed)];
  }

  /** The bytes after the header, compressed or not; throws for a batch too short for its header. */
  private recordsAsSent(): Buffer {
    const headerError = this.headerError();
    if (headerError) throw headerError;
    return this.buffer.subarray(this.start + BATCH_HEADER_SIZE, this.end);
  }

  /** A reader positioned before the first record (pass one to reuse it). */
  recordReader(maxDecompressed = DEFAULT_MAX_DECOMPRESSED_BYTES, reader = new RecordReader()): RecordReader {
    const payload = this.recordsPayload(maxDecompressed);
    return reader.reset(
      payload,
      0,
      payload.length,
      this.recordCount,
      this.baseOffset,
      this.baseTimestamp,
      this.isLogAppendTime ? this.maxTimestamp : null,
    );
  }

  /** Each record as an object; for consumers, tests and tools rather than the broker's hot path. */
  *records(maxDecompressed = DEFAULT_MAX_DECOMPRESSED_BYTES): IterableIterator<DecodedRecord> {
    const reader = this.recordReader(maxDecompressed);
    while (reader.next()) yield reader.toRecord();
  }
}
