import { LogError } from '../../log/log-errors';
import type { PartitionLog } from '../../log/partition-log';
import { ErrorCode } from '../../protocol/errors/error-codes';
import { RecordBatchSplitter } from '../../protocol/record-batch/record-batch-splitter';
import { ProduceBatchValidator } from './produce-batch-validator';
import { ProducerStateManager } from './producer-state-manager';
import type { TopicDataConfig } from './topic-data-config';

export const enum ReplicaRole {
  Leader = 'leader',
  Follower = 'follower',
}

/** The answer for one partition of a Produce request. */
export interface AppendOutcome {
  errorCode: ErrorCode;
  errorMessage?: string;
  /** INVALID_RECORD: the index of the offending batch in the request's records. */
  batchIndex?: number;
  baseOffset: number;
  /** The offset after the appended batch: what the high watermark must reach for acks=-1. */
  nextOffset: number;
  /** The broker's append time when the topic uses LogAppendTime, else -1. */
  logAppendTimeMs: number;
  logStartOffset: number;
}

export function failedAppend(errorCode: ErrorCode, errorMessage?: string): AppendOutcome {
  return { errorCode, errorMessage, baseOffset: -1, nextOffset: -1, logAppendTimeMs: -1, logStartOffset: -1 };
}

interface HighWatermarkWaiter {
  offset: number;
  resolve: (errorCode: ErrorCode) => void;
  timer: NodeJS.Timeout;
}

/** Producer state is rebuilt from at most this many segments / offsets at the log's tail (see rebuildProducerState). */
const PRODUCER_STATE_SEGMENTS = 2;
const PRODUCER_STATE_OFFSETS = 1_000_000;
const REBUILD_READ_BYTES = 1024 * 1024;

/**
 * One partition this broker holds a replica of: its log, its role (leader or follower),
 * leader epoch and ISR as the metadata says, the idempotent producers' state, and the
 * high watermark.
 *
 * High watermark: the smallest log end offset among the ISR. The leader's own LEO is a
 * member; a follower's comes from its fetches (the cluster issue feeds followerLogEnd),
 * so on one node with ISR=[self] it follows each append at once. acks=-1 waiters are
 * released as it passes their offsets.
 *
 * Committed bytes: a running count of the bytes below the high watermark since the
 * partition was opened, so a parked fetch can tell how much data arrived for it without
 * reading the log.
 */
export class Partition {
  readonly key: string;
  role: ReplicaRole = ReplicaRole.Follower;
  leaderEpoch = -1;
  isr: readonly number[] = [];
  replicas: readonly number[] = [];
  config: TopicDataConfig;
  readonly producers = new ProducerStateManager();
  /** Cumulative bytes appended below the high watermark (see class comment). */
  committedBytes = 0;

  private appendedBytes = 0;
  private readonly uncommitted: Array<{ endOffset: number; bytes: number }> = [];
  private readonly followerLogEnds = new Map<number, number>();
  private waiters: HighWatermarkWaiter[] = [];
  private readonly validator = new ProduceBatchValidator();

  constructor(
    readonly topic: string,
    readonly partition: number,
    public topicId: string,
    readonly log: PartitionLog,
    readonly localBrokerId: number,
    config: TopicDataConfig,
    private readonly now: () => number,
    private readonly onHighWatermarkAdvanced: (partition: Partition) => void,
  ) {
    this.key = `${topic}-${partition}`;
    this.config = config;
  }

  get isLeader(): boolean {
    return this.role === ReplicaRole.Leader;
  }

  get highWatermark(): number {
    return this.log.highWatermark;
  }

  /** Without transactions every offset below the high watermark is stable. */
  get lastStableOffset(): number {
    return this.log.highWatermark;
  }

  makeLeader(leaderEpoch: number, isr: readonly number[], replicas: readonly number[]): void {
    this.role = ReplicaRole.Leader;
    this.leaderEpoch = leaderEpoch;
    this.isr = isr;
    this.replicas = replicas;
    for (const id of [...this.followerLogEnds.keys()]) if (!replicas.includes(id)) this.followerLogEnds.delete(id);
    this.maybeAdvanceHighWatermark();
  }

  makeFollower(leaderEpoch: number, isr: readonly number[], replicas: readonly number[]): void {
    this.role = ReplicaRole.Follower;
    this.leaderEpoch = leaderEpoch;
    this.isr = isr;
    this.replicas = replicas;
    this.followerLogEnds.clear();
    this.failWaiters(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  }

  /**
   * Validates and appends the records of one partition of a client's Produce request.
   * Synchronous: when it returns, the bytes are written to the segment file (the OS has
   * them; fsync follows the flush policy, as in Kafka), so acks=1 may be answered.
   */
  appendAsLeader(records: Buffer | null, requiredAcks: number): AppendOutcome {
    if (!this.isLeader) return this.failed(ErrorCode.NOT_LEADER_OR_FOLLOWER, `broker ${this.localBrokerId} is not the leader of ${this.key}`);
    if (requiredAcks === -1 && this.isr.length < this.config.minInsyncReplicas) {
      return this.failed(ErrorCode.NOT_ENOUGH_REPLICAS, `${this.key} has ${this.isr.length} in-sync replicas, min.insync.replicas is ${this.config.minInsyncReplicas}`);
    }
    const rejection = this.validator.validate(records, this.config.maxMessageBytes);
    if (rejection) return { ...this.failed(rejection.errorCode, rejection.message), batchIndex: rejection.batchIndex };
    const batch = this.validator.view;
    if (batch.isTransactional) {
      // No transaction coordinator: no partition can have been added to a transaction, which
      // is how Kafka 3.9's produce verification (KIP-890) answers.
      return this.failed(ErrorCode.INVALID_TXN_STATE, `${this.key}: transactional batches need a transaction coordinator, which this broker does not run`);
    }
    const producerId = batch.producerId;
    const producerEpoch = batch.producerEpoch;
    const firstSeq = batch.baseSequence;
    const lastSeq = batch.lastSequence;
    const lastOffsetDelta = batch.lastOffsetDelta;
    const maxTimestamp = batch.maxTimestamp;
    if (producerId >= 0) {
      const verdict = this.producers.check(producerId, producerEpoch, firstSeq, lastSeq);
      if (verdict.kind === 'reject') return this.failed(verdict.errorCode, `${this.key}: ${verdict.message}`);
      if (verdict.kind === 'duplicate') {
        const original = verdict.batch;
        return {
          errorCode: ErrorCode.NONE,
          baseOffset: original.firstOffset,
          nextOffset: original.lastOffset + 1,
          logAppendTimeMs: this.config.logAppendTime ? original.timestamp : -1,
          logStartOffset: this.log.logStartOffset,
        };
      }
    }
    let appendTime = -1;
    if (this.config.logAppendTime) {
      appendTime = this.now();
      batch.setLogAppendTime(appendTime);
    }
    const bytes = records!.length;
    let baseOffset: number;
    let lastOffset: number;
    try {
      const appended = this.log.append(records!, this.leaderEpoch >= 0 ? this.leaderEpoch : undefined);
      baseOffset = appended.baseOffset;
      lastOffset = appended.lastOffset;
    } catch (error) {
      if (error instanceof LogError) return this.failed(error.errorCode as ErrorCode, error.message);
      throw error;
    }
    if (producerId >= 0) {
      const timestamp = appendTime >= 0 ? appendTime : maxTimestamp;
      this.producers.update(producerId, producerEpoch, { firstSeq, lastSeq, firstOffset: lastOffset - lastOffsetDelta, lastOffset, timestamp });
    }
    this.appendedBytes += bytes;
    this.uncommitted.push({ endOffset: lastOffset + 1, bytes: this.appendedBytes });
    this.maybeAdvanceHighWatermark();
    return { errorCode: ErrorCode.NONE, baseOffset, nextOffset: lastOffset + 1, logAppendTimeMs: appendTime, logStartOffset: this.log.logStartOffset };
  }

  private failed(errorCode: ErrorCode, errorMessage: string): AppendOutcome {
    return failedAppend(errorCode, errorMessage);
  }

  /** Cumulative bytes appended since the partition was opened (replica fetches wait on these). */
  get appendedBytesTotal(): number {
    return this.appendedBytes;
  }

  /** A follower's fetch told us its log end offset (cluster issue); may move the high watermark. */
  updateFollowerLogEnd(brokerId: number, logEndOffset: number): void {
    this.followerLogEnds.set(brokerId, logEndOffset);
    this.maybeAdvanceHighWatermark();
  }

  /** HW = min LEO over the ISR; only ever moves forward. Returns whether it moved. */
  maybeAdvanceHighWatermark(): boolean {
    if (!this.isLeader) return false;
    let candidate = this.log.logEndOffset;
    for (const id of this.isr) {
      if (id === this.localBrokerId) continue;
      candidate = Math.min(candidate, this.followerLogEnds.get(id) ?? this.log.highWatermark);
    }
    if (candidate <= this.log.highWatermark) return false;
    this.log.highWatermark = candidate;
    const hw = this.log.highWatermark;
    while (this.uncommitted.length && this.uncommitted[0].endOffset <= hw) this.committedBytes = this.uncommitted.shift()!.bytes;
    this.releaseWaiters(hw);
    this.onHighWatermarkAdvanced(this);
    return true;
  }

  /**
   * acks=-1: resolves when the high watermark reaches `offset` (NONE, or
   * NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrank below min.insync.replicas
   * meanwhile), with REQUEST_TIMED_OUT after timeoutMs, or NOT_LEADER_OR_FOLLOWER when
   * leadership moves first.
   */
  waitForHighWatermark(offset: number, timeoutMs: number): ErrorCode | Promise<ErrorCode> {
    if (!this.isLeader) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    if (this.log.highWatermark >= offset) return this.ackedCode();
    return new Promise<ErrorCode>((resolve) => {
      const waiter: HighWatermarkWaiter = {
        offset,
        resolve,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(ErrorCode.REQUEST_TIMED_OUT);
        }, Math.max(0, timeoutMs)),
      };
      this.waiters.push(waiter);
    });
  }

  private ackedCode(): ErrorCode {
    return this.isr.length < this.config.minInsyncReplicas ? ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND : ErrorCode.NONE;
  }

  private releaseWaiters(hw: number): void {
    if (this.waiters.length === 0) return;
    const still: HighWatermarkWaiter[] = [];
    for (const waiter of this.waiters) {
      if (waiter.offset > hw) {
        still.push(waiter);
        continue;
      }
      clearTimeout(waiter.timer);
      waiter.resolve(this.ackedCode());
    }
    this.waiters = still;
  }

  /** Leadership moved or the partition went away: every acks=-1 waiter gets `errorCode`. */
  failWaiters(errorCode: ErrorCode): void {
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.resolve(errorCode);
    }
    this.waiters = [];
  }

  /** DeleteRecords: moves the log start (at most to the high watermark); returns the new log start. */
  deleteRecordsBefore(offset: number): number {
    const logStart = this.log.deleteRecordsBefore(offset);
    this.producers.onLogStartOffsetChanged(logStart);
    return logStart;
  }

  /** The epoch whose leader wrote `offset` (from the leader-epoch cache), -1 when unknown. */
  epochForOffset(offset: number): number {
    let epoch = -1;
    for (const entry of this.log.leaderEpochs.all) {
      if (entry.startOffset > offset) break;
      epoch = entry.epoch;
    }
    return epoch;
  }

  /**
   * Rebuilds the idempotent producers' state from the batch headers of the log's tail —
   * the last two segments, at most the last million offsets (headers only: no record is
   * decoded). Kafka reads a producer snapshot instead; without one, this bounds the start-up
   * read. A producer idle for longer is forgotten and treated as new (any sequence is then
   * accepted), as after Kafka's producer.id.expiration.ms.
   */
  rebuildProducerState(): void {
    this.producers.clear();
    const bases = this.log.segmentBaseOffsets;
    const end = this.log.logEndOffset;
    let offset = Math.max(this.log.logStartOffset, bases[Math.max(0, bases.length - PRODUCER_STATE_SEGMENTS)] ?? 0, end - PRODUCER_STATE_OFFSETS);
    const split = new RecordBatchSplitter();
    while (offset < end) {
      const { records } = this.log.read(offset, REBUILD_READ_BYTES, { minOneBatch: true });
      if (records.length === 0) break;
      split.reset(records);
      while (split.next()) {
        const batch = split.view;
        offset = batch.nextOffset;
        if (batch.producerId < 0 || batch.isControl || batch.baseSequence < 0) continue;
        this.producers.update(batch.producerId, batch.producerEpoch, {
          firstSeq: batch.baseSequence,
          lastSeq: batch.lastSequence,
          firstOffset: batch.baseOffset,
          lastOffset: batch.lastOffset,
          timestamp: batch.maxTimestamp,
        });
      }
    }
  }

  /** The partition is closing or being deleted. */
  close(): void {
    this.failWaiters(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  }
}
