import { ErrorCode, type RecordHeader } from '../../protocol';
import { KafkaCluster } from '../cluster/kafka-cluster';
import type { PartitionMetadata } from '../cluster/cluster-metadata';
import { ClientClosedError, KafkaClientError, KafkaTimeoutError } from '../errors';
import { BufferPool } from './buffer-pool';
import { StickyPartitioner, partitionForKey } from './partitioner';
import { singleRecordBatchUpperBound, type RecordMetadata } from './producer-batch';
import { resolveProducerOptions, type ProducerOptions, type ResolvedProducerOptions } from './producer-options';
import { NEEDS_MEMORY, RecordAccumulator } from './record-accumulator';
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

export type { RecordMetadata } from './producer-batch';

/** A send waiting for metadata or buffer memory; later sends queue behind it so order holds. */
interface BlockedSend {
  readonly topic: string;
  readonly partition: number | undefined;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: RecordHeader[] | null;
  readonly timestamp: number;
  readonly deadline: number;
  readonly resolve: (metadata: RecordMetadata) => void;
  readonly reject: (err: Error) => void;
}

/** tryAppend outcomes other than a partition that needs memory. */
const HANDLED = -1;
const NEEDS_METADATA = -2;

/**
 * Kafka's producer for Node: send() serializes the record, picks its partition as the
 * Java producer does, and appends it to that partition's batch; a Sender ships batches
 * to the partition leaders and settles each record's promise with its offset.
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
  send(record: ProducerRecord<K, V>): Promise<RecordMetadata> {
    if (this.closing) return Promise.reject(new ClientClosedError('the producer'));
    let key: Buffer | null;
    let value: Buffer | null;
    let headers: RecordHeader[] | null;
    let timestamp: number;
    try {
      const topic = record.topic;
      if (typeof topic !== 'string' || topic.length === 0) throw new KafkaClientError(ErrorCode.INVALID_TOPIC_EXCEPTION, 'a record needs a topic', { retriable: false });
      key = record.key === undefined || record.key === null ? null : this.keySerializer(record.key, topic);
      value = record.value === undefined || record.value === null ? null : this.valueSerializer(record.value, topic);
      headers = record.headers === undefined ? null : toRecordHeaders(record.headers);
      timestamp = record.timestamp === undefined ? Date.now() : record.timestamp instanceof Date ? record.timestamp.getTime() : record.timestamp;
      this.checkRecordSize(key, value, headers);
    } catch (err) {
      return Promise.reject(err);
    }
    const { topic, partition } = record;
    return new Promise<RecordMetadata>((resolve, reject) => {
      const outcome = this.blocked.length === 0 ? this.tryAppend(topic, partition, key, value, headers, timestamp, resolve, reject) : NEEDS_METADATA;
      if (outcome === HANDLED) return;
      this.blocked.push({
        topic,
        partition: outcome >= 0 ? outcome : partition,
        key,
        value,
        headers,
        timestamp,
        deadline: Date.now() + this.options.maxBlockMs,
        resolve,
        reject,
      });
      this.runBlocked();
    });
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
    for (const entry of this.blocked.takeAll()) entry.reject(fail);
    this.sender.failQueued(fail);
    this.sender.stop();
    for (const batch of this.accumulator.incompleteBatches()) {
      this.accumulator.deallocate(batch);
      batch.fail(fail);
    }
    if (this.ownsCluster) this.cluster.close();
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
    resolve: (metadata: RecordMetadata) => void,
    reject: (err: Error) => void,
  ): number {
    const fatal = this.sender.fatal;
    if (fatal) {
      reject(fatal);
      return HANDLED;
    }
    const count = this.cluster.partitionCount(topic);
    if (count === undefined) return NEEDS_METADATA;
    let partition: number;
    if (explicitPartition !== undefined) {
      if (!Number.isInteger(explicitPartition) || explicitPartition < 0 || explicitPartition >= count) {
        reject(new KafkaClientError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Invalid partition given with record: ${explicitPartition} is not in the range [0...${count})`, { retriable: false }));
        return HANDLED;
      }
      partition = explicitPartition;
    } else if (key !== null) {
      partition = partitionForKey(key, count);
    } else {
      partition = this.sticky.partition(topic, count, this.accumulator);
    }
    const appended = this.accumulator.append(topic, partition, timestamp, key, value, headers, resolve, reject);
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
          entry.reject(err instanceof Error ? err : new Error(String(err)));
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
    const outcome = this.tryAppend(entry.topic, entry.partition, entry.key, entry.value, entry.headers, entry.timestamp, entry.resolve, entry.reject);
    if (outcome === HANDLED) return;
    if (outcome === NEEDS_METADATA) throw new KafkaTimeoutError(`Topic ${entry.topic} not present in metadata after ${this.options.maxBlockMs} ms`);
    // Memory is short: wait for a batch to complete (batches are sendable while anyone waits).
    this.sender.wakeup();
    const size = this.accumulator.bufferSizeFor(entry.key, entry.value, entry.headers);
    const buffer = await this.pool.allocate(size, Math.max(0, entry.deadline - Date.now()));
    const appended = this.accumulator.appendWithBuffer(buffer, entry.topic, outcome, entry.timestamp, entry.key, entry.value, entry.headers, entry.resolve, entry.reject);
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

function toRecordHeaders(headers: RecordHeaders): RecordHeader[] {
  const out: RecordHeader[] = [];
  const push = (key: string, value: HeaderValue): void => {
    out.push({ key, value: value === null ? null : typeof value === 'string' ? Buffer.from(value, 'utf8') : value });
  };
  if (Array.isArray(headers)) {
    for (const h of headers as ReadonlyArray<{ key: string; value: HeaderValue }>) push(h.key, h.value);
  } else {
    for (const [key, value] of Object.entries(headers as Record<string, HeaderValue | readonly HeaderValue[] | undefined>)) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value as readonly HeaderValue[]) push(key, v);
      else push(key, value as HeaderValue);
    }
  }
  return out;
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
