import { ErrorCode } from '../../protocol';
import { ClientConfigError, KafkaClientError } from '../errors';
import { bufferDeserializer, fieldDecoderFor, jsonDeserializer, resolveDeserializer, stringDeserializer, type Deserializer } from './deserializers';

describe('deserializers', () => {
  const payload = Buffer.from('xx{"a":[1,2]}héllo');

  it('resolve by short name or Java class name, defaulting to string', () => {
    expect(resolveDeserializer(undefined)).toBe(stringDeserializer);
    expect(resolveDeserializer('JSON')).toBe(jsonDeserializer);
    expect(resolveDeserializer('bytes')).toBe(bufferDeserializer);
    expect(resolveDeserializer('org.apache.kafka.common.serialization.StringDeserializer')).toBe(stringDeserializer);
    expect(resolveDeserializer('org.apache.kafka.common.serialization.ByteArrayDeserializer')).toBe(bufferDeserializer);
    expect(resolveDeserializer('org.springframework.kafka.support.serializer.JsonDeserializer')).toBe(jsonDeserializer);
    const custom: Deserializer<number> = (data) => data!.length;
    expect(resolveDeserializer(custom)).toBe(custom);
    expect(() => resolveDeserializer('avro')).toThrow(ClientConfigError);
  });

  it('decode a range of the payload in place, null for length -1', () => {
    const string = fieldDecoderFor(stringDeserializer);
    expect(string(payload, 13, 6, 't', [])).toBe('héllo');
    expect(string(payload, 0, -1, 't', [])).toBeNull();
    expect(fieldDecoderFor(jsonDeserializer)(payload, 2, 11, 't', [])).toEqual({ a: [1, 2] });
    const bytes = fieldDecoderFor(bufferDeserializer)(payload, 2, 3, 't', []) as Buffer;
    expect(bytes.toString()).toBe('{"a');
    // A view, not a copy.
    expect(bytes.buffer).toBe(payload.buffer);
  });

  it('hand a custom deserializer a view of the range with topic and headers', () => {
    const seen: unknown[] = [];
    const decode = fieldDecoderFor<string>((data, topic, headers) => {
      seen.push(data === null ? null : data.toString(), topic, headers);
      return 'ok';
    });
    const headers = [{ key: 'h', value: null }];
    expect(decode(payload, 0, 2, 'orders', headers)).toBe('ok');
    expect(decode(payload, 0, -1, 'orders', headers)).toBe('ok');
    expect(seen).toEqual(['xx', 'orders', headers, null, 'orders', headers]);
  });

  it('fail on bad JSON with a non-retriable INVALID_RECORD naming the topic', () => {
    let error: unknown;
    try {
      fieldDecoderFor(jsonDeserializer)(payload, 0, 4, 'orders', []);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(KafkaClientError);
    expect((error as KafkaClientError).code).toBe(ErrorCode.INVALID_RECORD);
    expect((error as KafkaClientError).retriable).toBe(false);
    expect((error as Error).message).toContain('orders');
  });
});
