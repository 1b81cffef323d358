import type { RecordHeader } from '../../protocol/record-batch/record-reader';
import { ClientConfigError, KafkaClientError } from '../errors';
import { ErrorCode } from '../../protocol';

/**
 * Turns the bytes of a record's key or value into what the application reads. null
 * (no key, a tombstone) reaches the function as null. `topic` and `headers` are passed
 * as Kafka's Deserializer.deserialize(topic, headers, data) passes them.
 */
export type Deserializer<T = unknown> = (data: Buffer | null, topic: string, headers: readonly RecordHeader[]) => T;

/** UTF-8 text, null staying null (Kafka's StringDeserializer). */
export const stringDeserializer: Deserializer<string | null> = (data) => (data === null ? null : data.toString('utf8'));

/** JSON text in UTF-8, as Spring Kafka's JsonDeserializer reads it; null staying null. */
export const jsonDeserializer: Deserializer<unknown> = (data, topic) => (data === null ? null : parseJson(data, 0, data.length, topic));

/**
 * The bytes themselves. They are a view into the fetch response, not a copy: a record
 * kept for long keeps that response's memory alive (copy with Buffer.from to let it go).
 */
export const bufferDeserializer: Deserializer<Buffer | null> = (data) => data;

const BY_NAME: Readonly<Record<string, Deserializer<any>>> = {
  string: stringDeserializer,
  json: jsonDeserializer,
  buffer: bufferDeserializer,
  bytes: bufferDeserializer,
  'org.apache.kafka.common.serialization.StringDeserializer': stringDeserializer,
  'org.apache.kafka.common.serialization.ByteArrayDeserializer': bufferDeserializer,
  'org.apache.kafka.common.serialization.BytesDeserializer': bufferDeserializer,
  'org.apache.kafka.common.serialization.ByteBufferDeserializer': bufferDeserializer,
  'org.springframework.kafka.support.serializer.JsonDeserializer': jsonDeserializer,
};

/** A deserializer by name (the SDK's short names or a Java class name a Spring config carries), or a function. */
export type DeserializerSpec<T = unknown> = Deserializer<T> | 'string' | 'json' | 'buffer' | 'bytes' | (string & {});

export function resolveDeserializer<T = unknown>(spec: DeserializerSpec<T> | undefined, fallback: Deserializer<any> = stringDeserializer): Deserializer<T> {
  if (spec === undefined) return fallback;
  if (typeof spec === 'function') return spec;
  const found = BY_NAME[spec] ?? BY_NAME[spec.toLowerCase()];
  if (!found) {
    throw new ClientConfigError(`unknown deserializer ${JSON.stringify(spec)}; use string, json, buffer, a Java deserializer class name, or a function`);
  }
  return found;
}

/**
 * What the fetcher calls per record: the field's bytes as a range of the batch's
 * payload (length -1 for null). The built-in deserializers read the range directly, so
 * a string key or value costs the string and nothing else; a custom function gets a
 * view of the range.
 */
export type FieldDecoder<T> = (payload: Buffer, start: number, length: number, topic: string, headers: readonly RecordHeader[]) => T;

export function fieldDecoderFor<T>(deserializer: Deserializer<T>): FieldDecoder<T> {
  const builtIn = deserializer as Deserializer<unknown>;
  if (builtIn === stringDeserializer) return decodeString as FieldDecoder<any>;
  if (builtIn === jsonDeserializer) return decodeJson as FieldDecoder<any>;
  if (builtIn === bufferDeserializer) return sliceBytes as FieldDecoder<any>;
  return (payload, start, length, topic, headers) => deserializer(length < 0 ? null : payload.subarray(start, start + length), topic, headers);
}

const decodeString: FieldDecoder<string | null> = (payload, start, length) => (length < 0 ? null : payload.toString('utf8', start, start + length));
const decodeJson: FieldDecoder<unknown> = (payload, start, length, topic) => (length < 0 ? null : parseJson(payload, start, start + length, topic));
const sliceBytes: FieldDecoder<Buffer | null> = (payload, start, length) => (length < 0 ? null : payload.subarray(start, start + length));

function parseJson(bytes: Buffer, start: number, end: number, topic: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8', start, end));
  } catch (err) {
    // Kafka's SerializationException: the record cannot be read, retrying will not help.
    throw new KafkaClientError(ErrorCode.INVALID_RECORD, `a record of ${topic} is not JSON: ${(err as Error).message}`, { retriable: false, cause: err });
  }
}
