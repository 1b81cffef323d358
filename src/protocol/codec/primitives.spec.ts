import { ProtocolError } from '../protocol-error';
import { ByteReader } from './byte-reader';
import { Fields, t } from './schema';
import { decodeStruct } from './struct-decoder';
import { encodeParts } from './struct-encoder';
import { ZERO_UUID, compileStruct } from './struct-plan';

/** Encodes `{ v: value }` with a one-field struct; flexible adds the (empty) tagged section byte. */
function encodeOne(fields: Fields, value: unknown, flexible: boolean, version = 0): Buffer {
  return encodeParts([{ plan: compileStruct(fields, version, flexible), value: { v: value } }]);
}

function decodeOne(fields: Fields, bytes: Buffer, flexible: boolean, version = 0): unknown {
  const r = new ByteReader(bytes);
  const out = decodeStruct(compileStruct(fields, version, flexible), r);
  expect(r.offset).toBe(bytes.length);
  return out.v;
}

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function expectBoth(fields: Fields, value: unknown, flexible: boolean, wire: string): void {
  const bytes = encodeOne(fields, value, flexible);
  expect(bytes.toString('hex')).toBe(wire.replace(/\s+/g, ''));
  expect(decodeOne(fields, bytes, flexible)).toEqual(value);
}

describe('fixed-size primitives', () => {
  it.each([
    ['bool', { v: t.bool() }, true, '01'],
    ['bool false', { v: t.bool() }, false, '00'],
    ['int8', { v: t.int8() }, -2, 'fe'],
    ['int16', { v: t.int16() }, -32768, '8000'],
    ['uint16', { v: t.uint16() }, 65535, 'ffff'],
    ['int32', { v: t.int32() }, -2, 'fffffffe'],
    ['uint32', { v: t.uint32() }, 4294967295, 'ffffffff'],
    ['int64', { v: t.int64() }, 2 ** 53 - 1, '001fffffffffffff'],
    ['int64 negative', { v: t.int64() }, -2, 'fffffffffffffffe'],
    ['float64', { v: t.float64() }, 1.5, '3ff8000000000000'],
  ] as const)('%s is big-endian and the same in classic and compact form', (_name, fields, value, wire) => {
    expectBoth(fields, value, false, wire);
    expectBoth(fields, value, true, `${wire}00`);
  });

  it('reads any non-zero byte as true, as Kafka does', () => {
    expect(decodeOne({ v: t.bool() }, hex('07'), false)).toBe(true);
  });

  it('writes an int64 beyond 2^53 as the nearest double, and Long.MAX_VALUE back unchanged', () => {
    const fields = { v: t.int64() };
    const max = decodeOne(fields, hex('7fffffffffffffff'), false) as number;
    expect(max).toBe(2 ** 63);
    expect(encodeOne(fields, max, false).toString('hex')).toBe('7fffffffffffffff');
    expect(encodeOne(fields, -(2 ** 63), false).toString('hex')).toBe('8000000000000000');
    expect(encodeOne(fields, 0x7fffffffffffffffn, false).toString('hex')).toBe('7fffffffffffffff');
  });

  it('encodes a uuid from and decodes it to URL-safe base64 without padding', () => {
    const fields = { v: t.uuid() };
    const bytes = hex('00112233445566778899aabbccddeeff');
    expectBoth(fields, bytes.toString('base64url'), false, '00112233445566778899aabbccddeeff');
    expectBoth(fields, ZERO_UUID, false, '0'.repeat(32));
  });

  it('refuses a uuid string that is not 16 bytes of base64url', () => {
    expect(() => encodeOne({ v: t.uuid() }, 'not-a-uuid', false)).toThrow(ProtocolError);
    expect(() => encodeOne({ v: t.uuid() }, 'AAAAAAAAAAAAAAAAAAAAA=', false)).toThrow(/UUID/);
  });

  it('refuses integers out of range with a ProtocolError naming the field', () => {
    expect(() => encodeOne({ v: t.int16() }, 40000, false)).toThrow(/struct\.v/);
    expect(() => encodeOne({ v: t.int64() }, 1.5, false)).toThrow(ProtocolError);
  });
});

describe('strings', () => {
  const plain = { v: t.string() };
  const nullable = { v: t.string('0+', { nullable: '0+' }) };

  it('uses an int16 length in classic form and length+1 as an unsigned varint in compact form', () => {
    expectBoth(plain, 'ab', false, '0002 6162');
    expectBoth(plain, 'ab', true, '03 6162 00');
  });

  it('encodes the empty string as length 0 (classic) or 1 (compact)', () => {
    expectBoth(plain, '', false, '0000');
    expectBoth(plain, '', true, '01 00');
  });

  it('encodes null as -1 (classic) or 0 (compact) where nullable', () => {
    expectBoth(nullable, null, false, 'ffff');
    expectBoth(nullable, null, true, '00 00');
  });

  it('counts UTF-8 bytes, not characters, in the length', () => {
    expectBoth(plain, 'é😀', false, '0006 c3a9 f09f9880');
  });

  it('uses a two-byte varint once length+1 reaches 128', () => {
    const s = 'x'.repeat(127);
    const bytes = encodeOne(plain, s, true);
    expect(bytes.subarray(0, 2).toString('hex')).toBe('8001');
    expect(decodeOne(plain, bytes, true)).toBe(s);
  });

  it('refuses null for a non-nullable string on both sides', () => {
    expect(() => encodeOne(plain, null, false)).toThrow(/not nullable/);
    expect(() => decodeOne(plain, hex('ffff'), false)).toThrow(ProtocolError);
    expect(() => decodeOne(plain, hex('00 00'), true)).toThrow(/not nullable/);
  });

  it('refuses a classic length below -1 and a length past the end', () => {
    expect(() => decodeOne(nullable, hex('fffe'), false)).toThrow(ProtocolError);
    expect(() => decodeOne(plain, hex('0005 6162'), false)).toThrow(/truncated/);
    expect(() => decodeOne(plain, hex('06 6162'), true)).toThrow(/truncated/);
  });

  it('refuses a classic string longer than an int16 can say', () => {
    expect(() => encodeOne(plain, 'x'.repeat(0x8000), false)).toThrow(/int16/);
  });
});

describe('bytes and records', () => {
  const plain = { v: t.bytes() };
  const nullable = { v: t.bytes('0+', { nullable: '0+' }) };
  const records = { v: t.records() };

  it('uses an int32 length in classic form and length+1 as an unsigned varint in compact form', () => {
    expectBoth(plain, hex('0a0b'), false, '00000002 0a0b');
    expectBoth(plain, hex('0a0b'), true, '03 0a0b 00');
    expectBoth(plain, Buffer.alloc(0), false, '00000000');
    expectBoth(plain, Buffer.alloc(0), true, '01 00');
  });

  it('encodes null as -1 (classic) or 0 (compact)', () => {
    expectBoth(nullable, null, false, 'ffffffff');
    expectBoth(nullable, null, true, '00 00');
  });

  it('treats records as nullable in every version', () => {
    expectBoth(records, null, false, 'ffffffff');
    expectBoth(records, hex('01'), true, '02 01 00');
  });

  it('decodes bytes and records as zero-copy views of the frame', () => {
    const frame = hex('00000003 010203');
    const v = decodeOne(records, frame, false) as Buffer;
    expect(v.buffer).toBe(frame.buffer);
    frame[4] = 9;
    expect(v[0]).toBe(9);
  });

  it('accepts a plain Uint8Array when encoding', () => {
    expect(encodeOne(plain, new Uint8Array([1, 2]), false).toString('hex')).toBe('00000002' + '0102');
  });
});

describe('arrays', () => {
  const ints = { v: t.array(t.int32()) };
  const nullable = { v: t.array(t.int16(), '0+', { nullable: '0+' }) };
  const strings = { v: t.array(t.string()) };

  it('uses an int32 count in classic form and count+1 as an unsigned varint in compact form', () => {
    expectBoth(ints, [1, -1], false, '00000002 00000001 ffffffff');
    expectBoth(ints, [1, -1], true, '03 00000001 ffffffff 00');
    expectBoth(ints, [], false, '00000000');
    expectBoth(ints, [], true, '01 00');
  });

  it('encodes null as -1 (classic) or 0 (compact) where nullable', () => {
    expectBoth(nullable, null, false, 'ffffffff');
    expectBoth(nullable, null, true, '00 00');
    expect(() => encodeOne(ints, null, false)).toThrow(/not nullable/);
  });

  it('makes string elements compact in flexible versions', () => {
    expectBoth(strings, ['a', ''], false, '00000002 0001 61 0000');
    expectBoth(strings, ['a', ''], true, '03 02 61 01 00');
  });

  it('refuses a count that cannot fit in the bytes that remain, before allocating', () => {
    expect(() => decodeOne(ints, hex('7fffffff 00000001'), false)).toThrow(/claims 2147483647 elements/);
    expect(() => decodeOne(ints, hex('80808080 08 00'), true)).toThrow(/claims 2147483647 elements/);
    expect(() => decodeOne(ints, hex('00000002 00000001'), false)).toThrow(ProtocolError);
  });
});

describe('structs', () => {
  const inner = { a: t.int16(), s: t.string() };
  const required = { v: t.struct(inner) };
  const nullable = { v: t.struct(inner, '0+', { nullable: '0+' }) };

  it('writes a struct inline, with its own tagged section in flexible versions', () => {
    expectBoth(required, { a: 1, s: 'x' }, false, '0001 0001 78');
    expectBoth(required, { a: 1, s: 'x' }, true, '0001 02 78 00 00');
  });

  it('marks a nullable struct with an int8: -1 for null, 1 for present', () => {
    expectBoth(nullable, null, false, 'ff');
    expectBoth(nullable, { a: 1, s: '' }, false, '01 0001 0000');
  });
});

describe('tagged field sections', () => {
  const fields = {
    plain: t.int8(),
    late: t.int32('0+', { tag: 3, taggedVersions: '0+' }),
    early: t.string('0+', { tag: 1, taggedVersions: '0+', nullable: '0+', default: null }),
  };

  it('writes an empty section as a single zero byte when every tagged field is at its default', () => {
    expect(encodeOne({ v: t.int8() }, 1, true).toString('hex')).toBe('0100');
    const plan = compileStruct(fields, 0, true);
    expect(encodeParts([{ plan, value: { plain: 1, late: 0, early: null } }]).toString('hex')).toBe('0100');
  });

  it('writes only fields that differ from their default, in ascending tag order, each as tag, size, value', () => {
    const plan = compileStruct(fields, 0, true);
    const bytes = encodeParts([{ plan, value: { plain: 1, late: 5, early: 'hi' } }]);
    // count 2 | tag 1, size 3, compact "hi" | tag 3, size 4, int32 5
    expect(bytes.toString('hex')).toBe('01' + '02' + '01 03 03 6869'.replace(/ /g, '') + '03 04 00000005'.replace(/ /g, ''));
    expect(decodeStruct(plan, new ByteReader(bytes))).toEqual({ plain: 1, late: 5, early: 'hi' });
  });

  it('skips unknown tags by their size and keeps decoding', () => {
    const plan = compileStruct(fields, 0, true);
    // count 3 | unknown tag 0 size 2 | tag 3 size 4 value 9 | unknown tag 200 (varint c801) size 1
    const bytes = hex('01 03 00 02 abcd 03 04 00000009 c801 01 ff');
    expect(decodeStruct(plan, new ByteReader(bytes))).toEqual({ plain: 1, late: 9, early: null });
  });

  it('refuses a tagged field whose size runs past the end', () => {
    const plan = compileStruct(fields, 0, true);
    expect(() => decodeStruct(plan, new ByteReader(hex('01 01 07 05 0000')))).toThrow(ProtocolError);
  });

  it('does not let a known tagged field read past its own size', () => {
    const plan = compileStruct(fields, 0, true);
    // tag 3 claims size 2 but an int32 needs 4
    expect(() => decodeStruct(plan, new ByteReader(hex('01 01 03 02 0000 0000')))).toThrow(/truncated/);
  });
});

describe('per-field flexibleVersions', () => {
  it('keeps a field classic in flexible versions when its flexibleVersions is none', () => {
    const fields = { v: t.string('0+', { nullable: '0+', flexibleVersions: 'none' }) };
    expectBoth(fields, 'ab', true, '0002 6162 00');
    expectBoth(fields, null, true, 'ffff 00');
  });
});
