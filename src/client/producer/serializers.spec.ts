import { ErrorCode } from '../../protocol';
import { ClientConfigError, KafkaClientError } from '../errors';
import { bufferSerializer, jsonSerializer, resolveSerializer, stringSerializer } from './serializers';

describe('serializers', () => {
  it('keeps null and undefined as null (tombstones)', () => {
    for (const s of [stringSerializer, jsonSerializer, bufferSerializer]) {
      expect(s(null, 't')).toBeNull();
      expect(s(undefined, 't')).toBeNull();
    }
  });

  it('writes strings as UTF-8 and passes Buffers through', () => {
    expect(stringSerializer('héllo', 't')!.toString('hex')).toBe(Buffer.from('héllo', 'utf8').toString('hex'));
    const bytes = Buffer.from([1, 2]);
    expect(stringSerializer(bytes, 't')).toBe(bytes);
    expect(stringSerializer(42, 't')!.toString()).toBe('42');
  });

  it('writes JSON and refuses what JSON cannot carry', () => {
    expect(jsonSerializer({ a: [1, 'x'] }, 't')!.toString()).toBe('{"a":[1,"x"]}');
    expect(jsonSerializer('text', 't')!.toString()).toBe('"text"');
    expect(() => jsonSerializer(() => 1, 't')).toThrow(KafkaClientError);
  });

  it('wraps typed arrays without copying and refuses other values', () => {
    const backing = new Uint8Array([9, 8, 7, 6]);
    const view = backing.subarray(1, 3);
    const out = bufferSerializer(view, 't')!;
    expect([...out]).toEqual([8, 7]);
    out[0] = 1;
    expect(backing[1]).toBe(1);
    expect([...bufferSerializer(new Uint8Array([5]).buffer, 't')!]).toEqual([5]);
    expect(() => bufferSerializer('text', 't')).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_RECORD }));
  });

  it('resolves names, Java class names and functions', () => {
    expect(resolveSerializer('json')).toBe(jsonSerializer);
    expect(resolveSerializer('org.apache.kafka.common.serialization.StringSerializer')).toBe(stringSerializer);
    expect(resolveSerializer('org.springframework.kafka.support.serializer.JsonSerializer')).toBe(jsonSerializer);
    expect(resolveSerializer('org.apache.kafka.common.serialization.ByteArraySerializer')).toBe(bufferSerializer);
    expect(resolveSerializer('JSON')).toBe(jsonSerializer);
    const custom = (n: number) => Buffer.from([n]);
    expect(resolveSerializer(custom)).toBe(custom);
    expect(resolveSerializer(undefined)).toBe(stringSerializer);
    expect(() => resolveSerializer('avro')).toThrow(ClientConfigError);
  });
});
