import { Cursor, readVarint, readVarlong } from '../codec/varint';
import { ProtocolError } from '../protocol-error';
import { invalidRecord, INVALID_RECORD } from './record-batch-errors';

/**
 * One record inside a RecordBatch v2 (all lengths and deltas zigzag varints):
 *
 *   length          varint   bytes after this field
 *   attributes      int8     unused, 0
 *   timestampDelta  varlong  from the batch's baseTimestamp (may be negative)
 *   offsetDelta     varint   from the batch's baseOffset
 *   keyLength       varint   -1 = null key
 *   key             bytes
 *   valueLength     varint   -1 = null value
 *   value           bytes
 *   headerCount     varint
 *   headers         [keyLength varint ≥ 0, key utf-8, valueLength varint (-1 = null), value]
 */
export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface DecodedRecord {
  offset: number;
  timestamp: number;
  offsetDelta: number;
  timestampDelta: number;
  attributes: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

/** The smallest record: every field one byte, no key, value or headers. */
export const MIN_RECORD_SIZE = 7;

const EMPTY_HEADERS: RecordHeader[] = [];

/**
 * A cursor over the records of one batch. `next()` parses the next record's framing
 * (no allocation: positions and lengths only) and checks it the way Kafka's
 * DefaultRecord.readFrom does; key, value and headers are sliced or decoded only when
 * asked. One reader can be reset and reused across batches.
 */
export class RecordReader {
  attributes = 0;
  timestampDelta = 0;
  offsetDelta = 0;
  /** Index of the current record within the batch. */
  index = -1;
  keyStart = 0;
  /** -1 for a null key. */
  keyLength = -1;
  valueStart = 0;
  /** -1 for a null value. */
  valueLength = -1;
  headersStart = 0;
  headerCount = 0;

  private buf: Buffer = Buffer.alloc(0);
  private end = 0;
  private count = 0;
  private readonly cursor: Cursor = { offset: 0 };
  private baseOffset = 0;
  private baseTimestamp = 0;
  private fixedTimestamp: number | null = null;

  /**
   * Points the reader at `count` records in buf[start, end). `fixedTimestamp` is the
   * batch's maxTimestamp when it uses LogAppendTime: every record then carries it.
   */
  reset(buf: Buffer, start: number, end: number, count: number, baseOffset = 0, baseTimestamp = 0, fixedTimestamp: number | null = null): this {
    if (count < 0 || count * MIN_RECORD_SIZE > end - start) {
      throw invalidRecord(`record count ${count} cannot fit in ${end - start} bytes of records`);
    }
    this.buf = buf;
    this.cursor.offset = start;
    this.end = end;
    this.count = count;
    this.index = -1;
    this.baseOffset = baseOffset;
    this.baseTimestamp = baseTimestamp;
    this.fixedTimestamp = fixedTimestamp;
    return this;
  }

  get offset(): number {
    return this.baseOffset + this.offsetDelta;
  }

  get timestamp(): number {
    return this.fixedTimestamp ?? this.baseTimestamp + this.timestampDelta;
  }

  /** Advances to the next record; false after the last. Throws INVALID_RECORD on bad framing. */
  next(): boolean {
    if (this.index + 1 >= this.count) {
      if (this.cursor.offset !== this.end) {
        throw invalidRecord(`${this.end - this.cursor.offset} bytes remain after the batch's ${this.count} records`);
      }
      return false;
    }
    try {
      this.parse();
    } catch (err) {
      if (err instanceof ProtocolError && err.errorCode !== INVALID_RECORD) throw invalidRecord(`record ${this.index + 1}: ${err.message}`);
      throw err;
    }
    this.index++;
    return true;
  }

  key(): Buffer | null {
    return this.keyLength < 0 ? null : this.buf.subarray(this.keyStart, this.keyStart + this.keyLength);
  }

  value(): Buffer | null {
    return this.valueLength < 0 ? null : this.buf.subarray(this.valueStart, this.valueStart + this.valueLength);
  }

  headers(): RecordHeader[] {
    if (this.headerCount === 0) return EMPTY_HEADERS;
    const headers: RecordHeader[] = new Array(this.headerCount);
    // Bounds were checked by next(); this pass only decodes.
    const cursor: Cursor = { offset: this.headersStart };
    for (let i = 0; i < this.headerCount; i++) {
      const keyLength = readVarint(this.buf, cursor);
      const key = this.buf.toString('utf8', cursor.offset, cursor.offset + keyLength);
      cursor.offset += keyLength;
      const valueLength = readVarint(this.buf, cursor);
      const value = valueLength < 0 ? null : this.buf.subarray(cursor.offset, cursor.offset + valueLength);
      cursor.offset += Math.max(0, valueLength);
      headers[i] = { key, value };
    }
    return headers;
  }

  /** The current record as an object (key and value are slices of the batch or of its decompressed payload). */
  toRecord(): DecodedRecord {
    return {
      offset: this.offset,
      timestamp: this.timestamp,
      offsetDelta: this.offsetDelta,
      timestampDelta: this.timestampDelta,
      attributes: this.attributes,
      key: this.key(),
      value: this.value(),
      headers: this.headers(),
    };
  }

  private parse(): void {
    const buf = this.buf;
    pos = this.cursor.offset;
    const bodySize = varint(buf, this.end);
    const bodyStart = pos;
    const bodyEnd = bodyStart + bodySize;
    if (bodySize < MIN_RECORD_SIZE - 1 || bodyEnd > this.end) {
      throw invalidRecord(`record size ${bodySize} does not fit the ${this.end - bodyStart} bytes remaining`);
    }
    this.attributes = buf[pos++];
    this.timestampDelta = varlong(buf, bodyEnd);
    this.offsetDelta = varint(buf, bodyEnd);
    const keyLength = nullableLength(buf, bodyEnd, 'key');
    this.keyLength = keyLength;
    this.keyStart = pos;
    if (keyLength > 0) pos += keyLength;
    const valueLength = nullableLength(buf, bodyEnd, 'value');
    this.valueLength = valueLength;
    this.valueStart = pos;
    if (valueLength > 0) pos += valueLength;
    const headerCount = varint(buf, bodyEnd);
    // Each header takes at least two bytes (two one-byte lengths).
    if (headerCount < 0 || headerCount * 2 > bodyEnd - pos) throw invalidRecord(`invalid header count ${headerCount}`);
    this.headerCount = headerCount;
    this.headersStart = pos;
    for (let i = 0; i < headerCount; i++) {
      const headerKeyLength = varint(buf, bodyEnd);
      if (headerKeyLength < 0) throw invalidRecord(`invalid header key length ${headerKeyLength}`);
      if (pos + headerKeyLength > bodyEnd) throw invalidRecord('header key overruns the record');
      pos += headerKeyLength;
      const headerValueLength = nullableLength(buf, bodyEnd, 'header value');
      if (headerValueLength > 0) pos += headerValueLength;
    }
    if (pos !== bodyEnd) {
      throw invalidRecord(`record declares ${bodySize} bytes but its fields take ${pos - bodyStart}`);
    }
    this.cursor.offset = pos;
  }
}

/*
 * The record parser's varint reads. Nearly every record field is a 1-2 byte varint,
 * so those are decoded inline; longer ones go to the shared bounded readers. `pos` is
 * the parse position, module-level so the helpers need no cursor object (parsing is
 * synchronous and never re-entered).
 */
let pos = 0;
const slowCursor: Cursor = { offset: 0 };

/** Zigzag varints of up to 3 bytes (|value| < 2^20), or -1 when the slow path must decide. */
function smallRaw(buf: Buffer, end: number): number {
  const p = pos;
  if (p < end) {
    const b0 = buf[p];
    if (b0 < 0x80) {
      pos = p + 1;
      return b0;
    }
    if (p + 1 < end) {
      const b1 = buf[p + 1];
      if (b1 < 0x80) {
        pos = p + 2;
        return (b0 & 0x7f) | (b1 << 7);
      }
      if (p + 2 < end) {
        const b2 = buf[p + 2];
        if (b2 < 0x80) {
          pos = p + 3;
          return (b0 & 0x7f) | ((b1 & 0x7f) << 7) | (b2 << 14);
        }
      }
    }
  }
  return -1;
}

function varint(buf: Buffer, end: number): number {
  const raw = smallRaw(buf, end);
  if (raw >= 0) return (raw >>> 1) ^ -(raw & 1);
  slowCursor.offset = pos;
  const value = readVarint(buf, slowCursor, end);
  pos = slowCursor.offset;
  return value;
}

function varlong(buf: Buffer, end: number): number {
  const raw = smallRaw(buf, end);
  if (raw >= 0) return (raw >>> 1) ^ -(raw & 1);
  slowCursor.offset = pos;
  const value = readVarlong(buf, slowCursor, end);
  pos = slowCursor.offset;
  return value;
}

/** A nullable length (-1 = null) whose bytes must lie inside the record. */
function nullableLength(buf: Buffer, bodyEnd: number, what: string): number {
  const length = varint(buf, bodyEnd);
  if (length < -1) throw invalidRecord(`invalid ${what} length ${length}`);
  if (length > bodyEnd - pos) throw invalidRecord(`${what} of ${length} bytes overruns the record`);
  return length;
}
