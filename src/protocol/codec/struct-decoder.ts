import { ProtocolError } from '../protocol-error';
import { ByteReader } from './byte-reader';
import { FieldStep, Kind, Mode, StructPlan } from './struct-plan';

/**
 * Decodes one struct by walking its plan. Bounds come before allocation: a length
 * prefix is checked against the bytes that remain before a string or slice is made,
 * and an array count times its element's smallest wire size must fit in what remains
 * before a single element is read — so a frame claiming 2^31 elements fails at once,
 * having allocated nothing. `bytes` and `records` come out as zero-copy slices of the
 * frame. Unknown tagged fields are skipped (their size prefix says how far).
 */
export function decodeStruct(plan: StructPlan, r: ByteReader): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fields = plan.fields;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    // Tagged and absent fields get their default first, in declaration order, so every
    // decoded object of a (struct, version) has the same shape.
    out[f.name] = f.mode === Mode.Regular ? decodeField(f, r) : f.defaultIsShared ? f.sharedDefault : f.defaultValue();
  }
  if (plan.flexible) decodeTaggedFields(plan, r, out);
  return out;
}

function decodeTaggedFields(plan: StructPlan, r: ByteReader, out: Record<string, unknown>): void {
  const count = r.unsignedVarint();
  for (let i = 0; i < count; i++) {
    const tag = r.unsignedVarint();
    const size = r.unsignedVarint();
    r.need(size, `tagged field ${tag} of ${plan.label}`);
    const end = r.offset + size;
    const f = plan.taggedByTag.get(tag);
    if (f !== undefined) {
      const outerEnd = r.end;
      r.end = end;
      out[f.name] = decodeField(f, r);
      r.end = outerEnd;
    }
    // A known field may be followed by bytes a newer writer added to it; skip them too.
    r.offset = end;
  }
}

function decodeField(f: FieldStep, r: ByteReader): unknown {
  switch (f.kind) {
    case Kind.Bool:
      return r.bool();
    case Kind.Int8:
      return r.int8();
    case Kind.Int16:
      return r.int16();
    case Kind.Uint16:
      return r.uint16();
    case Kind.Int32:
      return r.int32();
    case Kind.Uint32:
      return r.uint32();
    case Kind.Int64:
      return r.int64();
    case Kind.Float64:
      return r.float64();
    case Kind.Uuid:
      return r.uuid();
    case Kind.String: {
      const length = f.compact ? r.unsignedVarint() - 1 : r.int16();
      if (length < 0) return decodeNull(f, length);
      return r.utf8(length, f.label);
    }
    case Kind.Bytes:
    case Kind.Records: {
      const length = f.compact ? r.unsignedVarint() - 1 : r.int32();
      if (length < 0) return decodeNull(f, length);
      return r.slice(length, f.label);
    }
    case Kind.Array:
      return decodeArray(f, r);
    case Kind.Struct:
      if (f.nullable && r.int8() < 0) return null;
      return decodeStruct(f.struct!, r);
  }
}

function decodeNull(f: FieldStep, length: number): null {
  if (length !== -1) throw new ProtocolError(`${f.label}: invalid length ${length}`);
  if (!f.nullable) throw new ProtocolError(`${f.label}: null, but the field is not nullable in this version`);
  return null;
}

function decodeArray(f: FieldStep, r: ByteReader): unknown[] | null {
  const count = f.compact ? r.unsignedVarint() - 1 : r.int32();
  if (count < 0) return decodeNull(f, count);
  const item = f.item!;
  const elementMin = item.minSize > 0 ? item.minSize : 1;
  if (count * elementMin > r.remaining) {
    throw new ProtocolError(
      `${f.label}: array claims ${count} elements of at least ${elementMin} bytes, only ${r.remaining} bytes remain`,
    );
  }
  const out: unknown[] = [];
  switch (item.kind) {
    case Kind.Int32:
      for (let i = 0; i < count; i++) out.push(r.int32());
      break;
    case Kind.Struct:
      for (let i = 0; i < count; i++) out.push(decodeStruct(item.struct!, r));
      break;
    default:
      for (let i = 0; i < count; i++) out.push(decodeField(item, r));
  }
  return out;
}
