import { BATCH_HEADER_SIZE, CompressionType, type RecordHeader } from '../../protocol';
import type { BufferPool } from './buffer-pool';
import type { StickyPartitionView } from './partitioner';
import { ProducerBatch, singleRecordBatchUpperBound } from './producer-batch';
import type { Receiver, ReceiverMode } from './record-completion';

/** One partition's queue of batches, oldest first, and its idempotence bookkeeping. */
export class PartitionQueue {
  readonly batches: ProducerBatch[] = [];
  /** The sequence the next new batch gets (idempotence). */
  nextSequence = 0;
  /** Batches with a sequence of the current producer id that are not done, lowest sequence first. */
  readonly unresolved: ProducerBatch[] = [];
  /** Batches of this partition inside requests awaiting an answer. */
  inFlightBatches = 0;

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  /** The batch still taking records, if any. */
  get openBatch(): ProducerBatch | undefined {
    const last = this.batches[this.batches.length - 1];
    return last !== undefined && !last.full ? last : undefined;
  }
}

export interface AccumulatorOptions {
  readonly batchSize: number;
  readonly lingerMs: number;
  readonly compression: CompressionType;
  /** max.request.size: no batch grows past it. */
  readonly maxRequestSize: number;
}

/** What ready() found. */
export interface ReadyCheck {
  /** Leaders with at least one batch to send now. */
  readonly nodes: Set<number>;
  /** When the next batch becomes sendable (linger or back-off), if nothing is ready sooner; Infinity if never. */
  readonly nextReadyInMs: number;
  /** Some batch waits for a partition whose leader is unknown: metadata must be refreshed. */
  readonly unknownLeaders: boolean;
}

/** Outcome of append(): bytes appended (> 0), or a reason it did not happen. */
export const NEEDS_MEMORY = -1;

/** Java's CompressionRatioEstimator steps: estimates worsen fast and improve slowly. */
const RATIO_DETERIORATE_STEP = 0.05;
const RATIO_IMPROVE_STEP = 0.005;
const RATIO_SAFETY_FACTOR = 1.05;

/**
 * Per-partition batches waiting to be sent (Kafka's RecordAccumulator). Records are
 * appended to the partition's open batch as bytes; a new batch takes a batch.size
 * buffer from the BufferPool (or one sized for a larger record), and when the pool is
 * empty the append reports NEEDS_MEMORY so the producer can wait for memory without
 * reordering records.
 *
 * A batch becomes sendable when it is full, when linger.ms has passed since it was
 * created, while a flush or close is under way, or when memory is short and waiters
 * need its buffer back; the Sender then drains one batch per partition per request,
 * grouped by leader, up to max.request.size. Compressed batches take uncompressed
 * bytes up to batch.size divided by the topic's estimated compression ratio.
 */
export class RecordAccumulator implements StickyPartitionView {
  private readonly queuesByTopic = new Map<string, PartitionQueue[]>();
  /** Every queue, for scans; the order is creation order. */
  private readonly allQueues: PartitionQueue[] = [];
  private readonly incomplete = new Set<ProducerBatch>();
  private readonly compressionRatio = new Map<string, number>();
  private flushesInProgress = 0;
  private drainStart = 0;
  closing = false;

  constructor(
    private readonly options: AccumulatorOptions,
    private readonly pool: BufferPool,
    /** Partitions with a leader now (for the sticky partitioner). */
    private readonly availablePartitionsOf: (topic: string) => readonly number[],
    /** Told when a batch is created or fills up, so the Sender looks again. */
    private readonly onBatchEvent: () => void,
  ) {}

  queue(topic: string, partition: number): PartitionQueue {
    let queues = this.queuesByTopic.get(topic);
    if (queues === undefined) {
      queues = [];
      this.queuesByTopic.set(topic, queues);
    }
    let queue = queues[partition];
    if (queue === undefined) {
      queue = new PartitionQueue(topic, partition);
      queues[partition] = queue;
      this.allQueues.push(queue);
    }
    return queue;
  }

  availablePartitions(topic: string): readonly number[] {
    return this.availablePartitionsOf(topic);
  }

  hasOpenBatch(topic: string, partition: number): boolean {
    return this.queuesByTopic.get(topic)?.[partition]?.openBatch !== undefined;
  }

  /** The buffer size a new batch needs to take this record. */
  bufferSizeFor(key: Buffer | null, value: Buffer | null, headers: readonly RecordHeader[] | null): number {
    return Math.max(this.options.batchSize, singleRecordBatchUpperBound(key, value, headers));
  }

  /**
   * Appends to the partition's open batch, or to a new one when a buffer is free now.
   * Returns the bytes the record took, or NEEDS_MEMORY: then nothing happened, and the
   * caller gets a buffer from the pool (waiting) and calls appendWithBuffer.
   */
  append(topic: string, partition: number, timestamp: number, key: Buffer | null, value: Buffer | null, headers: readonly RecordHeader[] | null, receiver: Receiver, mode: ReceiverMode): number {
    const queue = this.queue(topic, partition);
    const appended = this.appendToOpen(queue, timestamp, key, value, headers, receiver, mode);
    if (appended > 0) return appended;
    const buffer = this.pool.tryAllocate(this.bufferSizeFor(key, value, headers));
    if (buffer === undefined) return NEEDS_MEMORY;
    return this.appendToNewBatch(queue, buffer, timestamp, key, value, headers, receiver, mode);
  }

  /** Appends the record to a new batch built on `buffer` (or to an open batch that appeared meanwhile, returning the buffer). */
  appendWithBuffer(
    buffer: Buffer,
    topic: string,
    partition: number,
    timestamp: number,
    key: Buffer | null,
    value: Buffer | null,
    headers: readonly RecordHeader[] | null,
    receiver: Receiver,
    mode: ReceiverMode,
  ): number {
    const queue = this.queue(topic, partition);
    const appended = this.appendToOpen(queue, timestamp, key, value, headers, receiver, mode);
    if (appended > 0) {
      this.pool.deallocate(buffer);
      return appended;
    }
    return this.appendToNewBatch(queue, buffer, timestamp, key, value, headers, receiver, mode);
  }

  /** Partitions whose head batch can go now, grouped by leader. */
  ready(now: number, leaderOf: (topic: string, partition: number) => number, mayDrain: (queue: PartitionQueue, head: ProducerBatch) => boolean): ReadyCheck {
    const nodes = new Set<number>();
    let nextReadyInMs = Infinity;
    let unknownLeaders = false;
    const forced = this.closing || this.flushesInProgress > 0 || this.pool.queued > 0;
    const linger = this.options.lingerMs;
    for (const queue of this.allQueues) {
      const head = queue.batches[0];
      if (head === undefined) continue;
      const leader = leaderOf(queue.topic, queue.partition);
      if (leader < 0) {
        unknownLeaders = true;
        continue;
      }
      if (nodes.has(leader)) continue;
      if (head.attempts > 0 && head.retryAt > now) {
        nextReadyInMs = Math.min(nextReadyInMs, head.retryAt - now);
        continue;
      }
      if (!mayDrain(queue, head)) continue;
      const lingerLeft = linger - (now - head.createdMs);
      if (forced || head.attempts > 0 || queue.batches.length > 1 || head.full || lingerLeft <= 0) nodes.add(leader);
      else nextReadyInMs = Math.min(nextReadyInMs, lingerLeft);
    }
    return { nodes, nextReadyInMs, unknownLeaders };
  }

  /**
   * Takes the head batch of each partition led by `nodeId` that may go now (not backing
   * off, allowed by `mayDrain`), up to `maxSize` bytes (at least one batch), starting
   * after where the previous drain stopped so no partition starves. `prepare` runs on
   * each batch before it is closed (sequence numbers go into the header there).
   */
  drain(
    nodeId: number,
    now: number,
    maxSize: number,
    leaderOf: (topic: string, partition: number) => number,
    mayDrain: (queue: PartitionQueue, head: ProducerBatch) => boolean,
    prepare: (queue: PartitionQueue, batch: ProducerBatch) => void,
  ): ProducerBatch[] {
    const out: ProducerBatch[] = [];
    const count = this.allQueues.length;
    let size = 0;
    const start = this.drainStart % Math.max(count, 1);
    let stoppedAt = -1;
    for (let i = 0; i < count; i++) {
      const queue = this.allQueues[(start + i) % count];
      const head = queue.batches[0];
      if (head === undefined || leaderOf(queue.topic, queue.partition) !== nodeId) continue;
      if (head.attempts > 0 && head.retryAt > now) continue;
      if (!mayDrain(queue, head)) continue;
      if (out.length > 0 && size + head.sizeInBytes > maxSize) {
        stoppedAt = (start + i) % count;
        break;
      }
      queue.batches.shift();
      prepare(queue, head);
      this.close(head);
      size += head.sizeInBytes;
      out.push(head);
    }
    this.drainStart = stoppedAt >= 0 ? stoppedAt : start + 1;
    return out;
  }

  /** Puts a batch to retry back at the front of its queue, in sequence order among other retries. */
  reenqueue(batch: ProducerBatch): void {
    const batches = this.queue(batch.topic, batch.partition).batches;
    let i = 0;
    if (batch.baseSequence >= 0) {
      while (i < batches.length && batches[i].attempts > 0 && batches[i].baseSequence >= 0 && batches[i].producerId === batch.producerId && batches[i].baseSequence < batch.baseSequence) i++;
    }
    batches.splice(i, 0, batch);
  }

  /** Takes out batches (not in flight) that waited longer than `maxAgeMs`, oldest first. */
  expire(now: number, maxAgeMs: number): ProducerBatch[] {
    const expired: ProducerBatch[] = [];
    for (const queue of this.allQueues) {
      while (queue.batches.length > 0 && now - queue.batches[0].createdMs >= maxAgeMs) expired.push(queue.batches.shift()!);
    }
    return expired;
  }

  /** Gives a finished batch's memory back. */
  deallocate(batch: ProducerBatch): void {
    if (!this.incomplete.delete(batch)) return;
    if (batch.buffer.length > 0) this.pool.deallocate(batch.buffer);
    if (batch.reservedExtra > 0) this.pool.release(batch.reservedExtra);
    batch.buffer = EMPTY;
    batch.reservedExtra = 0;
  }

  /** Batches not yet completed or failed (queued or in flight). */
  incompleteBatches(): ProducerBatch[] {
    return [...this.incomplete];
  }

  get hasIncomplete(): boolean {
    return this.incomplete.size > 0;
  }

  /** Whether any batch is waiting in a queue (not in flight). */
  hasQueued(): boolean {
    for (const queue of this.allQueues) if (queue.batches.length > 0) return true;
    return false;
  }

  allPartitionQueues(): readonly PartitionQueue[] {
    return this.allQueues;
  }

  beginFlush(): void {
    this.flushesInProgress++;
  }

  endFlush(): void {
    this.flushesInProgress--;
  }

  /** Removes every queued batch (not those in flight) and returns them. */
  takeAllQueued(): ProducerBatch[] {
    const out: ProducerBatch[] = [];
    for (const queue of this.allQueues) out.push(...queue.batches.splice(0));
    return out;
  }

  /** Appends to the queue's open batch, if it has one with room; 0 when the record needs a new batch. */
  private appendToOpen(queue: PartitionQueue, timestamp: number, key: Buffer | null, value: Buffer | null, headers: readonly RecordHeader[] | null, receiver: Receiver, mode: ReceiverMode): number {
    const batch = queue.openBatch;
    if (batch === undefined) return 0;
    let appended = batch.tryAppend(timestamp, key, value, headers, receiver, mode);
    if (appended === 0 && !batch.full) {
      // A compressed batch may hold more than its buffer: grow it while memory is free.
      const limit = this.writeLimit(batch.topic, batch.buffer.length);
      const wanted = Math.min(limit, Math.max(batch.buffer.length * 2, batch.uncompressedBytes + this.bufferSizeFor(key, value, headers)));
      const bigger = wanted > batch.buffer.length ? this.pool.tryAllocate(wanted) : undefined;
      if (bigger === undefined) {
        batch.full = true;
      } else {
        const old = batch.buffer;
        batch.grow(bigger, limit);
        this.pool.deallocate(old);
        appended = batch.tryAppend(timestamp, key, value, headers, receiver, mode);
      }
    }
    if (appended === 0 || batch.full) this.onBatchEvent();
    return appended;
  }

  private appendToNewBatch(
    queue: PartitionQueue,
    buffer: Buffer,
    timestamp: number,
    key: Buffer | null,
    value: Buffer | null,
    headers: readonly RecordHeader[] | null,
    receiver: Receiver,
    mode: ReceiverMode,
  ): number {
    const batch = new ProducerBatch(queue.topic, queue.partition, buffer, Date.now(), this.writeLimit(queue.topic, buffer.length));
    queue.batches.push(batch);
    this.incomplete.add(batch);
    const appended = batch.tryAppend(timestamp, key, value, headers, receiver, mode);
    this.onBatchEvent();
    return appended;
  }

  /** Uncompressed bytes a batch may take: batch.size, or more when compression is expected to shrink it. */
  private writeLimit(topic: string, bufferSize: number): number {
    if (this.options.compression === CompressionType.None) return Math.max(this.options.batchSize, bufferSize);
    const ratio = this.compressionRatio.get(topic) ?? 1;
    const estimate = Math.floor(this.options.batchSize / (ratio * RATIO_SAFETY_FACTOR));
    return Math.max(bufferSize, Math.min(this.options.maxRequestSize, Math.max(this.options.batchSize, estimate)));
  }

  /** Writes the batch's header; a compressed batch's records move to a new buffer and its pooled one is returned. */
  private close(batch: ProducerBatch): void {
    if (batch.isClosed) return;
    const uncompressed = batch.uncompressedBytes;
    const compressedCopy = batch.close(this.options.compression);
    if (compressedCopy === null) return;
    this.pool.deallocate(batch.buffer);
    batch.buffer = EMPTY;
    this.pool.forceReserve(compressedCopy.length);
    batch.reservedExtra = compressedCopy.length;
    this.updateRatio(batch.topic, (compressedCopy.length - BATCH_HEADER_SIZE) / Math.max(1, uncompressed - BATCH_HEADER_SIZE));
  }

  private updateRatio(topic: string, observed: number): void {
    const current = this.compressionRatio.get(topic) ?? 1;
    const next = observed > current ? Math.max(current + RATIO_DETERIORATE_STEP, observed) : Math.max(current - RATIO_IMPROVE_STEP, observed);
    this.compressionRatio.set(topic, Math.min(next, 1));
  }
}

const EMPTY = Buffer.alloc(0);
