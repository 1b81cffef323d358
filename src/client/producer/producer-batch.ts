import { CompressionType, crc32c, type RecordHeader } from '../../protocol';
// Imported from their modules, not the index: tsc compiles index re-exports into getters,
// and these run several times per record.
import { varintSize, writeVarint } from '../../protocol/codec/varint';
import { recordHeadersSize, writeRecordHeaders } from '../../protocol/record-batch/record-batch-encoder';
import { BATCH_HEADER_SIZE, BATCH_LOG_OVERHEAD, BatchOffsets, CRC_START, CURRENT_MAGIC } from '../../protocol/record-batch/record-batch-layout';
import { writeInt64 } from '../../protocol/record-batch/int64';
// The codec table is not part of the protocol package's index; it is still the protocol layer.
import { codecFor } from '../../protocol/compression/compression-codecs';

import { deliverAcknowledged, deliverFailed, type Receiver, type ReceiverMode } from './record-completion';

export type { RecordMetadata } from './record-completion';

/** Bytes of one record after its length prefix. */
function recordBodySize(offsetDelta: number, timestampDelta: number, key: Buffer | null, value: Buffer | null, headers: readonly RecordHeader[] | null): number {
  let body = 1 + varintSize(timestampDelta) + varintSize(offsetDelta);
  body += key === null ? 1 : varintSize(key.length) + key.length;
  body += value === null ? 1 : varintSize(value.length) + value.length;
  return body + recordHeadersSize(headers);
}

/** Bytes one record takes in a batch, length prefix included. */
export function recordSize(offsetDelta: number, timestampDelta: number, key: Buffer | null, value: Buffer | null, headers: readonly RecordHeader[] | null): number {
  const body = recordBodySize(offsetDelta, timestampDelta, key, value, headers);
  return varintSize(body) + body;
}

/** The most a record costs beyond its key, value and headers (every varint at its widest). */
const RECORD_OVERHEAD_UPPER_BOUND = 5 + 1 + 10 + 5 + 5 + 5 + 5;
/** The most one header costs beyond its key and value bytes. */
const HEADER_OVERHEAD_UPPER_BOUND = 5 + 5;

/** An upper bound of the bytes a batch holding just this record takes (Kafka's estimateSizeInBytesUpperBound). */
export function singleRecordBatchUpperBound(key: Buffer | null, value: Buffer | null, headers: readonly RecordHeader[] | null): number {
  let size = BATCH_HEADER_SIZE + RECORD_OVERHEAD_UPPER_BOUND + (key?.length ?? 0) + (value?.length ?? 0);
  if (headers !== null) for (const h of headers) size += HEADER_OVERHEAD_UPPER_BOUND + Buffer.byteLength(h.key, 'utf8') + (h.value?.length ?? 0);
  return size;
}

const SLOTS_PER_RECORD = 3;
/** A batch's slots before its first record and after it is done: never written to. */
const NO_SLOTS: never[] = [];
/** At most this many records' slots are reserved up front (a compressed batch's limit may be large). */
const MAX_EXPECTED_RECORDS = 2048;

/** Records a batch will likely hold, judging by its first: records of one producer tend to be alike. */
function expectedRecords(writeLimit: number, firstRecordSize: number): number {
  return Math.min(MAX_EXPECTED_RECORDS, Math.max(1, Math.ceil((writeLimit - BATCH_HEADER_SIZE) / firstRecordSize)));
}

/**
 * One RecordBatch v2 being filled for one partition, as bytes from the first record on
 * (Kafka's MemoryRecordsBuilder): records are written straight into a buffer from the
 * BufferPool behind a reserved 61-byte header, so a batch is never a list of record
 * objects. Closing it writes the header (and compresses the records, when a codec is
 * set); setting the producer state rewrites the idempotence fields and the CRC in
 * place, so a retry resends the same bytes.
 *
 * What each record needs once the broker answers sits in one flat array, three slots
 * per record: its receiver and mode (a promise's settlers, a callback, or a
 * RecordCompletion; see record-completion.ts) and its timestamp delta. The array is
 * sized from the first record, so a batch allocates it once instead of growing it.
 */
export class ProducerBatch {
  /** Where the next record goes; the records section is [BATCH_HEADER_SIZE, writeOffset). */
  private writeOffset = BATCH_HEADER_SIZE;
  private baseTimestamp = 0;
  private maxTimestamp = -1;
  /** SLOTS_PER_RECORD per record: receiver, mode, timestamp delta. */
  private slots: Array<Receiver | ReceiverMode | number> = NO_SLOTS;
  private doneWaiters: Array<() => void> | undefined;
  private closedBytes: Buffer | null = null;
  recordCount = 0;
  /** No more records: a record did not fit, or the batch was drained. */
  full = false;
  /** Sends so far (0 before the first). */
  attempts = 0;
  /** Epoch ms before which a retry must not be sent. */
  retryAt = 0;
  inFlight = false;
  done = false;
  producerId = -1;
  producerEpoch = -1;
  baseSequence = -1;
  /** Bytes the BufferPool counts for this batch beyond `buffer` (a compressed copy). */
  reservedExtra = 0;

  constructor(
    readonly topic: string,
    readonly partition: number,
    /** From the BufferPool; returned to it when the batch is done. */
    public buffer: Buffer,
    readonly createdMs: number,
    /** Stop accepting records past this many bytes (batch.size, or the compressed estimate). */
    private writeLimit: number,
  ) {}

  get sizeInBytes(): number {
    return this.closedBytes ? this.closedBytes.length : this.writeOffset;
  }

  /** Uncompressed bytes written so far, header included. */
  get uncompressedBytes(): number {
    return this.writeOffset;
  }

  get isClosed(): boolean {
    return this.closedBytes !== null;
  }

  get lastSequence(): number {
    return this.baseSequence < 0 ? -1 : (this.baseSequence + this.recordCount - 1) % 2147483648;
  }

  /** The batch as sent; only after close(). */
  get bytes(): Buffer {
    if (!this.closedBytes) throw new Error(`batch for ${this.topic}-${this.partition} is not closed`);
    return this.closedBytes;
  }

  /**
   * Appends one record if it fits; returns the bytes it took, or 0 when it does not:
   * past the write limit the batch is then full, short of it only the buffer is.
   * The first record always fits: the buffer is sized for it.
   */
  tryAppend(timestamp: number, key: Buffer | null, value: Buffer | null, headers: readonly RecordHeader[] | null, receiver: Receiver, mode: ReceiverMode): number {
    if (this.full) return 0;
    const offsetDelta = this.recordCount;
    if (offsetDelta === 0) this.baseTimestamp = timestamp;
    const timestampDelta = timestamp - this.baseTimestamp;
    const body = recordBodySize(offsetDelta, timestampDelta, key, value, headers);
    const size = varintSize(body) + body;
    const end = this.writeOffset + size;
    if (offsetDelta > 0) {
      if (end > this.writeLimit) {
        this.full = true;
        return 0;
      }
      // Within the limit but not the buffer: the accumulator may grow it (compressed batches).
      if (end > this.buffer.length) return 0;
    }
    if (end > this.buffer.length) throw new Error(`batch buffer of ${this.buffer.length} bytes cannot hold a record of ${size}`);
    this.writeRecord(body, timestampDelta, offsetDelta, key, value, headers);
    this.recordCount++;
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    if (offsetDelta === 0) this.slots = new Array<Receiver | ReceiverMode | number>(SLOTS_PER_RECORD * expectedRecords(this.writeLimit, size));
    const slot = SLOTS_PER_RECORD * offsetDelta;
    this.slots[slot] = receiver;
    this.slots[slot + 1] = mode;
    this.slots[slot + 2] = timestampDelta;
    if (end >= this.writeLimit) this.full = true;
    return size;
  }

  /** Lets a compressed batch take more records once its buffer grew. */
  grow(buffer: Buffer, writeLimit: number): void {
    this.buffer.copy(buffer, 0, 0, this.writeOffset);
    this.buffer = buffer;
    this.writeLimit = writeLimit;
  }

  /**
   * Writes the header and, for a compressed batch, compresses the records into a new
   * buffer (returned so the pool can count it; the original buffer is then free).
   */
  close(compression: CompressionType): Buffer | null {
    if (this.closedBytes) return null;
    this.full = true;
    let out: Buffer;
    let compressedCopy: Buffer | null = null;
    if (compression === CompressionType.None) {
      out = this.buffer.subarray(0, this.writeOffset);
    } else {
      const compressed = codecFor(compression).compress(this.buffer.subarray(BATCH_HEADER_SIZE, this.writeOffset));
      out = Buffer.allocUnsafe(BATCH_HEADER_SIZE + compressed.length);
      compressed.copy(out, BATCH_HEADER_SIZE);
      compressedCopy = out;
    }
    writeInt64(out, BatchOffsets.baseOffset, 0);
    out.writeInt32BE(out.length - BATCH_LOG_OVERHEAD, BatchOffsets.batchLength);
    out.writeInt32BE(-1, BatchOffsets.partitionLeaderEpoch);
    out.writeInt8(CURRENT_MAGIC, BatchOffsets.magic);
    out.writeInt16BE(compression, BatchOffsets.attributes);
    out.writeInt32BE(Math.max(0, this.recordCount - 1), BatchOffsets.lastOffsetDelta);
    writeInt64(out, BatchOffsets.baseTimestamp, this.baseTimestamp);
    writeInt64(out, BatchOffsets.maxTimestamp, this.maxTimestamp);
    out.writeInt32BE(this.recordCount, BatchOffsets.recordCount);
    this.closedBytes = out;
    this.writeProducerState();
    return compressedCopy;
  }

  /** Sets the idempotence fields (also on a closed batch: header and CRC are rewritten). */
  setProducerState(producerId: number, producerEpoch: number, baseSequence: number): void {
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    this.baseSequence = baseSequence;
    if (this.closedBytes) this.writeProducerState();
  }

  /** Completes every record: offsets from `baseOffset` (or -1), timestamps from the broker on LogAppendTime. */
  complete(baseOffset: number, logAppendTime: number): void {
    if (this.done) return;
    this.done = true;
    const { slots, topic, partition, baseTimestamp } = this;
    for (let r = 0, i = 0; r < this.recordCount; r++, i += SLOTS_PER_RECORD) {
      const offset = baseOffset < 0 ? -1 : baseOffset + r;
      const timestamp = logAppendTime >= 0 ? logAppendTime : baseTimestamp + (slots[i + 2] as number);
      deliverAcknowledged(slots[i] as Receiver, slots[i + 1] as ReceiverMode, topic, partition, offset, timestamp);
    }
    this.finish();
  }

  /** Fails every record with `err`. */
  fail(err: Error): void {
    if (this.done) return;
    this.done = true;
    const slots = this.slots;
    for (let r = 0, i = 0; r < this.recordCount; r++, i += SLOTS_PER_RECORD) deliverFailed(slots[i] as Receiver, slots[i + 1] as ReceiverMode, err, this.topic, this.partition);
    this.finish();
  }

  /** Resolves when the batch is completed or failed (for flush). */
  whenDone(): Promise<void> {
    if (this.done) return Promise.resolve();
    return new Promise((resolve) => (this.doneWaiters ??= []).push(resolve));
  }

  private finish(): void {
    this.slots = NO_SLOTS;
    for (const waiter of this.doneWaiters?.splice(0) ?? []) waiter();
  }

  private writeProducerState(): void {
    const out = this.closedBytes!;
    writeInt64(out, BatchOffsets.producerId, this.producerId);
    out.writeInt16BE(this.producerEpoch, BatchOffsets.producerEpoch);
    out.writeInt32BE(this.baseSequence, BatchOffsets.baseSequence);
    out.writeUInt32BE(crc32c(out, CRC_START, out.length), BatchOffsets.crc);
  }

  private writeRecord(body: number, timestampDelta: number, offsetDelta: number, key: Buffer | null, value: Buffer | null, headers: readonly RecordHeader[] | null): void {
    const buf = this.buffer;
    let o = this.writeOffset;
    o = writeVarint(buf, o, body);
    buf[o++] = 0;
    o = writeVarint(buf, o, timestampDelta);
    o = writeVarint(buf, o, offsetDelta);
    if (key === null) {
      buf[o++] = 1;
    } else {
      o = writeVarint(buf, o, key.length);
      o += key.copy(buf, o);
    }
    if (value === null) {
      buf[o++] = 1;
    } else {
      o = writeVarint(buf, o, value.length);
      o += value.copy(buf, o);
    }
    this.writeOffset = writeRecordHeaders(buf, o, headers);
  }
}
