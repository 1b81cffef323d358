import { ProtocolError } from '../protocol-error';
import { readUnsignedVarint } from './varint';

/**
 * A cursor over `buf[offset, end)` that never reads past `end`: every read first
 * checks what remains and throws a ProtocolError (INVALID_REQUEST) instead of the
 * RangeError Node would throw, or, worse, reading the next frame's bytes when the
 * frame is a slice of a larger socket buffer.
 *
 * Integers are assembled by hand rather than through Buffer#readInt32BE: the bound
 * is already checked here, and Node's readers would check it again against the
 * whole buffer rather than the frame.
 */
export class ByteReader {
  constructor(
    readonly buf: Buffer,
    public offset = 0,
    public end = buf.length,
  ) {
    if (offset < 0 || end > buf.length || offset > end) {
      throw new ProtocolError(`reader window [${offset}, ${end}) outside a buffer of ${buf.length} bytes`);
    }
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  /** Throws unless `n` more bytes are available. */
  need(n: number, what?: string): void {
    if (n > this.end - this.offset) {
      throw new ProtocolError(
        `truncated frame: ${what ?? 'field'} needs ${n} bytes at offset ${this.offset}, ${this.end - this.offset} remain`,
      );
    }
  }

  int8(): number {
    this.need(1, 'int8');
    const b = this.buf[this.offset++];
    return (b << 24) >> 24;
  }

  uint8(): number {
    this.need(1, 'uint8');
    return this.buf[this.offset++];
  }

  bool(): boolean {
    this.need(1, 'boolean');
    return this.buf[this.offset++] !== 0;
  }

  int16(): number {
    this.need(2, 'int16');
    const o = this.offset;
    this.offset = o + 2;
    return (((this.buf[o] << 8) | this.buf[o + 1]) << 16) >> 16;
  }

  uint16(): number {
    this.need(2, 'uint16');
    const o = this.offset;
    this.offset = o + 2;
    return (this.buf[o] << 8) | this.buf[o + 1];
  }

  int32(): number {
    this.need(4, 'int32');
    const b = this.buf;
    const o = this.offset;
    this.offset = o + 4;
    return (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
  }

  uint32(): number {
    return this.int32() >>> 0;
  }

  /**
   * A JS number: exact below 2^53, which offsets, timestamps and producer ids stay
   * under. Long.MAX_VALUE comes out as 2^63 and is written back as Long.MAX_VALUE.
   */
  int64(): number {
    this.need(8, 'int64');
    const b = this.buf;
    const o = this.offset;
    this.offset = o + 8;
    const hi = (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
    const lo = ((b[o + 4] << 24) | (b[o + 5] << 16) | (b[o + 6] << 8) | b[o + 7]) >>> 0;
    return hi * 4294967296 + lo;
  }

  float64(): number {
    this.need(8, 'float64');
    const v = this.buf.readDoubleBE(this.offset);
    this.offset += 8;
    return v;
  }

  /** Kafka's UUID string form: the 16 bytes in URL-safe base64 without padding. */
  uuid(): string {
    this.need(16, 'uuid');
    const o = this.offset;
    this.offset = o + 16;
    return this.buf.toString('base64url', o, o + 16);
  }

  unsignedVarint(): number {
    // Up to four bytes (28 bits) with int arithmetic: every compact length and tag a
    // real frame carries. Five-byte values take the general (bounded) path.
    const buf = this.buf;
    const end = this.end;
    let o = this.offset;
    let value = 0;
    for (let shift = 0; shift < 28 && o < end; shift += 7) {
      const b = buf[o++];
      value |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.offset = o;
        return value;
      }
    }
    return readUnsignedVarint(buf, this, end);
  }

  utf8(length: number, what?: string): string {
    this.need(length, what);
    const o = this.offset;
    this.offset = o + length;
    return length === 0 ? '' : this.buf.toString('utf8', o, o + length);
  }

  /** A zero-copy view of the next `length` bytes: it shares memory with the frame. */
  slice(length: number, what?: string): Buffer {
    this.need(length, what);
    const o = this.offset;
    this.offset = o + length;
    return this.buf.subarray(o, o + length);
  }

  skip(length: number, what?: string): void {
    this.need(length, what);
    this.offset += length;
  }
}
