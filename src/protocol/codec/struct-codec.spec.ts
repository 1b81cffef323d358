import { ProtocolError } from '../protocol-error';
import { apiVersionPlan, validateApi } from './api-plan';
import { ByteReader } from './byte-reader';
import { decodeRequestBody, encodeRequest } from './message-codec';
import { t } from './schema';
import { decodeStruct } from './struct-decoder';
import { encodeParts } from './struct-encoder';
import { ZERO_UUID, compileStruct, defaultStruct } from './struct-plan';
import { loadDeclaredApis } from './testing/declared-apis';
import { KitchenSinkApi } from './testing/sample-apis';

const roundTrip = (fields: Parameters<typeof compileStruct>[0], version: number, flexible: boolean, value: Record<string, unknown>) => {
  const plan = compileStruct(fields, version, flexible);
  const bytes = encodeParts([{ plan, value }]);
  return { bytes, value: decodeStruct(plan, new ByteReader(bytes)) };
};

describe('fields absent in a version', () => {
  const fields = {
    kept: t.int8(),
    flag: t.bool('1+'),
    count: t.int32('1+'),
    epoch: t.int64('1+', { default: -1 }),
    id: t.uuid('1+'),
    name: t.string('1+'),
    rack: t.string('1+', { nullable: '1+' }),
    data: t.bytes('1+'),
    list: t.array(t.int32(), '1+', { nullable: '1+' }),
    inner: t.struct({ a: t.int16(), b: t.string('0+', { default: 'x' }) }, '1+'),
    maybe: t.struct({ a: t.int16() }, '1+', { nullable: '1+' }),
  };

  it('decode as their defaults: kind defaults, declared defaults and nested struct defaults', () => {
    const { bytes, value } = roundTrip(fields, 0, false, { kept: 1 });
    expect(bytes.toString('hex')).toBe('01');
    expect(value).toEqual({
      kept: 1,
      flag: false,
      count: 0,
      epoch: -1,
      id: ZERO_UUID,
      name: '',
      rack: null,
      data: Buffer.alloc(0),
      list: [],
      inner: { a: 0, b: 'x' },
      maybe: null,
    });
  });

  it('are not written even when the value has them', () => {
    const { bytes } = roundTrip(fields, 0, false, { kept: 1, count: 5, name: 'y' });
    expect(bytes.toString('hex')).toBe('01');
  });

  it('give every decode its own array and struct defaults', () => {
    const plan = compileStruct(fields, 0, false);
    const a = decodeStruct(plan, new ByteReader(Buffer.from([1])));
    const b = decodeStruct(plan, new ByteReader(Buffer.from([1])));
    expect(a.list).not.toBe(b.list);
    expect(a.inner).not.toBe(b.inner);
  });

  it('decode with the same key order as present ones (one object shape per struct and version)', () => {
    const plan = compileStruct(fields, 0, false);
    expect(Object.keys(decodeStruct(plan, new ByteReader(Buffer.from([1]))))).toEqual(Object.keys(fields));
    expect(Object.keys(defaultStruct(plan))).toEqual(Object.keys(fields));
  });
});

describe('encoding values', () => {
  it('treats an undefined field as its default', () => {
    const fields = { a: t.int32('0+', { default: -1 }), s: t.string(), l: t.array(t.int8()) };
    expect(roundTrip(fields, 0, false, {}).bytes.toString('hex')).toBe('ffffffff' + '0000' + '00000000');
  });

  it('writes the empty value for an undefined field that defaults to null but is not nullable in this version', () => {
    const fields = { rack: t.string('0+', { nullable: '1+' }) };
    expect(roundTrip(fields, 0, false, {}).bytes.toString('hex')).toBe('0000');
    expect(roundTrip(fields, 1, false, {}).bytes.toString('hex')).toBe('ffff');
  });

  it('refuses null where the version does not allow it, naming the field and saying why', () => {
    const fields = { topics: t.array(t.string(), '0+', { nullable: '1+' }) };
    expect(roundTrip(fields, 1, false, { topics: null }).value).toEqual({ topics: null });
    expect(() => roundTrip(fields, 0, false, { topics: null })).toThrow(/struct\.topics is null, but it is not nullable/);
  });

  it('refuses a value of the wrong type with a ProtocolError, not a TypeError', () => {
    expect(() => roundTrip({ s: t.string() }, 0, false, { s: 5 })).toThrow(ProtocolError);
    expect(() => roundTrip({ l: t.array(t.int8()) }, 0, false, { l: 'no' })).toThrow(ProtocolError);
    expect(() => roundTrip({ n: t.struct({ a: t.int8() }) }, 0, false, { n: 3 })).toThrow(ProtocolError);
  });
});

describe('tagged fields', () => {
  const fields = {
    id: t.int32(),
    epoch: t.int32('0+', { tag: 0, taggedVersions: '0+', default: -1 }),
    features: t.array({ name: t.string() }, '0+', { tag: 1, taggedVersions: '0+' }),
    leader: t.struct({ id: t.int32('0+', { default: -1 }), epoch: t.int32('0+', { default: -1 }) }, '0+', { tag: 2, taggedVersions: '0+' }),
  };

  it('leave out fields equal to their default, including empty arrays and default structs', () => {
    const { bytes } = roundTrip(fields, 0, true, { id: 1, epoch: -1, features: [], leader: { id: -1, epoch: -1 } });
    expect(bytes.toString('hex')).toBe('00000001' + '00');
  });

  it('write a struct that differs from its default in any field', () => {
    const { bytes, value } = roundTrip(fields, 0, true, { id: 1, epoch: -1, features: [], leader: { id: -1, epoch: 4 } });
    expect(bytes.toString('hex')).toBe('00000001' + '01' + '02' + '09' + 'ffffffff' + '00000004' + '00');
    expect(value.leader).toEqual({ id: -1, epoch: 4 });
  });

  it('are regular fields in versions that are not flexible', () => {
    const { bytes } = roundTrip(fields, 0, false, { id: 1, epoch: -1, features: [], leader: { id: -1, epoch: -1 } });
    expect(bytes.toString('hex')).toBe('00000001' + 'ffffffff' + '00000000' + 'ffffffff' + 'ffffffff');
  });
});

describe('declarations the compiler refuses', () => {
  it.each([
    ['a nullable int', { a: t.int32('0+', { nullable: '0+' }) }, /cannot be nullable/],
    ['a bad version range', { a: t.int32('3-1') }, /invalid version range/],
    ['a range it cannot parse', { a: t.int32('v3') }, /invalid version range/],
    ['a tag used twice', { a: t.int32('0+', { tag: 1, taggedVersions: '0+' }), b: t.int8('0+', { tag: 1, taggedVersions: '0+' }) }, /tag 1 used by both a and b/],
  ])('%s', (_name, fields, message) => {
    expect(() => compileStruct(fields, 0, true)).toThrow(message);
  });
});

describe('plans', () => {
  it('are compiled once per struct and version', () => {
    expect(apiVersionPlan(KitchenSinkApi, 3)).toBe(apiVersionPlan(KitchenSinkApi, 3));
    expect(apiVersionPlan(KitchenSinkApi, 3).request).not.toBe(apiVersionPlan(KitchenSinkApi, 2).request);
  });

  it('compile for every version of every declared API', () => {
    for (const api of [KitchenSinkApi, ...loadDeclaredApis().found]) expect(() => validateApi(api)).not.toThrow();
  });

  it('decode a request body that only has the fields of its version', () => {
    const body = { flag: true, tiny: 1, small: 2, count: 3, unsigned: 4, offset: 5, topicId: ZERO_UUID, name: 'n', maybeName: 'm' };
    const bytes = encodeRequest(KitchenSinkApi, 0, { correlationId: 1 }, body as never);
    const decoded = decodeRequestBody(KitchenSinkApi, 0, bytes, 10);
    expect(decoded).toMatchObject({ ...body, removed: 42, port: 0, ratio: 0, taggedInt: -1, taggedBytes: null, required: { r: false, s: 7 } });
  });
});
