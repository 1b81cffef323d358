import { ClientConfigError, KafkaClientError } from '../errors';
import { ErrorCode } from '../../protocol';

/**
 * Turns a key or value into the bytes a record carries. null and undefined stay null
 * (a null value is a tombstone on a compacted topic), whatever the serializer.
 * `topic` is passed as Kafka's Serializer.serialize(topic, data) passes it.
 */
export type Serializer<T = unknown> = (data: T, topic: string) => Buffer | null;

/** UTF-8 text; Buffers pass through, other values are turned into text with String(). */
export const stringSerializer: Serializer<unknown> = (data) => {
  if (data === null || data === undefined) return null;
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (Buffer.isBuffer(data)) return data;
  return Buffer.from(String(data), 'utf8');
};

/** JSON text in UTF-8, as Spring Kafka's JsonSerializer writes it. */
export const jsonSerializer: Serializer<unknown> = (data) => {
  if (data === null || data === undefined) return null;
  const text = JSON.stringify(data);
  // JSON.stringify gives undefined for functions and symbols: nothing a record can carry.
  if (text === undefined) throw new KafkaClientError(ErrorCode.INVALID_RECORD, `cannot serialize a ${typeof data} as JSON`, { retriable: false });
  return Buffer.from(text, 'utf8');
};

/** Bytes as given: a Buffer, any Uint8Array (wrapped without a copy) or an ArrayBuffer. */
export const bufferSerializer: Serializer<unknown> = (data) => {
  if (data === null || data === undefined) return null;
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  throw new KafkaClientError(ErrorCode.INVALID_RECORD, `the buffer serializer takes a Buffer, Uint8Array or ArrayBuffer, not ${describe(data)}`, { retriable: false });
};

/**
 * Serializer names accepted in configuration (kafka.producer.key-serializer ...): the
 * SDK's short names, and the Java class names a Spring application.yml carries, so
 * one ports unchanged.
 */
const BY_NAME: Readonly<Record<string, Serializer<unknown>>> = {
  string: stringSerializer,
  json: jsonSerializer,
  buffer: bufferSerializer,
  bytes: bufferSerializer,
  'org.apache.kafka.common.serialization.StringSerializer': stringSerializer,
  'org.apache.kafka.common.serialization.ByteArraySerializer': bufferSerializer,
  'org.apache.kafka.common.serialization.BytesSerializer': bufferSerializer,
  'org.apache.kafka.common.serialization.ByteBufferSerializer': bufferSerializer,
  'org.springframework.kafka.support.serializer.JsonSerializer': jsonSerializer,
};

export type SerializerSpec<T = unknown> = Serializer<T> | keyof typeof BY_NAME | string;

/** A serializer from a name or a function (used as is). */
export function resolveSerializer<T = unknown>(spec: SerializerSpec<T> | undefined, fallback: Serializer<unknown> = stringSerializer): Serializer<T> {
  if (spec === undefined) return fallback as Serializer<T>;
  if (typeof spec === 'function') return spec;
  const found = BY_NAME[spec] ?? BY_NAME[spec.toLowerCase()];
  if (!found) throw new ClientConfigError(`unknown serializer ${JSON.stringify(spec)}; use ${Object.keys(BY_NAME).slice(0, 4).join(', ')}, a Java serializer class name, or a function`);
  return found as Serializer<T>;
}

function describe(data: unknown): string {
  return data === null ? 'null' : Array.isArray(data) ? 'an array' : `a ${typeof data}`;
}
