import { ProtocolError } from '../protocol-error';
import { FieldStep, Kind, StructPlan } from './struct-plan';
import { unsignedVarintSize, writeUnsignedVarint } from './varint';

/**
 * Encodes structs in two passes over their plans: a size pass, then one
 * Buffer.allocUnsafe and a write pass. What the size pass learns and the write pass
 * needs again — UTF-8 lengths of strings, which tagged fields differ from their
 * default and how big each one is — goes into a queue of numbers the write pass
 * consumes in the same order, so nothing is measured or compared twice.
 *
 * In chunked mode `records` values of RECORDS_CHUNK_MIN_BYTES or more are not copied:
 * the output is a list of buffers in which they appear by reference, for writev.
 */
export const RECORDS_CHUNK_MIN_BYTES = 1024;

const TWO_POW_32 = 4294967296;
const TWO_POW_63 = 9223372036854775808;

interface EncodeState {
  /** Numbers measured by the size pass, consumed in order by the write pass. */
  q: number[];
  qi: number;
  /** Chunked mode: the bytes of records passed by reference. */
  chunked: boolean;
  external: number;
  buf: Buffer;
  offset: number;
  chunks: Buffer[];
  chunkStart: number;
  /** The field being handled, so a bad value is reported by name. */
  at: FieldStep | null;
}

export interface EncodePart {
  readonly plan: StructPlan;
  readonly value: Record<string, unknown>;
}

function newState(chunked: boolean): EncodeState {
  return { q: [], qi: 0, chunked, external: 0, buf: EMPTY, offset: 0, chunks: [], chunkStart: 0, at: null };
}

const EMPTY = Buffer.alloc(0);

/** Encodes the parts back to back into one buffer, after an int32 size prefix when `sizePrefix`. */
export function encodeParts(parts: readonly EncodePart[], sizePrefix = false): Buffer {
  const st = newState(false);
  try {
    let size = 0;
    for (const p of parts) size += sizeStruct(p.plan, p.value, st);
    const prefix = sizePrefix ? 4 : 0;
    st.buf = Buffer.allocUnsafe(prefix + size);
    if (sizePrefix) st.buf.writeInt32BE(size, 0);
    st.offset = prefix;
    for (const p of parts) writeStruct(p.plan, p.value, st);
    return st.buf;
  } catch (err) {
    throw encodeError(err, st);
  }
}

/**
 * Like encodeParts, but `records` of RECORDS_CHUNK_MIN_BYTES or more are referenced,
 * not copied: the result is the frame as a list of buffers (no size prefix unless asked).
 */
export function encodePartsChunks(parts: readonly EncodePart[], sizePrefix = false): Buffer[] {
  const st = newState(true);
  try {
    let size = 0;
    for (const p of parts) size += sizeStruct(p.plan, p.value, st);
    const prefix = sizePrefix ? 4 : 0;
    st.buf = Buffer.allocUnsafe(prefix + size - st.external);
    if (sizePrefix) st.buf.writeInt32BE(size, 0);
    st.offset = prefix;
    for (const p of parts) writeStruct(p.plan, p.value, st);
    if (st.offset > st.chunkStart) st.chunks.push(st.buf.subarray(st.chunkStart, st.offset));
    return st.chunks;
  } catch (err) {
    throw encodeError(err, st);
  }
}

function encodeError(err: unknown, st: EncodeState): Error {
  if (err instanceof ProtocolError) return err;
  const where = st.at ? st.at.label : 'value';
  // A value the declaration cannot carry (out of int range, wrong type) is a bug in the
  // code that built the message: UNKNOWN_SERVER_ERROR (-1).
  return new ProtocolError(`cannot encode ${where}: ${err instanceof Error ? err.message : String(err)}`, -1);
}

function valueOf(f: FieldStep, struct: Record<string, unknown>): unknown {
  const v = struct[f.name];
  return v !== undefined ? v : f.encodeDefault;
}

function nullNotAllowed(f: FieldStep): ProtocolError {
  return new ProtocolError(`${f.label} is null, but it is not nullable in this version`, -1);
}

// ---- size pass ---------------------------------------------------------------------

function sizeStruct(plan: StructPlan, value: Record<string, unknown>, st: EncodeState): number {
  if (value === null || typeof value !== 'object') throw new ProtocolError(`${plan.label}: expected an object, got ${value}`, -1);
  let size = 0;
  const regular = plan.regular;
  for (let i = 0; i < regular.length; i++) size += sizeField(regular[i], valueOf(regular[i], value), st);
  if (plan.flexible) size += sizeTaggedFields(plan, value, st);
  return size;
}

function sizeTaggedFields(plan: StructPlan, value: Record<string, unknown>, st: EncodeState): number {
  const q = st.q;
  const countAt = q.length;
  q.push(0);
  let count = 0;
  let size = 0;
  const tagged = plan.tagged;
  for (let i = 0; i < tagged.length; i++) {
    const f = tagged[i];
    const v = value[f.name];
    if (v === undefined || isDefault(f, v)) continue;
    // Reserve (index, size) before measuring: the field's own queue entries follow them.
    const at = q.length;
    q.push(i, 0);
    const fieldSize = sizeField(f, v, st);
    q[at + 1] = fieldSize;
    count++;
    size += unsignedVarintSize(f.tag) + unsignedVarintSize(fieldSize) + fieldSize;
  }
  q[countAt] = count;
  return size + unsignedVarintSize(count);
}

function sizeField(f: FieldStep, v: unknown, st: EncodeState): number {
  st.at = f;
  switch (f.kind) {
    case Kind.Bool:
    case Kind.Int8:
      return 1;
    case Kind.Int16:
    case Kind.Uint16:
      return 2;
    case Kind.Int32:
    case Kind.Uint32:
      return 4;
    case Kind.Int64:
    case Kind.Float64:
      return 8;
    case Kind.Uuid:
      return 16;
    case Kind.String: {
      if (v === null) return nullSize(f);
      if (typeof v !== 'string') throw new ProtocolError(`${f.label}: expected a string, got ${typeof v}`, -1);
      const length = Buffer.byteLength(v, 'utf8');
      if (!f.compact && length > 0x7fff) throw new ProtocolError(`${f.label}: string of ${length} bytes exceeds the int16 length prefix`, -1);
      st.q.push(length);
      return (f.compact ? unsignedVarintSize(length + 1) : 2) + length;
    }
    case Kind.Bytes:
    case Kind.Records: {
      if (v === null) return nullSize(f);
      const length = (v as Uint8Array).length;
      if (typeof length !== 'number') throw new ProtocolError(`${f.label}: expected a Buffer`, -1);
      if (st.chunked && f.kind === Kind.Records && length >= RECORDS_CHUNK_MIN_BYTES) st.external += length;
      return (f.compact ? unsignedVarintSize(length + 1) : 4) + length;
    }
    case Kind.Array: {
      if (v === null) return nullSize(f);
      if (!Array.isArray(v)) throw new ProtocolError(`${f.label}: expected an array`, -1);
      const n = v.length;
      let size = f.compact ? unsignedVarintSize(n + 1) : 4;
      const item = f.item!;
      if (item.kind === Kind.Struct) {
        for (let i = 0; i < n; i++) size += sizeStruct(item.struct!, v[i], st);
      } else if (item.kind <= Kind.Uuid) {
        size += n * item.minSize;
      } else {
        for (let i = 0; i < n; i++) size += sizeField(item, v[i], st);
      }
      return size;
    }
    case Kind.Struct:
      if (v === null) {
        if (!f.nullable) throw nullNotAllowed(f);
        return 1;
      }
      return (f.nullable ? 1 : 0) + sizeStruct(f.struct!, v as Record<string, unknown>, st);
  }
}

function nullSize(f: FieldStep): number {
  if (!f.nullable) throw nullNotAllowed(f);
  if (f.compact) return 1;
  return f.kind === Kind.String ? 2 : 4;
}

// ---- write pass --------------------------------------------------------------------

function writeStruct(plan: StructPlan, value: Record<string, unknown>, st: EncodeState): void {
  const regular = plan.regular;
  for (let i = 0; i < regular.length; i++) writeField(regular[i], valueOf(regular[i], value), st);
  if (!plan.flexible) return;
  const q = st.q;
  const count = q[st.qi++];
  st.offset = writeUnsignedVarint(st.buf, st.offset, count);
  for (let k = 0; k < count; k++) {
    const f = plan.tagged[q[st.qi++]];
    const size = q[st.qi++];
    st.offset = writeUnsignedVarint(st.buf, st.offset, f.tag);
    st.offset = writeUnsignedVarint(st.buf, st.offset, size);
    writeField(f, value[f.name], st);
  }
}

function writeField(f: FieldStep, v: unknown, st: EncodeState): void {
  st.at = f;
  const buf = st.buf;
  switch (f.kind) {
    case Kind.Bool:
      buf[st.offset++] = v ? 1 : 0;
      return;
    case Kind.Int8:
      st.offset = buf.writeInt8(v as number, st.offset);
      return;
    case Kind.Int16:
      st.offset = buf.writeInt16BE(v as number, st.offset);
      return;
    case Kind.Uint16:
      st.offset = buf.writeUInt16BE(v as number, st.offset);
      return;
    case Kind.Int32:
      st.offset = buf.writeInt32BE(v as number, st.offset);
      return;
    case Kind.Uint32:
      st.offset = buf.writeUInt32BE(v as number, st.offset);
      return;
    case Kind.Int64:
      st.offset = writeInt64(buf, st.offset, v as number | bigint);
      return;
    case Kind.Float64:
      st.offset = buf.writeDoubleBE(v as number, st.offset);
      return;
    case Kind.Uuid:
      writeUuid(f, buf, st.offset, v);
      st.offset += 16;
      return;
    case Kind.String: {
      if (v === null) return writeNull(f, st);
      const length = st.q[st.qi++];
      st.offset = f.compact ? writeUnsignedVarint(buf, st.offset, length + 1) : buf.writeInt16BE(length, st.offset);
      if (length > 0) buf.write(v as string, st.offset, length, 'utf8');
      st.offset += length;
      return;
    }
    case Kind.Bytes:
    case Kind.Records: {
      if (v === null) return writeNull(f, st);
      const bytes = v as Uint8Array;
      const length = bytes.length;
      st.offset = f.compact ? writeUnsignedVarint(buf, st.offset, length + 1) : buf.writeInt32BE(length, st.offset);
      if (st.chunked && f.kind === Kind.Records && length >= RECORDS_CHUNK_MIN_BYTES) {
        if (st.offset > st.chunkStart) st.chunks.push(buf.subarray(st.chunkStart, st.offset));
        st.chunks.push(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, length));
        st.chunkStart = st.offset;
        return;
      }
      buf.set(bytes, st.offset);
      st.offset += length;
      return;
    }
    case Kind.Array: {
      if (v === null) return writeNull(f, st);
      const arr = v as unknown[];
      const n = arr.length;
      st.offset = f.compact ? writeUnsignedVarint(buf, st.offset, n + 1) : buf.writeInt32BE(n, st.offset);
      const item = f.item!;
      if (item.kind === Kind.Struct) {
        for (let i = 0; i < n; i++) writeStruct(item.struct!, arr[i] as Record<string, unknown>, st);
      } else {
        for (let i = 0; i < n; i++) writeField(item, arr[i], st);
      }
      return;
    }
    case Kind.Struct:
      if (f.nullable) {
        // Kafka marks a nullable struct with an int8: -1 null, 1 present.
        buf[st.offset++] = v === null ? 0xff : 1;
        if (v === null) return;
      }
      writeStruct(f.struct!, v as Record<string, unknown>, st);
      return;
  }
}

function writeNull(f: FieldStep, st: EncodeState): void {
  if (f.compact) st.buf[st.offset++] = 0;
  else st.offset = f.kind === Kind.String ? st.buf.writeInt16BE(-1, st.offset) : st.buf.writeInt32BE(-1, st.offset);
}

/**
 * int64 from a JS number (or a bigint). Values at or beyond ±2^63 — what
 * Long.MAX_VALUE/MIN_VALUE become as doubles — saturate to the int64 limits, so a
 * decoded Long.MAX_VALUE is written back unchanged.
 */
function writeInt64(buf: Buffer, offset: number, v: number | bigint): number {
  if (typeof v === 'bigint') return buf.writeBigInt64BE(v, offset);
  if (typeof v !== 'number' || v !== Math.floor(v)) throw new ProtocolError(`expected an integer, got ${v}`, -1);
  if (v >= TWO_POW_63) return buf.writeBigInt64BE(0x7fffffffffffffffn, offset);
  if (v <= -TWO_POW_63) return buf.writeBigInt64BE(-0x8000000000000000n, offset);
  const hi = Math.floor(v / TWO_POW_32);
  buf.writeInt32BE(hi, offset);
  buf.writeUInt32BE(v - hi * TWO_POW_32, offset + 4);
  return offset + 8;
}

function writeUuid(f: FieldStep, buf: Buffer, offset: number, v: unknown): void {
  if (typeof v !== 'string' || v.length !== 22 || buf.write(v, offset, 16, 'base64url') !== 16) {
    throw new ProtocolError(`${f.label}: '${String(v)}' is not a UUID in Kafka's form (22 URL-safe base64 characters)`, -1);
  }
}

/** True when `v` equals the field's default, i.e. a tagged field Kafka would leave out. */
export function isDefault(f: FieldStep, v: unknown): boolean {
  return deepEqual(v, f.comparableDefault);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.compare(a, b) === 0;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  // Struct against its default: a field left undefined means "the default".
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  for (const k in y) if (x[k] !== undefined && !deepEqual(x[k], y[k])) return false;
  return true;
}
