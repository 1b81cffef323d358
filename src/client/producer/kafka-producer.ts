import { ErrorCode, type RecordHeader } from '../../protocol';
import { KafkaCluster } from '../cluster/kafka-cluster';
import type { PartitionMetadata } from '../cluster/cluster-metadata';
import { ClientClosedError, KafkaClientError, KafkaTimeoutError } from '../errors';
import { BufferPool } from './buffer-pool';
import { StickyPartitioner, partitionForKey } from './partitioner';
import { singleRecordBatchUpperBound } from './producer-batch';
import { resolveProducerOptions, type ProducerOptions, type ResolvedProducerOptions } from './producer-options';
import { NEEDS_MEMORY, RecordAccumulator } from './record-accumulator';
import {
  deliverFailed,
  VIA_CALLBACK,
  VIA_COMPLETION,
  type Receiver,
  type ReceiverMode,
  type RecordCompletion,
  type RecordMetadata,
  type RejectSend,
  type ResolveMetadata,
  type SendCallback,
} from './record-completion';
import { Sender } from './sender';
import { resolveSerializer, type Serializer } from './serializers';

/** Header values: text (UTF-8), bytes, or null; an array repeats the key, as Kafka headers may. */
export type HeaderValue = string | Buffer | null;
export type RecordHeaders = Readonly<Record<string, HeaderValue | readonly HeaderValue[] | undefined>> | ReadonlyArray<{ key: string; value: HeaderValue }>;

export interface ProducerRecord<K = unknown, V = unknown> {
  readonly topic: string;
  readonly value: V | null;
  readonly key?: K | null;
  /** A fixed partition; otherwise the key's partition (murmur2), or the sticky one without a key. */
  readonly partition?: number;
  /** Create time in ms (or a Date); now when omitted. */
  readonly timestamp?: number | Date;
  readonly headers?: RecordHeaders;
}

export type { RecordCompletion, RecordMetadata, SendCallback } from './record-completion';

/** A send waiting for metadata or buffer memory; later sends queue behind it so order holds. */
interface BlockedSend {
  readonly topic: string;
  readonly partition: number | undefined;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: RecordHeader[] | null;
  readonly timestamp: number;
  readonly deadline: number;
  readonly receiver: Receiver;
  readonly mode: ReceiverMode;
}

/** tryAppend outcomes other than a partition that needs memory. */
const HANDLED = -1;
const NEEDS_METADATA = -2;

/**
 * The executor of every send()'s promise: one shared function rather than a closure per
 * record, leaving the promise's settlers here for send() to pick up at once.
 */
let newResolve: ResolveMetadata;
let newReject: RejectSend;
function keepSettlers(resolve: ResolveMetadata, reject: RejectSend): void {
  newResolve = resolve;
  newReject = reject;
}

/**
 * Kafka's producer for Node: send() serializes the record, picks its partition as the
 * Java producer does, and appends it to that partition's batch; a Sender ships batches
 * to the partition leaders and settles each record's promise with its offset.
 *
 * Each record's outcome goes to a promise, or, cheaper, to a callback (Java's
 * send(record, callback)): the batch keeps one receiver per record in a flat array, and
 * makes the RecordMetadata only when the broker has answered.
 *
 * send() returns at once while the topic's metadata is known and buffer memory is free.
 * Otherwise the record waits, at most max.block.ms, and every later send waits behind
 * it: records are never reordered to get around a full buffer, as Java's blocking
 * send() guarantees by blocking the caller.
 */
export class KafkaProducer<K = unknown, V = unknown> {
  readonly options: ResolvedProducerOptions;
  readonly cluster: KafkaCluster;
  private readonly pool: BufferPool;
  private readonly accumulator: RecordAccumulator;
  private readonly sender: Sender;
  private readonly sticky: StickyPartitioner;
  private readonly keySerializer: Serializer<K>;
  private readonly valueSerializer: Serializer<V>;
  private readonly blocked = new Fifo<BlockedSend>();
  private blockedRunning = false;
  private blockedIdleWaiters: Array<() => void> = [];
  private readonly availableCache = new Map<string, { version: number; partitions: number[] }>();
  private readonly ownsCluster: boolean;
  private closing: Promise<void> | undefined;

  constructor(options: ProducerOptions<K, V> & { cluster?: KafkaCluster }) {
    this.options = resolveProducerOptions(options);
    const o = this.options;
    this.ownsCluster = options.cluster === undefined;
    this.cluster =
      options.cluster ??
      new KafkaCluster({
        bootstrapServers: o.bootstrapServers,
        clientId: o.clientId,
        requestTimeoutMs: o.requestTimeoutMs,
        connectTimeoutMs: o.connectTimeoutMs,
        metadataMaxAgeMs: o.metadataMaxAgeMs,
        defaultApiTimeoutMs: o.maxBlockMs,
        retry: o.retryPolicy,
      });
    this.keySerializer = resolveSerializer<K>(options.keySerializer);
    this.valueSerializer = resolveSerializer<V>(options.valueSerializer);
    this.pool = new BufferPool(o.bufferMemory, o.batchSize);
    this.sticky = new StickyPartitioner(o.batchSize);
    this.accumulator = new RecordAccumulator(
      { batchSize: o.batchSize, lingerMs: o.lingerMs, compression: o.compression, maxRequestSize: o.maxRequestSize },
      this.pool,
      (topic) => this.availablePartitions(topic),
      () => this.sender.wakeup(),
    );
    this.sender = new Sender(this.cluster, this.accumulator, {
      acks: o.acks,
      requestTimeoutMs: o.requestTimeoutMs,
      deliveryTimeoutMs: o.deliveryTimeoutMs,
      retries: o.retries,
      retryPolicy: o.retryPolicy,
      maxInFlightRequestsPerConnection: o.maxInFlightRequestsPerConnection,
      maxRequestSize: o.maxRequestSize,
      idempotent: o.idempotent,
    });
  }

  /** Reaches the cluster (first metadata). Optional: the first send does it too. */
  async connect(): Promise<void> {
    await this.cluster.connect(this.options.maxBlockMs);
  }

  /** Sends one record; resolves once the broker acknowledged it (at once with offset -1 for acks=0). */
  send(record: ProducerRecord<K, V>): Promise<RecordMetadata>;
  /**
   * Sends one record and calls `callback` with its outcome, as Java's send(record, callback):
   * no promise is made, the cheaper way for code that sends many records and only counts
   * or logs outcomes. The callback never runs inside send(), also when the record is
   * refused at once; one that throws is logged and does not affect other records.
   */
  send(record: ProducerRecord<K, V>, callback: SendCallback): void;
  send(record: ProducerRecord<K, V>, callback?: SendCallback): Promise<RecordMetadata> | void {
    if (callback === undefined) {
      const promise = new Promise<RecordMetadata>(keepSettlers);
      this.serializeAndEnqueue(record, newResolve, newReject);
      return promise;
    }
    this.serializeAndEnqueue(record, callback, VIA_CALLBACK);
  }

  /**
   * KafkaTemplate's way in: key and value are bytes already (this producer's serializers
   * are not applied), and `completion` is told where the record landed as fields, so the
   * template builds its SendResult without an intermediate RecordMetadata. Like the
   * callback, `completion` is never called inside this method.
   */
  sendSerialized(
    topic: string,
    partition: number | undefined,
    timestamp: number | Date | undefined,
    key: Buffer | null,
    value: Buffer | null,
    headers: RecordHeaders | undefined,
    completion: RecordCompletion,
  ): void {
    const refused = this.refusal(topic);
    if (refused !== undefined) return this.failEarly(completion, VIA_COMPLETION, refused, topic, partition);
    this.enqueue(topic, partition, timestamp, key, value, headers, completion, VIA_COMPLETION);
  }

  /** Sends every record buffered so far (linger.ms ignored) and resolves when each has succeeded or failed. */
  async flush(): Promise<void> {
    await this.blockedIdle();
    this.accumulator.beginFlush();
    try {
      this.sender.wakeup();
      await Promise.all(this.accumulator.incompleteBatches().map((batch) => batch.whenDone()));
    } finally {
      this.accumulator.endFlush();
    }
  }

  /**
   * Stops taking records, sends what is buffered and closes the connections. After
   * `timeoutMs`, records still unsent fail with ClientClosedError.
   */
  close(timeoutMs = Infinity): Promise<void> {
    this.closing ??= this.doClose(timeoutMs);
    return this.closing;
  }

  /** The partitions of a topic (fetching its metadata if needed). */
  async partitionsFor(topic: string): Promise<readonly PartitionMetadata[]> {
    await this.cluster.ensureTopics([topic], this.options.maxBlockMs);
    return this.cluster.topic(topic)?.partitions ?? [];
  }

  /** Buffer and queue figures, for metrics and tests. */
  metrics(): { bufferTotalBytes: number; bufferAvailableBytes: number; waitingSends: number; incompleteBatches: number; producerId: number; producerEpoch: number } {
    return {
      bufferTotalBytes: this.pool.totalMemory,
      bufferAvailableBytes: this.pool.availableMemory,
      waitingSends: this.blocked.length,
      incompleteBatches: this.accumulator.incompleteBatches().length,
      ...this.sender.producerIdAndEpoch,
    };
  }

  private async doClose(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const fail = new ClientClosedError('the producer');
    const drained = (async () => {
      await this.blockedIdle();
      this.accumulator.closing = true;
      this.sender.wakeup();
      await Promise.all(this.accumulator.incompleteBatches().map((batch) => batch.whenDone()));
    })();
    if (Number.isFinite(timeoutMs)) {
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))));
      await Promise.race([drained, expired]);
      clearTimeout(timer);
    } else {
      await drained;
    }
    this.pool.close();
    for (const entry of this.blocked.takeAll()) deliverFailed(entry.receiver, entry.mode, fail, entry.topic, entry.partition ?? -1);
    this.sender.failQueued(fail);
    this.sender.stop();
    for (const batch of this.accumulator.incompleteBatches()) {
      this.accumulator.deallocate(batch);
      batch.fail(fail);
    }
    if (this.ownsCluster) this.cluster.close();
  }

  private serializeAndEnqueue(record: ProducerRecord<K, V>, receiver: Receiver, mode: ReceiverMode): void {
    const topic = record.topic;
    let key: Buffer | null;
    let value: Buffer | null;
    try {
      const refused = this.refusal(topic);
      if (refused !== undefined) throw refused;
      key = record.key === undefined || record.key === null ? null : this.keySerializer(record.key, topic);
      value = record.value === undefined || record.value === null ? null : this.valueSerializer(record.value, topic);
    } catch (err) {
      return this.failEarly(receiver, mode, err, topic, record.partition);
    }
    this.enqueue(topic, record.partition, record.timestamp, key, value, record.headers, receiver, mode);
  }

  /** Why no record can go to `topic` now, if so. */
  private refusal(topic: string): Error | undefined {
    if (this.closing) return new ClientClosedError('the producer');
    if (typeof topic !== 'string' || topic.length === 0) return new KafkaClientError(ErrorCode.INVALID_TOPIC_EXCEPTION, 'a record needs a topic', { retriable: false });
    return undefined;
  }

  /** Appends the serialized record now, or queues it behind the sends waiting for metadata or memory. */
  private enqueue(
    topic: string,
    partition: number | undefined,
    recordTimestamp: number | Date | undefined,
    key: Buffer | null,
    value: Buffer | null,
    recordHeaders: RecordHeaders | undefined,
    receiver: Receiver,
    mode: ReceiverMode,
  ): void {
    let headers: RecordHeader[] | null;
    let timestamp: number;
    try {
      headers = recordHeaders === undefined ? null : toRecordHeaders(recordHeaders);
      timestamp = recordTimestamp === undefined ? Date.now() : recordTimestamp instanceof Date ? recordTimestamp.getTime() : recordTimestamp;
      this.checkRecordSize(key, value, headers);
    } catch (err) {
      return this.failEarly(receiver, mode, err, topic, partition);
    }
    const outcome = this.blocked.length === 0 ? this.tryAppend(topic, partition, key, value, headers, timestamp, receiver, mode) : NEEDS_METADATA;
    if (outcome === HANDLED) return;
    this.blocked.push({ topic, partition: outcome >= 0 ? outcome : partition, key, value, headers, timestamp, deadline: Date.now() + this.options.maxBlockMs, receiver, mode });
    this.runBlocked();
  }

  /**
   * Refuses a record before it reached a batch. A promise rejects now (its reactions run
   * later anyway); a callback or completion is called on the next tick, so it never runs
   * inside the send() that caused it.
   */
  private failEarly(receiver: Receiver, mode: ReceiverMode, err: unknown, topic: string, partition: number | undefined): void {
    if (typeof mode === 'function') mode(asError(err));
    else process.nextTick(deliverFailed, receiver, mode, asError(err), topic, partition ?? -1);
  }

  /**
   * Appends if the topic's metadata is known and memory is free now. Returns HANDLED
   * (appended, or rejected), NEEDS_METADATA, or the partition that needs memory.
   */
  private tryAppend(
    topic: string,
    explicitPartition: number | undefined,
    key: Buffer | null,
    value: Buffer | null,
    headers: RecordHeader[] | null,
    timestamp: number,
    receiver: Receiver,
    mode: ReceiverMode,
  ): number {
    const fatal = this.sender.fatal;
    if (fatal) {
      this.failEarly(receiver, mode, fatal, topic, explicitPartition);
      return HANDLED;
    }
    const count = this.cluster.partitionCount(topic);
    if (count === undefined) return NEEDS_METADATA;
    let partition: number;
    if (explicitPartition !== undefined) {
      if (!Number.isInteger(explicitPartition) || explicitPartition < 0 || explicitPartition >= count) {
        const invalid = new KafkaClientError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Invalid partition given with record: ${explicitPartition} is not in the range [0...${count})`, { retriable: false });
        this.failEarly(receiver, mode, invalid, topic, explicitPartition);
        return HANDLED;
      }
      partition = explicitPartition;
    } else if (key !== null) {
      partition = partitionForKey(key, count);
    } else {
      partition = this.sticky.partition(topic, count, this.accumulator);
    }
    const appended = this.accumulator.append(topic, partition, timestamp, key, value, headers, receiver, mode);
    if (appended === NEEDS_MEMORY) return partition;
    if (key === null && explicitPartition === undefined) this.sticky.onAppend(topic, partition, appended);
    return HANDLED;
  }

  /** Works through blocked sends in order, waiting for metadata or memory as each needs. */
  private runBlocked(): void {
    if (this.blockedRunning) return;
    this.blockedRunning = true;
    void (async () => {
      while (this.blocked.length > 0) {
        const entry = this.blocked.peek()!;
        try {
          await this.completeBlocked(entry);
        } catch (err) {
          deliverFailed(entry.receiver, entry.mode, asError(err), entry.topic, entry.partition ?? -1);
        }
        this.blocked.shift();
      }
      this.blockedRunning = false;
      for (const waiter of this.blockedIdleWaiters.splice(0)) waiter();
    })();
  }

  private async completeBlocked(entry: BlockedSend): Promise<void> {
    if (this.cluster.partitionCount(entry.topic) === undefined) {
      const left = entry.deadline - Date.now();
      if (left <= 0) throw new KafkaTimeoutError(`Topic ${entry.topic} not present in metadata after ${this.options.maxBlockMs} ms`);
      await this.cluster.ensureTopics([entry.topic], left);
    }
    const outcome = this.tryAppend(entry.topic, entry.partition, entry.key, entry.value, entry.headers, entry.timestamp, entry.receiver, entry.mode);
    if (outcome === HANDLED) return;
    if (outcome === NEEDS_METADATA) throw new KafkaTimeoutError(`Topic ${entry.topic} not present in metadata after ${this.options.maxBlockMs} ms`);
    // Memory is short: wait for a batch to complete (batches are sendable while anyone waits).
    this.sender.wakeup();
    const size = this.accumulator.bufferSizeFor(entry.key, entry.value, entry.headers);
    const buffer = await this.pool.allocate(size, Math.max(0, entry.deadline - Date.now()));
    const appended = this.accumulator.appendWithBuffer(buffer, entry.topic, outcome, entry.timestamp, entry.key, entry.value, entry.headers, entry.receiver, entry.mode);
    if (entry.key === null && entry.partition === undefined) this.sticky.onAppend(entry.topic, outcome, appended);
  }

  private blockedIdle(): Promise<void> {
    if (!this.blockedRunning && this.blocked.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.blockedIdleWaiters.push(resolve));
  }

  private checkRecordSize(key: Buffer | null, value: Buffer | null, headers: RecordHeader[] | null): void {
    const size = singleRecordBatchUpperBound(key, value, headers);
    if (size > this.options.maxRequestSize) {
      throw new KafkaClientError(
        ErrorCode.MESSAGE_TOO_LARGE,
        `The message is ${size} bytes when serialized which is larger than ${this.options.maxRequestSize}, which is the value of the max.request.size configuration.`,
        { retriable: false },
      );
    }
    if (size > this.options.bufferMemory) {
      throw new KafkaClientError(
        ErrorCode.MESSAGE_TOO_LARGE,
        `The message is ${size} bytes when serialized which is larger than ${this.options.bufferMemory}, the total memory buffer configured with buffer.memory.`,
        { retriable: false },
      );
    }
  }

  private availablePartitions(topic: string): readonly number[] {
    const version = this.cluster.metadata.version;
    const cached = this.availableCache.get(topic);
    if (cached !== undefined && cached.version === version) return cached.partitions;
    const partitions = (this.cluster.topic(topic)?.partitions ?? []).filter((p) => p.leader >= 0).map((p) => p.partition);
    this.availableCache.set(topic, { version, partitions });
    return partitions;
  }
}

/** Kafka's headers from the record's; null when there are none, so a record without headers costs nothing here. */
function toRecordHeaders(headers: RecordHeaders): RecordHeader[] | null {
  let out: RecordHeader[] | null = null;
  if (Array.isArray(headers)) {
    for (const h of headers as ReadonlyArray<{ key: string; value: HeaderValue }>) (out ??= []).push(recordHeader(h.key, h.value));
    return out;
  }
  const byKey = headers as Record<string, HeaderValue | readonly HeaderValue[] | undefined>;
  for (const key in byKey) {
    if (!Object.prototype.hasOwnProperty.call(byKey, key)) continue;
    const value = byKey[key];
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value as readonly HeaderValue[]) (out ??= []).push(recordHeader(key, v));
    else (out ??= []).push(recordHeader(key, value as HeaderValue));
  }
  return out;
}

function recordHeader(key: string, value: HeaderValue): RecordHeader {
  return { key, value: value === null ? null : typeof value === 'string' ? Buffer.from(value, 'utf8') : value };
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** A queue with O(1) shift: a burst of 100k sends waiting for metadata must not cost O(n²). */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    (this.items as Array<T | undefined>)[this.head] = undefined;
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  takeAll(): T[] {
    const all = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return all;
  }
}
