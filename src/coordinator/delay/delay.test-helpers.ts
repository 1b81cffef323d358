import { ProducerStateManager } from '../../broker/replica/producer-state-manager';
import { ErrorCode } from '../../protocol/errors/error-codes';
import { encodeRecordBatch, type RecordInput } from '../../protocol/record-batch/record-batch-encoder';
import { RecordBatchView } from '../../protocol/record-batch/record-batch-view';
import type { DecodedRecord } from '../../protocol/record-batch/record-reader';
import type { DelayCluster, ProduceResult, QueueReplica } from './delay-cluster';
import { heldRecord } from './delay-queue-records';

/** A partition log in memory: batches with offsets assigned, read back as whole batches. */
export class MemoryLog implements QueueReplica {
  readonly batches: Buffer[] = [];
  leaderEpoch = 1;
  isLeader = true;
  logStartOffset = 0;
  private end = 0;

  get logEndOffset(): number {
    return this.end;
  }

  get highWatermark(): number {
    return this.end;
  }

  append(batch: Buffer): number {
    const copy = Buffer.from(batch);
    const view = new RecordBatchView(copy);
    const base = this.end;
    view.setBaseOffset(base);
    this.end = view.lastOffset + 1;
    this.batches.push(copy);
    return base;
  }

  deleteRecordsBefore(offset: number): void {
    this.logStartOffset = Math.max(this.logStartOffset, Math.min(offset, this.end));
    while (this.batches.length > 0 && new RecordBatchView(this.batches[0]).lastOffset < this.logStartOffset) this.batches.shift();
  }

  read(offset: number, maxBytes: number, maxOffset: number): Buffer {
    const out: Buffer[] = [];
    let size = 0;
    for (const batch of this.batches) {
      const view = new RecordBatchView(batch);
      if (view.lastOffset < offset) continue;
      if (view.baseOffset >= maxOffset || (out.length > 0 && size + batch.length > maxBytes)) break;
      out.push(batch);
      size += batch.length;
    }
    return Buffer.concat(out);
  }

  records(): DecodedRecord[] {
    return this.batches.flatMap((b) => [...new RecordBatchView(b).records()]);
  }
}

interface FakeTopic {
  readonly logs: MemoryLog[];
  readonly producers: ProducerStateManager[];
}

/**
 * The broker as the scheduler sees it: queues and target topics in memory, targets checking
 * idempotent sequences with the broker's own ProducerStateManager. `interceptTarget` can
 * make a target append and never answer (a crash right after the delivery landed) or
 * never append nor answer (a crash before it was sent).
 */
export class FakeDelayCluster implements DelayCluster {
  readonly queues = new Map<string, MemoryLog>();
  readonly topics = new Map<string, FakeTopic>();
  /** Errors the next target produces answer with, in order. */
  readonly targetErrors: ErrorCode[] = [];
  /** Per queue topic, errors its next appends answer with (nothing appended), in order. */
  readonly queueErrors = new Map<string, ErrorCode[]>();
  /** Queue topics that exist but have no leader yet (a broker still creating them). */
  readonly leaderless = new Set<string>();
  interceptTarget: ((topic: string, partition: number) => 'append-then-hang' | 'hang' | undefined) | undefined;
  private readonly listeners = new Set<() => void>();

  queue(topic: string): MemoryLog {
    let log = this.queues.get(topic);
    if (!log) this.queues.set(topic, (log = new MemoryLog()));
    return log;
  }

  addTopic(name: string, partitions: number): FakeTopic {
    const topic = { logs: Array.from({ length: partitions }, () => new MemoryLog()), producers: Array.from({ length: partitions }, () => new ProducerStateManager()) };
    this.topics.set(name, topic);
    return topic;
  }

  /** Appends held records for `target` to a queue, as the Produce path does. */
  hold(queueTopic: string, target: string, records: ReadonlyArray<RecordInput & { dueMs: number }>): void {
    this.queue(queueTopic).append(encodeRecordBatch(records.map((r) => heldRecord({ key: r.key, value: r.value, timestamp: r.timestamp, headers: r.headers ?? [] }, target, r.dueMs))));
  }

  ledQueue(topic: string): QueueReplica | undefined {
    const log = this.queues.get(topic);
    return log?.isLeader ? log : undefined;
  }

  /** Queues led by another broker (the local one is 0). */
  readonly otherLeaders = new Map<string, number>();

  leaderOf(topic: string): number {
    if (this.leaderless.has(topic)) return -1;
    return this.otherLeaders.get(topic) ?? (this.queues.has(topic) ? 0 : -1);
  }

  /** Tells the listeners that partitions or brokers changed. */
  changed(): void {
    for (const listener of [...this.listeners]) listener();
  }

  partitionCount(topic: string): number {
    return this.queues.has(topic) ? 1 : (this.topics.get(topic)?.logs.length ?? 0);
  }

  async ensureTopics(topics: readonly string[]): Promise<void> {
    for (const topic of topics) this.queue(topic);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  produce(topic: string, partition: number, batch: Buffer): Promise<ProduceResult> {
    const queue = this.queues.get(topic);
    const refusal = this.queueErrors.get(topic)?.shift();
    if (queue && refusal !== undefined) return Promise.resolve({ errorCode: refusal, baseOffset: -1 });
    if (queue) return Promise.resolve({ errorCode: ErrorCode.NONE, baseOffset: queue.append(batch) });
    const target = this.topics.get(topic);
    if (!target || partition >= target.logs.length) return Promise.resolve({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, baseOffset: -1 });
    const error = this.targetErrors.shift();
    if (error !== undefined) return Promise.resolve({ errorCode: error, baseOffset: -1 });
    const intercepted = this.interceptTarget?.(topic, partition);
    if (intercepted === 'hang') return new Promise(() => undefined);
    const view = new RecordBatchView(batch);
    const producers = target.producers[partition];
    const verdict = producers.check(view.producerId, view.producerEpoch, view.baseSequence, view.lastSequence);
    if (verdict.kind === 'reject') return Promise.resolve({ errorCode: verdict.errorCode, baseOffset: -1 });
    if (verdict.kind === 'duplicate') return Promise.resolve({ errorCode: ErrorCode.NONE, baseOffset: verdict.batch.firstOffset });
    const base = target.logs[partition].append(batch);
    const last = target.logs[partition].logEndOffset - 1;
    producers.update(view.producerId, view.producerEpoch, { firstSeq: view.baseSequence, lastSeq: view.lastSequence, firstOffset: base, lastOffset: last, timestamp: view.maxTimestamp });
    if (intercepted === 'append-then-hang') return new Promise(() => undefined);
    return Promise.resolve({ errorCode: ErrorCode.NONE, baseOffset: base });
  }
}
