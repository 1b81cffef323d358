import type { ACK_MODES } from '../../config/client.config';
import { topicPartitionKey as keyOf, type TopicPartition, type TopicPartitionOffset } from '../listener/types';

/** Spring Kafka's ContainerProperties.AckMode. */
export type AckMode = (typeof ACK_MODES)[number];

/** Where a record sits: a ConsumerRecord satisfies this. */
export interface RecordPosition extends TopicPartition {
  readonly offset: number;
}

export interface CommitPolicySettings {
  readonly ackMode: AckMode;
  /** COUNT, COUNT_TIME: commit once this many records were processed since the last count commit. */
  readonly ackCount: number;
  /** TIME, COUNT_TIME: commit once more than this many milliseconds passed since the last time commit. */
  readonly ackTimeMs: number;
  /**
   * MANUAL, MANUAL_IMMEDIATE (Spring's asyncAcks): commit only the contiguous
   * acknowledged prefix of each partition, for listeners that acknowledge out of order
   * from async work. Off by default: acknowledging a record commits up to it.
   */
  readonly asyncAcks?: boolean;
}

export function isManualAckMode(mode: AckMode): mode is 'MANUAL' | 'MANUAL_IMMEDIATE' {
  return mode === 'MANUAL' || mode === 'MANUAL_IMMEDIATE';
}

/**
 * When a listener container commits offsets: Spring Kafka's ack modes as a pure state
 * machine. The container tells it what happens (records delivered to the listener,
 * processed, acknowledged; the end of a poll's records; an idle poll; seeks and
 * rebalances) and commits what it returns. Every returned offset is the next offset to
 * consume (record offset + 1), at most one per partition, and is considered committed
 * from then on. No I/O, no timers: time comes from the clock or the caller.
 *
 * - RECORD: each processed record is committed at once.
 * - BATCH: what was processed is committed when the poll's records are done.
 * - TIME / COUNT / COUNT_TIME: processed offsets wait; at the end of every poll loop
 *   iteration (a batch done, or an idle poll) they are committed if more than ackTime
 *   passed since the last time commit (TIME), or ackCount records were processed since
 *   the last count commit (COUNT), or either (COUNT_TIME) — Spring's processCommits.
 * - MANUAL: acknowledgments are queued and committed at the end of the poll loop
 *   iteration. MANUAL_IMMEDIATE: committed as soon as acknowledge() is called.
 *
 * Manual acknowledgments, as in Spring by default: acknowledging a record commits its
 * partition up to and including it, covering earlier records of the partition that
 * were delivered but not acknowledged (a listener that acknowledges only every tenth
 * record commits every tenth). Commits never move a partition backwards: acknowledging
 * a record below one already acknowledged adds nothing. With `asyncAcks` (Spring's
 * option for listeners acknowledging out of order from async work) only the
 * contiguous acknowledged prefix of the delivered records is committed, so a crash
 * never skips a record that was not acknowledged.
 */
export class OffsetCommitPolicy {
  readonly ackMode: AckMode;
  readonly asyncAcks: boolean;
  private readonly ackCount: number;
  private readonly ackTimeMs: number;
  /** Processed, not yet committed: partition key → next offset. Non-manual modes. */
  private readonly processedUpTo = new Map<string, TopicPartitionOffset>();
  /** Delivered records awaiting acknowledgment per partition. Manual modes. */
  private readonly windows = new Map<string, AckWindow>();
  private processedSinceCountCommit = 0;
  private lastTimeCommit: number;

  constructor(
    settings: CommitPolicySettings,
    private readonly clock: () => number = Date.now,
  ) {
    if (!Number.isInteger(settings.ackCount) || settings.ackCount < 1) throw new RangeError(`ackCount must be an integer >= 1, not ${settings.ackCount}`);
    if (!(settings.ackTimeMs > 0)) throw new RangeError(`ackTimeMs must be > 0, not ${settings.ackTimeMs}`);
    this.ackMode = settings.ackMode;
    this.asyncAcks = settings.asyncAcks ?? false;
    this.ackCount = settings.ackCount;
    this.ackTimeMs = settings.ackTimeMs;
    this.lastTimeCommit = clock();
  }

  /** Whether listeners get an Acknowledgment: MANUAL and MANUAL_IMMEDIATE. */
  get manual(): boolean {
    return isManualAckMode(this.ackMode);
  }

  /**
   * Records about to be handed to the listener, in partition order. Only manual modes
   * care: acknowledgments are matched against them. Delivering an offset at or below
   * one still awaiting acknowledgment means the partition was re-seeked: the later
   * records are forgotten, they will be delivered again.
   */
  recordDelivered(records: RecordPosition | readonly RecordPosition[]): void {
    if (!this.manual) return;
    for (const r of asList(records)) this.windowOf(r).deliver(r.offset);
  }

  /** The listener returned for these records (or they were recovered by the error handler). */
  recordProcessed(records: RecordPosition | readonly RecordPosition[]): TopicPartitionOffset[] {
    if (this.manual) return [];
    const list = asList(records);
    for (const r of list) {
      const key = keyOf(r);
      const pending = this.processedUpTo.get(key);
      if (pending === undefined || r.offset + 1 > pending.offset) this.processedUpTo.set(key, { topic: r.topic, partition: r.partition, offset: r.offset + 1 });
    }
    this.processedSinceCountCommit += list.length;
    return this.ackMode === 'RECORD' ? this.takeProcessed() : [];
  }

  /**
   * Acknowledgment.acknowledge() for these records (a batch listener's covers its whole
   * batch). Offsets not awaiting acknowledgment — never delivered, already committed,
   * or re-seeked for redelivery — are ignored. Only MANUAL_IMMEDIATE returns offsets here.
   */
  acknowledge(records: RecordPosition | readonly RecordPosition[]): TopicPartitionOffset[] {
    if (!this.manual) throw new Error(`acknowledge() needs ack-mode MANUAL or MANUAL_IMMEDIATE; the ack mode is ${this.ackMode}`);
    const touched = new Map<string, TopicPartition>();
    for (const r of asList(records)) {
      if (this.windows.get(keyOf(r))?.acknowledge(r.offset)) touched.set(keyOf(r), r);
    }
    if (this.ackMode !== 'MANUAL_IMMEDIATE') return [];
    return [...touched.values()].flatMap((tp) => this.advance(tp));
  }

  /** The listener has been through every record of a poll. */
  batchDone(now: number = this.clock()): TopicPartitionOffset[] {
    return this.endOfPollLoop(now);
  }

  /**
   * A poll loop iteration without records. Spring runs the same check on every
   * iteration, so TIME and COUNT_TIME commit while a topic is idle too.
   */
  tick(now: number = this.clock()): TopicPartitionOffset[] {
    return this.endOfPollLoop(now);
  }

  /**
   * The container re-seeks a partition to `offset` (error handler, nack, user seek):
   * records from there on will be delivered again, so their acknowledgment slots go.
   */
  rewind(tp: TopicPartition, offset: number): void {
    this.windows.get(keyOf(tp))?.rewind(offset);
  }

  /**
   * Partitions being revoked: what may be committed for them (processed, or
   * acknowledged), to commit before they are given up. Their state is dropped.
   */
  revoke(partitions: readonly TopicPartition[]): TopicPartitionOffset[] {
    const out = partitions.flatMap((tp) => this.pendingFor(tp));
    this.forget(partitions);
    return out;
  }

  /** Partitions lost without a chance to commit (the member was fenced): drop their state. */
  forget(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) {
      this.processedUpTo.delete(keyOf(tp));
      this.windows.delete(keyOf(tp));
    }
  }

  /** Everything that may be committed now, whatever the mode: for a container stopping. */
  flush(): TopicPartitionOffset[] {
    if (!this.manual) return this.takeProcessed();
    return [...this.windows.values()].flatMap((w) => this.advance(w.partition));
  }

  private endOfPollLoop(now: number): TopicPartitionOffset[] {
    switch (this.ackMode) {
      case 'RECORD':
      case 'MANUAL_IMMEDIATE':
        return [];
      case 'BATCH':
        return this.takeProcessed();
      case 'MANUAL':
        return this.flush();
      case 'COUNT':
        return this.countReached() ? this.commitForCount() : [];
      case 'TIME':
        return this.timeElapsed(now) ? this.commitForTime(now) : [];
      case 'COUNT_TIME':
        if (this.countReached()) return this.commitForCount();
        return this.timeElapsed(now) ? this.commitForTime(now) : [];
    }
  }

  private countReached(): boolean {
    return this.processedSinceCountCommit >= this.ackCount;
  }

  private timeElapsed(now: number): boolean {
    return now - this.lastTimeCommit > this.ackTimeMs;
  }

  private commitForCount(): TopicPartitionOffset[] {
    this.processedSinceCountCommit = 0;
    return this.takeProcessed();
  }

  /** Spring restarts the time window even when there was nothing to commit, and resets the count. */
  private commitForTime(now: number): TopicPartitionOffset[] {
    this.lastTimeCommit = now;
    this.processedSinceCountCommit = 0;
    return this.takeProcessed();
  }

  private takeProcessed(): TopicPartitionOffset[] {
    const out = [...this.processedUpTo.values()];
    this.processedUpTo.clear();
    return out;
  }

  private pendingFor(tp: TopicPartition): TopicPartitionOffset[] {
    if (!this.manual) {
      const pending = this.processedUpTo.get(keyOf(tp));
      return pending ? [pending] : [];
    }
    return this.advance(tp);
  }

  private advance(tp: TopicPartition): TopicPartitionOffset[] {
    const window = this.windows.get(keyOf(tp));
    const next = this.asyncAcks ? window?.takeAcknowledgedPrefix() : window?.takeThroughHighestAcknowledged();
    return next === undefined ? [] : [{ topic: tp.topic, partition: tp.partition, offset: next }];
  }

  private windowOf(tp: TopicPartition): AckWindow {
    const key = keyOf(tp);
    let window = this.windows.get(key);
    if (!window) {
      window = new AckWindow({ topic: tp.topic, partition: tp.partition });
      this.windows.set(key, window);
    }
    return window;
  }
}

/**
 * One partition's delivered records awaiting acknowledgment, in offset order (offsets
 * are not contiguous: compaction and transaction markers leave gaps, which is why the
 * delivered offsets are kept instead of assumed).
 */
class AckWindow {
  private offsets: number[] = [];
  private head = 0;
  private readonly awaiting = new Set<number>();
  private readonly acknowledged = new Set<number>();
  /** The highest acknowledged offset still in the window, -1 for none. */
  private highestAcknowledged = -1;

  constructor(readonly partition: TopicPartition) {}

  deliver(offset: number): void {
    this.rewind(offset);
    this.offsets.push(offset);
    this.awaiting.add(offset);
  }

  acknowledge(offset: number): boolean {
    if (!this.awaiting.has(offset)) return false;
    this.acknowledged.add(offset);
    if (offset > this.highestAcknowledged) this.highestAcknowledged = offset;
    return true;
  }

  rewind(offset: number): void {
    while (this.offsets.length > this.head && this.offsets[this.offsets.length - 1] >= offset) {
      const dropped = this.offsets.pop()!;
      this.awaiting.delete(dropped);
      this.acknowledged.delete(dropped);
    }
    if (this.highestAcknowledged >= offset) {
      this.highestAcknowledged = -1;
      for (const acknowledged of this.acknowledged) if (acknowledged > this.highestAcknowledged) this.highestAcknowledged = acknowledged;
    }
  }

  /**
   * The next offset to commit if a record beyond the last commit was acknowledged, else
   * undefined; every record up to the highest acknowledged one leaves the window.
   */
  takeThroughHighestAcknowledged(): number | undefined {
    const last = this.highestAcknowledged;
    if (last < 0) return undefined;
    while (this.head < this.offsets.length && this.offsets[this.head] <= last) {
      const offset = this.offsets[this.head++];
      this.awaiting.delete(offset);
      this.acknowledged.delete(offset);
    }
    this.highestAcknowledged = -1;
    this.compact();
    return last + 1;
  }

  /** The next offset to commit if the acknowledged prefix grew, else undefined. */
  takeAcknowledgedPrefix(): number | undefined {
    let last: number | undefined;
    while (this.head < this.offsets.length && this.acknowledged.has(this.offsets[this.head])) {
      last = this.offsets[this.head++];
      this.awaiting.delete(last);
      this.acknowledged.delete(last);
    }
    if (last !== undefined && this.highestAcknowledged === last) this.highestAcknowledged = -1;
    this.compact();
    return last === undefined ? undefined : last + 1;
  }

  /** Drops the consumed prefix once it dominates, keeping acknowledge() and deliver() O(1) amortized. */
  private compact(): void {
    if (this.head > 64 && this.head * 2 > this.offsets.length) {
      this.offsets = this.offsets.slice(this.head);
      this.head = 0;
    }
  }
}

function asList(records: RecordPosition | readonly RecordPosition[]): readonly RecordPosition[] {
  return Array.isArray(records) ? records : [records as RecordPosition];
}
