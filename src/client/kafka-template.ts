import type { OnApplicationShutdown } from '@nestjs/common';
import { ErrorCode } from '../protocol';
import type { ClientConfig } from '../config/client.config';
import type { PartitionMetadata } from './cluster/cluster-metadata';
import { ClientConfigError, KafkaClientError } from './errors';
import { DELAY_LEVEL_HEADER, DELIVER_AT_HEADER } from '../protocol/delay-header-names';
import { KafkaProducer, type HeaderValue, type ProducerRecord, type RecordCompletion, type RecordHeaders, type RecordMetadata } from './producer/kafka-producer';
import { producerOptionsFromConfig, type ProducerOptions } from './producer/producer-options';
import { bufferSerializer, resolveSerializer, type Serializer, type SerializerSpec } from './producer/serializers';

/** What a send resolves to: Spring Kafka's SendResult. */
export interface SendResult<K = unknown, V = unknown> {
  /** The record as given to send (key and value before serialization). */
  readonly producerRecord: ProducerRecord<K, V>;
  readonly recordMetadata: TemplateRecordMetadata;
}

/** Java's RecordMetadata: where the record was stored, and its serialized sizes (-1 for a null key or value). */
export interface TemplateRecordMetadata extends RecordMetadata {
  readonly serializedKeySize: number;
  readonly serializedValueSize: number;
}

/**
 * Per-send options, beside the record: at most one delay. The broker holds the record back
 * and appends it to its topic when due (same key, value and headers; the key's partition).
 * The send resolves once the broker holds the record durably, with offset -1.
 */
export interface KafkaSendOptions {
  /** One of the broker's delay.levels, 1-based (RocketMQ's 1s 5s 10s 30s 1m ... 2h by default). */
  readonly delayLevel?: number;
  /** Deliver at this time (epoch ms or a Date); a past time delivers at once. */
  readonly deliverAt?: number | Date;
  /** Deliver this many ms from now (this process's clock: sent as deliverAt). */
  readonly delayMs?: number;
}

/** The producer calls the template makes; KafkaProducer is the one used outside tests. */
export interface TemplateProducer {
  send(record: ProducerRecord<Buffer, Buffer>): Promise<RecordMetadata>;
  flush(): Promise<void>;
  close(timeoutMs?: number): Promise<void>;
  partitionsFor(topic: string): Promise<readonly PartitionMetadata[]>;
  metrics(): Readonly<Record<string, number>>;
}

/** Spring's ProducerFactory: builds the template's producer from the bound settings (serializers already applied by the template). */
export type TemplateProducerFactory = (options: ProducerOptions<Buffer, Buffer>) => TemplateProducer;

export interface KafkaTemplateOptions<K = string, V = any> {
  /** Overrides kafka.producer.key-serializer: a name (string, json, bytes, a Java class name) or a function. */
  readonly keySerializer?: SerializerSpec<K>;
  /** Overrides kafka.producer.value-serializer. */
  readonly valueSerializer?: SerializerSpec<V>;
  /** Overrides kafka.template.default-topic. */
  readonly defaultTopic?: string;
  /** How long close() (and application shutdown) waits for buffered records (30000, Spring's physical close timeout). */
  readonly closeTimeoutMs?: number;
  /** Builds the producer; a KafkaProducer by default. */
  readonly producerFactory?: TemplateProducerFactory;
}

const DEFAULT_CLOSE_TIMEOUT_MS = 30_000;

/**
 * Spring Kafka's KafkaTemplate: sends records and resolves with where they landed.
 * Awaiting a send is Spring's `send(...).get()`; not awaiting it lets records batch
 * (batch.size, linger.ms). A failed send rejects with a KafkaClientError carrying the
 * Kafka error code (after the producer's retries, within delivery.timeout.ms).
 *
 * Serialization happens here, with kafka.producer.key-serializer/value-serializer or the
 * template's own serializers, so the result can report serialized sizes; the producer
 * is handed bytes. The producer connects on the first send and is flushed and closed
 * when the application shuts down, after listener containers (which may still publish)
 * have stopped.
 */
export class KafkaTemplate<K = string, V = any> implements OnApplicationShutdown {
  readonly defaultTopic: string | undefined;
  private readonly producer: TemplateProducer;
  /** The producer when the template built it (bytes serializers, no factory): sends go through its sendSerialized. */
  private readonly ownProducer: KafkaProducer<Buffer, Buffer> | undefined;
  private readonly keySerializer: Serializer<K>;
  private readonly valueSerializer: Serializer<V>;
  private readonly closeTimeoutMs: number;

  constructor(config: ClientConfig, options: KafkaTemplateOptions<K, V> = {}) {
    const producerOptions = producerOptionsFromConfig(config);
    this.keySerializer = resolveSerializer<K>(options.keySerializer ?? (producerOptions.keySerializer as SerializerSpec<K> | undefined));
    this.valueSerializer = resolveSerializer<V>(options.valueSerializer ?? (producerOptions.valueSerializer as SerializerSpec<V> | undefined));
    this.defaultTopic = options.defaultTopic ?? config.template.defaultTopic;
    this.closeTimeoutMs = options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
    const bytesOptions: ProducerOptions<Buffer, Buffer> = { ...producerOptions, keySerializer: bufferSerializer, valueSerializer: bufferSerializer };
    // Built now, not on first send, so settings that cannot work (acks=1 with
    // enable.idempotence=true) stop the application at start; nothing connects yet.
    this.ownProducer = options.producerFactory ? undefined : new KafkaProducer<Buffer, Buffer>(bytesOptions);
    this.producer = this.ownProducer ?? options.producerFactory!(bytesOptions);
  }

  /** Sends a record as given. */
  send(record: ProducerRecord<K, V>, options?: KafkaSendOptions): Promise<SendResult<K, V>>;
  /** Sends a value without a key (the sticky partition). */
  send(topic: string, value: V | null): Promise<SendResult<K, V>>;
  /** Sends a keyed value: the key's partition (murmur2, as the Java client). */
  send(topic: string, key: K | null, value: V | null): Promise<SendResult<K, V>>;
  send(topic: string, partition: number | null | undefined, key: K | null, value: V | null): Promise<SendResult<K, V>>;
  send(topic: string, partition: number | null | undefined, timestamp: number | Date | null | undefined, key: K | null, value: V | null): Promise<SendResult<K, V>>;
  send(first: unknown, a?: unknown, b?: unknown, c?: unknown, d?: unknown): Promise<SendResult<K, V>> {
    // Which overload is meant shows only in the argument count (a value may be undefined);
    // arguments.length reads it without the array a rest parameter would allocate per send.
    const count = arguments.length;
    if (typeof first === 'object' && first !== null) {
      if (count > 2) return misuse(`send(record, options) takes 2 arguments, not ${count}`);
      return this.doSend(first as ProducerRecord<K, V>, a as KafkaSendOptions | undefined);
    }
    if (typeof first !== 'string') return misuse('send needs a topic name or a ProducerRecord first');
    const record = positionalRecord(first, count - 1, a, b, c, d, 'send(topic, ...)');
    return record instanceof Error ? Promise.reject(record) : this.doSend(record as ProducerRecord<K, V>);
  }

  /** Sends to kafka.template.default-topic. */
  sendDefault(value: V | null): Promise<SendResult<K, V>>;
  sendDefault(key: K | null, value: V | null): Promise<SendResult<K, V>>;
  sendDefault(partition: number | null | undefined, key: K | null, value: V | null): Promise<SendResult<K, V>>;
  sendDefault(partition: number | null | undefined, timestamp: number | Date | null | undefined, key: K | null, value: V | null): Promise<SendResult<K, V>>;
  sendDefault(a?: unknown, b?: unknown, c?: unknown, d?: unknown): Promise<SendResult<K, V>> {
    if (this.defaultTopic === undefined || this.defaultTopic === '') {
      return Promise.reject(new ClientConfigError('sendDefault needs a default topic: set kafka.template.default-topic (or the template option defaultTopic)'));
    }
    // As in send(): the argument count tells the overload.
    const record = positionalRecord(this.defaultTopic, arguments.length, a, b, c, d, 'sendDefault(...)');
    return record instanceof Error ? Promise.reject(record) : this.doSend(record as ProducerRecord<K, V>);
  }

  /** Sends every buffered record now (ignoring linger.ms) and resolves when each has succeeded or failed. */
  flush(): Promise<void> {
    return this.producer.flush();
  }

  /** The partitions of a topic, with leaders and replicas, from the producer's metadata. */
  partitionsFor(topic: string): Promise<readonly PartitionMetadata[]> {
    return this.producer.partitionsFor(topic);
  }

  /** The producer's figures (buffer memory, waiting sends, producer id). */
  metrics(): Readonly<Record<string, number>> {
    return this.producer.metrics();
  }

  /** The template's producer is not transactional (no transactional.id support yet). */
  isTransactional(): boolean {
    return false;
  }

  inTransaction(): boolean {
    return false;
  }

  /** Spring's local transactions need a transactional producer, which the SDK does not offer. */
  executeInTransaction<T>(_callback: (operations: KafkaTemplate<K, V>) => T | Promise<T>): Promise<T> {
    return Promise.reject(
      new KafkaClientError(ErrorCode.INVALID_TXN_STATE, 'executeInTransaction is not supported: the SDK has no transactional producer (transactional.id); send without a transaction', {
        retriable: false,
      }),
    );
  }

  /** Sends what is buffered (waiting at most closeTimeoutMs) and closes the connections; later sends fail. */
  close(timeoutMs = this.closeTimeoutMs): Promise<void> {
    return this.producer.close(timeoutMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /**
   * Every send overload ends here. On the template's own producer a send is one promise
   * and one small completion object: the producer tells the completion where the record
   * landed and it resolves the SendResult, with no promise chained on another and no
   * RecordMetadata copied (this runs once per record; bench/client.ts measures it).
   */
  protected doSend(record: ProducerRecord<K, V>, options?: KafkaSendOptions): Promise<SendResult<K, V>> {
    const topic = record.topic;
    let key: Buffer | null;
    let value: Buffer | null;
    let headers = record.headers;
    try {
      if (typeof topic !== 'string' || topic.length === 0) throw new KafkaClientError(ErrorCode.INVALID_TOPIC_EXCEPTION, 'a record needs a topic', { retriable: false });
      key = serialize(this.keySerializer, record.key, topic, 'key');
      value = serialize(this.valueSerializer, record.value, topic, 'value');
      if (options !== undefined) headers = withDelayHeader(headers, options);
    } catch (err) {
      return Promise.reject(err);
    }
    const serializedKeySize = key === null ? -1 : key.length;
    const serializedValueSize = value === null ? -1 : value.length;
    if (this.ownProducer !== undefined) {
      const promise = new Promise<SendResult<K, V>>(keepSettlers);
      const completion = new SendCompletion<K, V>(record, serializedKeySize, serializedValueSize, newResolve as Resolve<K, V>, newReject);
      this.ownProducer.sendSerialized(topic, record.partition, record.timestamp, key, value, headers, completion);
      return promise;
    }
    return this.producer.send({ topic, key, value, partition: record.partition, timestamp: record.timestamp, headers }).then((metadata) => ({
      producerRecord: record,
      recordMetadata: { topic: metadata.topic, partition: metadata.partition, offset: metadata.offset, timestamp: metadata.timestamp, serializedKeySize, serializedValueSize },
    }));
  }
}

type Resolve<K, V> = (result: SendResult<K, V>) => void;
type Reject = (error: Error) => void;

/**
 * The executor of every send's promise: one shared function rather than a closure per
 * record, leaving the promise's settlers here for doSend to pick up at once.
 */
let newResolve: Resolve<unknown, unknown>;
let newReject: Reject;
function keepSettlers(resolve: Resolve<any, any>, reject: Reject): void {
  newResolve = resolve;
  newReject = reject;
}

/** One send in flight on the template's own producer: what its SendResult needs, and the promise's settlers. */
class SendCompletion<K, V> implements RecordCompletion {
  constructor(
    private readonly record: ProducerRecord<K, V>,
    private readonly serializedKeySize: number,
    private readonly serializedValueSize: number,
    private readonly resolve: Resolve<K, V>,
    private readonly reject: Reject,
  ) {}

  onAcknowledged(topic: string, partition: number, offset: number, timestamp: number): void {
    this.resolve({
      producerRecord: this.record,
      recordMetadata: { topic, partition, offset, timestamp, serializedKeySize: this.serializedKeySize, serializedValueSize: this.serializedValueSize },
    });
  }

  onFailed(error: Error): void {
    this.reject(error);
  }
}

/**
 * The positional overloads after the topic, told apart by how many arguments came
 * (`count`, of which a..d are the first four): (value), (key, value),
 * (partition, key, value), (partition, timestamp, key, value).
 */
function positionalRecord(topic: string, count: number, a: unknown, b: unknown, c: unknown, d: unknown, shape: string): ProducerRecord<unknown, unknown> | Error {
  switch (count) {
    case 1:
      return { topic, value: a };
    case 2:
      return { topic, key: a, value: b };
    case 3: {
      const partition = partitionArgument(a, shape);
      if (partition instanceof Error) return partition;
      return { topic, partition, key: b, value: c };
    }
    case 4: {
      const partition = partitionArgument(a, shape);
      if (partition instanceof Error) return partition;
      const timestamp = timestampArgument(b, shape);
      if (timestamp instanceof Error) return timestamp;
      return { topic, partition, timestamp, key: c, value: d };
    }
    default:
      return usageError(`${shape} takes a value, (key, value), (partition, key, value) or (partition, timestamp, key, value); got ${count} arguments`);
  }
}

function partitionArgument(value: unknown, shape: string): number | undefined | Error {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  return usageError(`${shape}: the partition must be an integer >= 0 (or null), not ${String(value)}`);
}

function timestampArgument(value: unknown, shape: string): number | Date | undefined | Error {
  if (value === null || value === undefined) return undefined;
  if ((typeof value === 'number' && Number.isFinite(value) && value >= 0) || value instanceof Date) return value;
  return usageError(`${shape}: the timestamp must be milliseconds since the epoch or a Date (or null), not ${String(value)}`);
}

/** Kafka's SerializationException: the record never reaches the producer. */
function serialize<T>(serializer: Serializer<T>, data: T | null | undefined, topic: string, what: 'key' | 'value'): Buffer | null {
  if (data === null || data === undefined) return null;
  try {
    return serializer(data, topic);
  } catch (error) {
    if (error instanceof KafkaClientError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new KafkaClientError(ErrorCode.INVALID_RECORD, `Can't serialize the ${what} of a record for topic ${topic}: ${reason}`, { retriable: false, cause: error });
  }
}

/**
 * The record's headers plus the delay header the options ask for (replacing any delay header
 * the record already had, so the broker never sees two). Bad options are the caller's error.
 */
function withDelayHeader(headers: RecordHeaders | undefined, options: KafkaSendOptions): RecordHeaders | undefined {
  const { delayLevel, deliverAt, delayMs } = options;
  const given = [delayLevel, deliverAt, delayMs].filter((v) => v !== undefined).length;
  if (given === 0) return headers;
  if (given > 1) throw usageError('send options: give one of delayLevel, deliverAt and delayMs');
  let header: { key: string; value: string };
  if (delayLevel !== undefined) {
    if (!Number.isInteger(delayLevel) || delayLevel < 1) throw usageError(`send options: delayLevel must be an integer >= 1, not ${String(delayLevel)}`);
    header = { key: DELAY_LEVEL_HEADER, value: String(delayLevel) };
  } else {
    const at = delayMs !== undefined ? Date.now() + delayMs : deliverAt instanceof Date ? deliverAt.getTime() : deliverAt!;
    const valid = delayMs !== undefined ? Number.isFinite(delayMs) && delayMs >= 0 : Number.isSafeInteger(at) && at >= 0;
    if (!valid) throw usageError(`send options: ${delayMs !== undefined ? `delayMs must be a number >= 0, not ${String(delayMs)}` : `deliverAt must be a time in epoch ms or a Date, not ${String(deliverAt)}`}`);
    header = { key: DELIVER_AT_HEADER, value: String(Math.ceil(at)) };
  }
  const kept: Array<{ key: string; value: HeaderValue }> = [];
  if (Array.isArray(headers)) {
    for (const h of headers as ReadonlyArray<{ key: string; value: HeaderValue }>) if (h.key !== DELAY_LEVEL_HEADER && h.key !== DELIVER_AT_HEADER) kept.push(h);
  } else if (headers) {
    for (const [k, v] of Object.entries(headers as Record<string, HeaderValue | readonly HeaderValue[] | undefined>)) {
      if (k === DELAY_LEVEL_HEADER || k === DELIVER_AT_HEADER || v === undefined) continue;
      for (const one of Array.isArray(v) ? (v as readonly HeaderValue[]) : [v as HeaderValue]) kept.push({ key: k, value: one });
    }
  }
  kept.push(header);
  return kept;
}

function usageError(message: string): KafkaClientError {
  return new KafkaClientError(ErrorCode.INVALID_REQUEST, message, { retriable: false });
}

function misuse(message: string): Promise<never> {
  return Promise.reject(usageError(message));
}
