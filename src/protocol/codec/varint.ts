import { ProtocolError } from '../protocol-error';

/**
 * Variable-length integers as Kafka writes them (protobuf's base-128 encoding):
 * unsigned varints for compact lengths and tags, zigzag varint/varlong for record
 * fields. Readers return the value and advance `cursor.offset`; every read is
 * bounded by `end` so a truncated or endless varint is a ProtocolError.
 *
 * Varlongs are JS numbers: record fields (timestamp and offset deltas) stay far
 * below 2^53.
 */
export interface Cursor {
  offset: number;
}

export function readUnsignedVarint(buf: Buffer, cursor: Cursor, end = buf.length): number {
  let value = 0;
  let shift = 0;
  let offset = cursor.offset;
  while (true) {
    if (offset >= end) throw new ProtocolError('truncated varint');
    const byte = buf[offset++];
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
    if (shift > 28) throw new ProtocolError('varint longer than 5 bytes');
  }
  cursor.offset = offset;
  return value;
}

export function readVarint(buf: Buffer, cursor: Cursor, end = buf.length): number {
  const raw = readUnsignedVarint(buf, cursor, end);
  // zigzag: 0,-1,1,-2,... ; raw fits in 32 unsigned bits.
  return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
}

export function readVarlong(buf: Buffer, cursor: Cursor, end = buf.length): number {
  let value = 0;
  let shift = 0;
  let offset = cursor.offset;
  while (true) {
    if (offset >= end) throw new ProtocolError('truncated varlong');
    const byte = buf[offset++];
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
    if (shift > 63) throw new ProtocolError('varlong longer than 10 bytes');
  }
  cursor.offset = offset;
  return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
}

export function unsignedVarintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

export const zigzag = (value: number): number => (value >= 0 ? value * 2 : -value * 2 - 1);

/** Zigzag-encoded size of a varint/varlong; inline for the 1–3 byte values records are made of (the hot path). */
export function varintSize(value: number): number {
  const z = zigzag(value);
  return z < 0x80 ? 1 : z < 0x4000 ? 2 : z < 0x200000 ? 3 : unsignedVarintSize(z);
}
export const varlongSize = varintSize;

/** Writes an unsigned varint at `offset`; returns the offset after it. */
export function writeUnsignedVarint(buf: Buffer, offset: number, value: number): number {
  while (value >= 0x80) {
    buf[offset++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  buf[offset++] = value;
  return offset;
}

/** Writes a zigzag varint/varlong; the one- and two-byte cases (most record fields) without a loop. */
export function writeVarint(buf: Buffer, offset: number, value: number): number {
  const z = zigzag(value);
  if (z < 0x80) {
    buf[offset] = z;
    return offset + 1;
  }
  if (z < 0x4000) {
    buf[offset] = (z & 0x7f) | 0x80;
    buf[offset + 1] = z >>> 7;
    return offset + 2;
  }
  return writeUnsignedVarint(buf, offset, z);
}
export const writeVarlong = writeVarint;
