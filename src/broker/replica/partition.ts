import { LogError } from '../../log/log-errors';
import type { FollowerAppendResult, PartitionLog } from '../../log/partition-log';
import { ErrorCode } from '../../protocol/errors/error-codes';
import { RecordBatchSplitter } from '../../protocol/record-batch/record-batch-splitter';
import { FollowerReplica } from './follower-replica';
import { ProduceBatchValidator } from './produce-batch-validator';
import { ProducerStateManager, type ProducerBatch } from './producer-state-manager';
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
 * leader epoch and ISR, the idempotent producers' state, and the high watermark.
 *
 * As leader: the metadata gives the ISR when this broker becomes leader of an epoch;
 * within the epoch the leader owns it (IsrManager writes each change to the partition
 * state node, then commitIsr applies it), so the metadata's echo of the same epoch is not
 * applied again. Each follower's progress is a FollowerReplica fed by its fetches.
 *
 * High watermark: the smallest log end offset among the ISR — while an ISR change is
 * being written, among the union of the old and new ISR (Kafka's "maximal ISR"), so a
 * follower being added never finds the HW already past its log end. The leader's own LEO
 * is a member, so on one node with ISR=[self] it follows each append at once. acks=-1
 * waiters are released as it passes their offsets.
 *
 * As follower: the replica fetcher appends the leader's batches as they are
 * (appendAsFollower), truncates where the logs diverged, and sets the HW the leader reports.
 *
 * Committed bytes: a running count of the bytes below the high watermark since the
 * partition was opened, so a parked fetch can tell how much data arrived for it without
 * reading the log.
 */
export class Partition {
  readonly key: string;
  role: ReplicaRole = ReplicaRole.Follower;
  leaderEpoch = -1;
  /** The leader's broker id as the metadata last said (-1: none). */
  leaderId = -1;
  isr: readonly number[] = [];
  replicas: readonly number[] = [];
  /** The log end offset when this broker became leader of the current epoch (-1 as follower). */
  leaderEpochStartOffset = -1;
  config: TopicDataConfig;
  readonly producers = new ProducerStateManager();
  /** Cumulative bytes appended below the high watermark (see class comment). */
  committedBytes = 0;

  private appendedBytes = 0;
  private readonly uncommitted: Array<{ endOffset: number; bytes: number }> = [];
  private readonly followers = new Map<number, FollowerReplica>();
  /** The ISR an IsrManager write in flight proposes (see class comment). */
  private proposedIsr: readonly number[] | undefined;
  private waiters: HighWatermarkWaiter[] = [];
  private readonly validator = new ProduceBatchValidator();
  private readonly producerSplit = new RecordBatchSplitter();

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

  /**
   * Takes the leader role as the metadata assigns it. A new epoch (or a follower becoming
   * leader) starts over: the metadata's ISR, every follower's progress unknown, the epoch
   * recorded as starting at the log end (so OffsetForLeaderEpoch can answer where the
   * previous epoch ended). The same epoch again changes only the replica set. Returns
   * whether this was a new leadership.
   */
  makeLeader(leaderEpoch: number, isr: readonly number[], replicas: readonly number[]): boolean {
    const isNewLeader = !this.isLeader || leaderEpoch !== this.leaderEpoch;
    const now = this.now();
    this.replicas = replicas;
    this.leaderId = this.localBrokerId;
    if (isNewLeader) {
      this.role = ReplicaRole.Leader;
      this.leaderEpoch = leaderEpoch;
      this.isr = isr;
      this.proposedIsr = undefined;
      this.leaderEpochStartOffset = this.log.logEndOffset;
      if (leaderEpoch >= 0) this.log.leaderEpochs.assign(leaderEpoch, this.log.logEndOffset);
      this.followers.clear();
    }
    for (const id of [...this.followers.keys()]) if (!replicas.includes(id)) this.followers.delete(id);
    for (const id of replicas) {
      if (id !== this.localBrokerId && !this.followers.has(id)) this.followers.set(id, new FollowerReplica(this.isr.includes(id), now));
    }
    this.maybeAdvanceHighWatermark();
    return isNewLeader;
  }

  /** Takes the follower role; returns whether the leader or epoch changed (the fetcher must truncate again). */
  makeFollower(leaderId: number, leaderEpoch: number, isr: readonly number[], replicas: readonly number[]): boolean {
    const changed = this.isLeader || leaderEpoch !== this.leaderEpoch || leaderId !== this.leaderId;
    this.role = ReplicaRole.Follower;
    this.leaderId = leaderId;
    this.leaderEpoch = leaderEpoch;
    this.isr = isr;
    this.replicas = replicas;
    this.leaderEpochStartOffset = -1;
    this.proposedIsr = undefined;
    this.followers.clear();
    this.failWaiters(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    return changed;
  }

  /**
   * Validates and appends the records of one partition of a client's Produce request.
   * Synchronous: when it returns, the bytes are written to the segment file (the OS has
   * them; fsync follows the flush policy, as in Kafka), so acks=1 may be answered.
   */
  appendAsLeader(records: Buffer | null, requiredAcks: number): AppendOutcome {
    return this.appendChecked(records, requiredAcks, false, undefined);
  }

  /**
   * Delayed messages: a batch a broker built — a due record delivered by a scheduler, or
   * what stands in the log for an idempotent producer's batch whose records went to the
   * delay queues: its ordinary records at their offset deltas, or, with none, a control
   * batch (heldSequenceBatch). Either carries the producer's id, epoch and whole sequence
   * range, so followers, a restart and a new leader know the range: the producer's next
   * batch follows on and a retry is a duplicate. Spared LogValidator's client checks (a
   * control batch; fewer records than offsets), not the sequence check: a batch already
   * here (a retry, or one forwarded after a leader change that had replicated it) is
   * answered as the duplicate it is. `replacing`: the range this leader recorded in memory
   * (and checked) while the records were being queued, which the batch takes over.
   */
  appendBrokerBuilt(records: Buffer, requiredAcks: number, replacing?: ProducerBatch): AppendOutcome {
    return this.appendChecked(records, requiredAcks, true, replacing);
  }

  /** Whether an append with these acks may be taken now (acks=all needs min.insync.replicas in the ISR). */
  hasEnoughReplicas(requiredAcks: number): boolean {
    return requiredAcks !== -1 || this.isr.length >= this.config.minInsyncReplicas;
  }

  private appendChecked(records: Buffer | null, requiredAcks: number, brokerBuilt: boolean, replacing: ProducerBatch | undefined): AppendOutcome {
    if (!this.isLeader) return this.failed(ErrorCode.NOT_LEADER_OR_FOLLOWER, `broker ${this.localBrokerId} is not the leader of ${this.key}`);
    if (!this.hasEnoughReplicas(requiredAcks)) {
      return this.failed(ErrorCode.NOT_ENOUGH_REPLICAS, `${this.key} has ${this.isr.length} in-sync replicas, min.insync.replicas is ${this.config.minInsyncReplicas}`);
    }
    const rejection = this.validator.validate(records, this.config.maxMessageBytes, brokerBuilt);
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
    if (replacing) {
      // Checked when it was recorded; it may now precede a later batch of the producer, which the producer state allows for.
      this.producers.forget(producerId, replacing);
    } else if (producerId >= 0) {
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
    return this.write(records!, producerId, producerEpoch, firstSeq, lastSeq, lastOffsetDelta, maxTimestamp);
  }

  /** Appends a validated batch as leader: the log, the producer's sequences, the high watermark. */
  private write(records: Buffer, producerId: number, producerEpoch: number, firstSeq: number, lastSeq: number, lastOffsetDelta: number, maxTimestamp: number): AppendOutcome {
    let appendTime = -1;
    if (this.config.logAppendTime) {
      appendTime = this.now();
      this.validator.view.setLogAppendTime(appendTime);
    }
    const bytes = records.length;
    let baseOffset: number;
    let lastOffset: number;
    try {
      const appended = this.log.append(records, this.leaderEpoch >= 0 ? this.leaderEpoch : undefined);
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

  // ---- leader: followers and the ISR ---------------------------------------------------

  /**
   * A follower fetched from `fetchOffset` (its log end) while the leader's log ended at
   * `leaderEndOffset`: records its progress and may move the high watermark.
   */
  updateFollowerFetchState(brokerId: number, fetchOffset: number, leaderEndOffset: number): void {
    const follower = this.followers.get(brokerId);
    if (!this.isLeader || !follower) return;
    follower.onFetch(fetchOffset, leaderEndOffset, this.now());
    this.maybeAdvanceHighWatermark();
  }

  /** A follower's log end offset as its last fetch said; -1 when unknown. */
  followerLogEnd(brokerId: number): number {
    return this.followers.get(brokerId)?.logEndOffset ?? -1;
  }

  /** ISR members other than the leader that have not been caught up within `maxLagMs` (Kafka's getOutOfSyncReplicas). */
  outOfSyncReplicas(maxLagMs: number): number[] {
    if (!this.isLeader) return [];
    const leaderEnd = this.log.logEndOffset;
    const now = this.now();
    return this.isr.filter((id) => id !== this.localBrokerId && !(this.followers.get(id)?.isCaughtUp(leaderEnd, now, maxLagMs) ?? false));
  }

  /**
   * Whether a follower outside the ISR may join it: it holds every committed record (LEO
   * >= HW) and everything this leader's epoch wrote before it began (LEO >= the epoch's
   * start offset), so it could take over as leader without losing acknowledged data.
   */
  isIsrEligible(brokerId: number): boolean {
    if (!this.isLeader || this.isr.includes(brokerId) || !this.replicas.includes(brokerId)) return false;
    const logEnd = this.followerLogEnd(brokerId);
    return logEnd >= 0 && logEnd >= this.log.highWatermark && logEnd >= this.leaderEpochStartOffset;
  }

  get isrChangePending(): boolean {
    return this.proposedIsr !== undefined;
  }

  /** The ISR being written, while a write is in flight. */
  get pendingIsr(): readonly number[] | undefined {
    return this.proposedIsr;
  }

  /** IsrManager starts writing `proposed`; until commitIsr/abortIsrChange the HW waits for the union. */
  beginIsrChange(proposed: readonly number[]): void {
    this.proposedIsr = proposed;
  }

  /** The ISR is `isr` (written, or read back from the state node); waiting acks=-1 produces may complete. */
  commitIsr(isr: readonly number[]): void {
    this.proposedIsr = undefined;
    this.isr = isr;
    this.maybeAdvanceHighWatermark();
  }

  abortIsrChange(): void {
    this.proposedIsr = undefined;
  }

  /** HW = min LEO over the (maximal) ISR; only ever moves forward. Returns whether it moved. */
  maybeAdvanceHighWatermark(): boolean {
    if (!this.isLeader) return false;
    let candidate = this.log.logEndOffset;
    const consider = (id: number): void => {
      if (id === this.localBrokerId) return;
      const logEnd = this.followerLogEnd(id);
      candidate = Math.min(candidate, logEnd >= 0 ? logEnd : this.log.highWatermark);
    };
    for (const id of this.isr) consider(id);
    if (this.proposedIsr) for (const id of this.proposedIsr) consider(id);
    if (candidate <= this.log.highWatermark) return false;
    this.log.highWatermark = candidate;
    this.highWatermarkMoved();
    return true;
  }

  private highWatermarkMoved(): void {
    const hw = this.log.highWatermark;
    while (this.uncommitted.length && this.uncommitted[0].endOffset <= hw) this.committedBytes = this.uncommitted.shift()!.bytes;
    this.releaseWaiters(hw);
    this.onHighWatermarkAdvanced(this);
  }

  // ---- follower: the replica fetcher's side ------------------------------------------

  /**
   * Appends batches fetched from the leader with the leader's offsets and epochs (throws
   * the log's LogError when they do not fit: corrupt, or not following the log end), and
   * keeps the idempotent producers' state as the leader does, for the day this replica leads.
   */
  appendAsFollower(records: Buffer): FollowerAppendResult {
    if (this.isLeader) throw new Error(`${this.key}: broker ${this.localBrokerId} leads this partition; it does not replicate it`);
    this.maybeStartAtFirstBatch(records);
    const result = this.log.appendAsFollower(records);
    if (result.bytes === 0) return result;
    this.trackProducers(result.bytes === records.length ? records : records.subarray(0, result.bytes));
    this.appendedBytes += result.bytes;
    this.uncommitted.push({ endOffset: result.lastOffset + 1, bytes: this.appendedBytes });
    return result;
  }

  /**
   * An empty log that starts inside the first fetched batch (the leader's log start moved
   * into the middle of a batch by DeleteRecords, and we started ours there): Kafka starts
   * the follower's log at the batch's base offset instead, keeping the batch whole.
   */
  private maybeStartAtFirstBatch(records: Buffer): void {
    const log = this.log;
    if (log.logEndOffset !== log.logStartOffset) return;
    const split = this.producerSplit.reset(records);
    if (!split.next()) return;
    const first = split.view;
    if (first.baseOffset < log.logEndOffset && first.lastOffset >= log.logEndOffset) this.truncateFullyAndStartAt(first.baseOffset);
  }

  /** The leader's high watermark, as far as this replica's log reaches (Kafka: min(leader HW, LEO)). */
  updateFollowerHighWatermark(leaderHighWatermark: number): void {
    if (this.isLeader || leaderHighWatermark < 0) return;
    const before = this.log.highWatermark;
    this.log.highWatermark = Math.min(leaderHighWatermark, this.log.logEndOffset);
    if (this.log.highWatermark > before) this.highWatermarkMoved();
  }

  /** The leader deleted records (DeleteRecords or retention): the follower's log start follows, up to its HW. */
  maybeIncrementLogStartOffset(leaderLogStartOffset: number): void {
    if (this.isLeader || leaderLogStartOffset <= this.log.logStartOffset) return;
    const target = Math.min(leaderLogStartOffset, this.log.highWatermark);
    if (target > this.log.logStartOffset) this.deleteRecordsBefore(target);
  }

  /** Drops the log from `offset` on (where it diverged from the leader's); returns whether any record went. */
  truncateTo(offset: number): boolean {
    if (!this.log.truncateTo(offset)) return false;
    this.afterTruncation();
    return true;
  }

  /** The leader's log starts past ours: empty ours and start it where the leader's starts. */
  truncateFullyAndStartAt(offset: number): void {
    this.log.truncateFullyAndStartAt(offset);
    this.afterTruncation();
  }

  private afterTruncation(): void {
    const end = this.log.logEndOffset;
    while (this.uncommitted.length && this.uncommitted[this.uncommitted.length - 1].endOffset > end) this.uncommitted.pop();
    this.rebuildProducerState();
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
    while (offset < end) {
      const { records } = this.log.read(offset, REBUILD_READ_BYTES, { minOneBatch: true });
      if (records.length === 0) break;
      const next = this.trackProducers(records);
      if (next <= offset) break;
      offset = next;
    }
  }

  /** Updates the producers' state from the headers of whole batches; returns the offset after the last. */
  private trackProducers(records: Buffer): number {
    const split = this.producerSplit.reset(records);
    let next = -1;
    while (split.next()) {
      const batch = split.view;
      next = batch.nextOffset;
      // Transaction markers carry no sequence; the delayed records' control batches do (appendBrokerBuilt).
      if (batch.producerId < 0 || batch.baseSequence < 0) continue;
      this.producers.update(batch.producerId, batch.producerEpoch, {
        firstSeq: batch.baseSequence,
        lastSeq: batch.lastSequence,
        firstOffset: batch.baseOffset,
        lastOffset: batch.lastOffset,
        timestamp: batch.maxTimestamp,
      });
    }
    return next;
  }

  /** The partition is closing or being deleted. */
  close(): void {
    this.failWaiters(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  }
}
