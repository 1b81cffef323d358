import type { LoggerService } from '@nestjs/common';
import { ErrorCode, errorName, isRetriable } from '../../protocol/errors/error-codes';
import { partitionForKey } from '../../protocol/murmur2';
import { encodeRecordBatch, type RecordInput } from '../../protocol/record-batch/record-batch-encoder';
import { RecordBatchSplitter } from '../../protocol/record-batch/record-batch-splitter';
import { RecordReader } from '../../protocol/record-batch/record-reader';
import type { DelayCluster, QueueReplica } from './delay-cluster';
import { deliveredRecord, doneRecord, intentRecord, readQueueRecord, stateRecord, type DeliveryIntent } from './delay-queue-records';
import { HeldRecordReader } from './held-record-reader';
import { LatencyRecorder } from './latency-recorder';
import { FifoQueue, MinHeap, type PendingQueue } from './pending-queues';

export interface DelaySchedulerOptions {
  /** 0: the deliver-at heap; N: level N. */
  readonly queue: number;
  readonly topic: string;
  readonly replica: QueueReplica;
  readonly cluster: DelayCluster;
  /** The scheduler's own idempotent producer id (one per queue, the same on every broker). */
  readonly producerId: number;
  readonly tickMs: number;
  readonly now: () => number;
  readonly logger: LoggerService;
  readonly requestTimeoutMs?: number;
  readonly retryBackoffMs?: number;
  /** How often the log's start may be moved past delivered records (10 s), and by at least how many offsets (10,000). */
  readonly trimIntervalMs?: number;
  readonly trimMinOffsets?: number;
}

export interface QueueStats {
  readonly depth: number;
  readonly nextDueMs: number | null;
  /** Due records taken from the queue and not yet acknowledged by their target. */
  readonly inFlight: number;
  readonly delivered: number;
  /** Records whose target topic was deleted before they were due. */
  readonly dropped: number;
  /** Deliveries found unfinished when the queue was loaded (a crash or a leader change) and sent again. */
  readonly resent: number;
  readonly loading: boolean;
}

/** Records per delivered batch (one intent each). */
const MAX_BATCH_RECORDS = 500;
/** Due records taken per tick, and held in memory waiting for busy targets at most. */
const MAX_DUE_PER_TICK = 20_000;
const MAX_WAITING = 100_000;
const SCAN_BYTES = 4 * 1024 * 1024;
/** The longest sleep of a scheduler with nothing pending. */
const IDLE_MS = 1000;
/** New held records read per pass when following the log: a burst is taken over a few ticks, not one long one. */
const FOLLOW_BYTES = 16 * 1024 * 1024;
const SEQUENCE_WRAP = 2147483648;

interface WaitingRecord {
  readonly offset: number;
  readonly dueMs: number;
  readonly record: RecordInput;
}

/** Delivery state for one target partition: the scheduler's sequences there, one intent in flight at a time. */
interface Target {
  readonly topic: string;
  readonly partition: number;
  epoch: number;
  nextSequence: number;
  busy: boolean;
  /** The smallest queue offset of the delivery in flight (NaN when none): the log is kept from there. */
  floor: number;
  waiting: WaitingRecord[];
  /** Intents found without their done record when the queue was loaded: sent again first. */
  unfinished: Array<{ offset: number; intent: DeliveryIntent }>;
}

/**
 * The timer over one delay queue this broker leads. A level's queue is read in order (its
 * records are already in due order); the deliver-at queue keeps a min-heap by due time.
 *
 * Loading: the queue's log is read from its start; held records no intent names are pending,
 * intents without a done record are sent again first, and each target's next sequence is
 * the end of its last intent. After that, the log's tail is followed (records reach it from
 * Produce on any broker), so one path feeds the queue.
 *
 * Delivery, per target partition and in due order: write an intent (acks=all) naming the
 * records and the sequence range, send them as one idempotent batch of this scheduler's
 * producer id (acks=all), then write the intent's done record. A crash anywhere in between
 * resends the same batch, which the target answers as a duplicate: delivered exactly once.
 */
export class DelayScheduler {
  private readonly pending: PendingQueue;
  private readonly targets = new Map<string, Target>();
  private readonly held: HeldRecordReader;
  private readonly scanSplit = new RecordBatchSplitter();
  private readonly scanReader = new RecordReader();
  private readonly requestTimeoutMs: number;
  private readonly retryBackoffMs: number;
  private scanOffset = 0;
  private loaded = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private waitingCount = 0;
  private inFlightCount = 0;
  private deliveredCount = 0;
  private droppedCount = 0;
  private resentCount = 0;
  readonly lateness = new LatencyRecorder();

  constructor(private readonly options: DelaySchedulerOptions) {
    this.pending = options.queue === 0 ? new MinHeap() : new FifoQueue();
    this.held = new HeldRecordReader(options.replica);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.retryBackoffMs = options.retryBackoffMs ?? 200;
  }

  get leaderEpoch(): number {
    return this.options.replica.leaderEpoch;
  }

  start(): void {
    this.scanOffset = this.options.replica.logStartOffset;
    this.arm(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  stats(): QueueStats {
    const next = this.pending.peekDue();
    return {
      depth: this.pending.size + this.waitingCount,
      nextDueMs: Number.isNaN(next) ? null : next,
      inFlight: this.inFlightCount,
      delivered: this.deliveredCount,
      dropped: this.droppedCount,
      resent: this.resentCount,
      loading: !this.loaded,
    };
  }

  /** One pass: load or follow the log, take what is due, hand it to its targets, sleep until the next due time (at most a tick). */
  tick(): void {
    this.timer = undefined;
    if (this.stopped) return;
    try {
      if (!this.loaded) {
        if (!this.load()) return this.arm(0);
      } else {
        this.follow();
      }
      this.takeDue();
      this.maybeTrim();
    } catch (error) {
      this.options.logger.error(`${this.options.topic}: scheduler pass failed: ${error instanceof Error ? error.stack : error}`);
    }
    const next = this.pending.peekDue();
    // Idle, it only checks its log now and then: appends through this broker wake it at once
    // (records appended but not yet replicated, above the high watermark, are looked for each tick).
    const unread = this.scanOffset < this.options.replica.logEndOffset;
    if (Number.isNaN(next) && this.waitingCount === 0) return this.arm(unread ? this.options.tickMs : IDLE_MS);
    const wait = this.waitingCount >= MAX_WAITING ? this.options.tickMs : next - this.options.now();
    this.arm(Math.max(0, Math.min(this.options.tickMs, wait)));
  }

  /** New held records were appended to the queue: read them now rather than at the next tick. */
  wake(): void {
    if (this.stopped || !this.loaded) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.arm(0);
  }

  private arm(delayMs: number): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => this.tick(), delayMs);
    this.timer.unref();
  }

  // ---- reading the queue's log ---------------------------------------------------------

  private loadHeld: number[] = [];
  private loadDue: number[] = [];
  private readonly loadNamed = new Set<number>();
  private readonly loadIntents = new Map<number, DeliveryIntent>();

  /** Reads up to SCAN_BYTES of the log as it stood when leadership began; true once it is all read. */
  private load(): boolean {
    const end = this.options.replica.logEndOffset;
    this.scan(end, SCAN_BYTES, (offset, reader) => {
      const record = readQueueRecord(reader);
      switch (record.kind) {
        case 'held':
          this.loadHeld.push(offset);
          this.loadDue.push(record.dueMs);
          break;
        case 'intent': {
          this.loadIntents.set(offset, record.intent);
          for (const named of record.intent.offsets) this.loadNamed.add(named);
          const target = this.target(record.intent.topic, record.intent.partition);
          const end = (record.intent.baseSequence + record.intent.offsets.length) % SEQUENCE_WRAP;
          if (record.intent.producerEpoch > target.epoch) {
            target.epoch = record.intent.producerEpoch;
            target.nextSequence = end;
          } else if (record.intent.producerEpoch === target.epoch) {
            target.nextSequence = end;
          }
          break;
        }
        case 'done':
          this.loadIntents.delete(record.intentOffset);
          break;
        case 'state':
          for (const t of record.targets) {
            const target = this.target(t.topic, t.partition);
            target.epoch = t.producerEpoch;
            target.nextSequence = t.nextSequence;
          }
          break;
      }
    });
    if (this.scanOffset < end) return false;
    for (let i = 0; i < this.loadHeld.length; i++) if (!this.loadNamed.has(this.loadHeld[i])) this.pending.push(this.loadDue[i], this.loadHeld[i]);
    for (const [offset, intent] of this.loadIntents) this.target(intent.topic, intent.partition).unfinished.push({ offset, intent });
    const unfinished = this.loadIntents.size;
    this.resentCount = unfinished;
    this.loadHeld = [];
    this.loadDue = [];
    this.loadNamed.clear();
    this.loadIntents.clear();
    this.loaded = true;
    this.options.logger.log(`${this.options.topic}: ${this.pending.size} pending, ${unfinished} unfinished deliveries to resend`);
    for (const target of this.targets.values()) this.kick(target);
    return true;
  }

  /** New held records produced since the last pass (committed ones: below the high watermark). */
  private follow(): void {
    this.scan(this.options.replica.highWatermark, FOLLOW_BYTES, (offset, reader) => {
      const record = readQueueRecord(reader);
      // Intents and done records past the load are this scheduler's own.
      if (record.kind === 'held') this.pending.push(record.dueMs, offset);
    });
  }

  private scan(upTo: number, budgetBytes: number, onRecord: (offset: number, reader: RecordReader) => void): void {
    let budget = budgetBytes;
    while (this.scanOffset < upTo && budget > 0) {
      const bytes = this.options.replica.read(this.scanOffset, Math.min(budget, SCAN_BYTES), upTo);
      if (bytes.length === 0) return;
      budget -= bytes.length;
      const split = this.scanSplit.reset(bytes);
      while (split.next()) {
        const view = split.view;
        if (view.nextOffset <= this.scanOffset) continue;
        if (!view.isControl) {
          const reader = view.recordReader(undefined, this.scanReader);
          while (reader.next()) if (reader.offset >= this.scanOffset) onRecord(reader.offset, reader);
        }
        this.scanOffset = view.nextOffset;
      }
    }
  }

  // ---- delivery ------------------------------------------------------------------------

  private takeDue(): void {
    const now = this.options.now();
    let taken = 0;
    while (this.pending.size > 0 && this.pending.peekDue() <= now && taken < MAX_DUE_PER_TICK && this.waitingCount < MAX_WAITING) {
      const dueMs = this.pending.peekDue();
      const offset = this.pending.pop();
      taken++;
      const reader = this.held.at(offset);
      const record = reader && readQueueRecord(reader);
      if (!reader || !record || record.kind !== 'held') {
        this.options.logger.error(`${this.options.topic}: held record at offset ${offset} is gone from the log; skipped`);
        continue;
      }
      const partitions = this.options.cluster.partitionCount(record.target);
      if (partitions === 0) {
        this.droppedCount++;
        this.options.logger.warn(`${this.options.topic}: topic ${record.target} no longer exists; the record at offset ${offset} is dropped`);
        continue;
      }
      const key = reader.key();
      // Java's default partitioner for a key; a null key is spread by queue offset, which stays the same on a resend.
      const partition = key === null ? offset % partitions : partitionForKey(key, partitions);
      const target = this.target(record.target, partition);
      target.waiting.push({ offset, dueMs, record: deliveredRecord(reader) });
      this.waitingCount++;
    }
    if (taken > 0) for (const target of this.targets.values()) this.kick(target);
  }

  private target(topic: string, partition: number): Target {
    const key = `${topic}:${partition}`;
    let target = this.targets.get(key);
    if (!target) {
      target = { topic, partition, epoch: 0, nextSequence: 0, busy: false, floor: NaN, waiting: [], unfinished: [] };
      this.targets.set(key, target);
    }
    return target;
  }

  private kick(target: Target): void {
    if (target.busy || this.stopped || !this.loaded) return;
    const unfinished = target.unfinished.shift();
    if (unfinished) {
      target.busy = true;
      void this.resend(target, unfinished.offset, unfinished.intent);
      return;
    }
    if (target.waiting.length === 0) return;
    const batch = target.waiting.splice(0, MAX_BATCH_RECORDS);
    this.waitingCount -= batch.length;
    const intent: DeliveryIntent = {
      topic: target.topic,
      partition: target.partition,
      producerEpoch: target.epoch,
      baseSequence: target.nextSequence,
      offsets: batch.map((w) => w.offset),
    };
    target.nextSequence = (target.nextSequence + batch.length) % SEQUENCE_WRAP;
    target.busy = true;
    void this.deliver(target, intent, batch);
  }

  /** An intent found unfinished at load: its records are read back from the log and sent as the same batch. */
  private async resend(target: Target, intentOffset: number, intent: DeliveryIntent): Promise<void> {
    const batch: WaitingRecord[] = [];
    for (const offset of intent.offsets) {
      const reader = this.held.at(offset);
      if (reader) batch.push({ offset, dueMs: NaN, record: deliveredRecord(reader) });
    }
    if (batch.length !== intent.offsets.length) {
      // Only delivered records are trimmed: the intent's done record was what got lost.
      this.options.logger.warn(`${this.options.topic}: the records of the intent at offset ${intentOffset} were trimmed after their delivery; nothing to resend`);
      target.busy = false;
      return this.kick(target);
    }
    await this.deliver(target, intent, batch, intentOffset);
  }

  private async deliver(target: Target, intent: DeliveryIntent, batch: readonly WaitingRecord[], intentOffset?: number): Promise<void> {
    this.inFlightCount += batch.length;
    target.floor = Math.min(...intent.offsets);
    let outcome: 'delivered' | 'dropped' | 'new-epoch' | 'stopped' = 'stopped';
    try {
      while (intentOffset === undefined && !this.stopped) {
        const written = await this.options.cluster.produce(this.options.topic, 0, encodeRecordBatch([intentRecord(intent, this.options.now())]), -1, this.requestTimeoutMs);
        if (written.errorCode === ErrorCode.NONE) intentOffset = written.baseOffset;
        else if (!this.stopped) await this.backOff('writing an intent', written.errorCode, written.errorMessage);
      }
      if (intentOffset === undefined) return;
      outcome = await this.send(target, intent, batch);
      if (outcome === 'stopped') return;
      const now = this.options.now();
      if (outcome === 'delivered') {
        for (const w of batch) if (!Number.isNaN(w.dueMs)) this.lateness.record(now - w.dueMs);
        this.deliveredCount += batch.length;
      } else if (outcome === 'dropped') {
        this.droppedCount += batch.length;
      }
      // A lost done record only costs a resend that the target answers as a duplicate.
      await this.options.cluster.produce(this.options.topic, 0, encodeRecordBatch([doneRecord(intentOffset, now)]), 1, this.requestTimeoutMs);
    } catch (error) {
      this.options.logger.error(`${this.options.topic}: delivery to ${intent.topic}-${intent.partition} failed: ${error instanceof Error ? error.stack : error}`);
    } finally {
      this.inFlightCount -= batch.length;
      target.floor = NaN;
    }
    if (outcome === 'new-epoch') {
      target.waiting.unshift(...batch.map((w) => ({ ...w })));
      this.waitingCount += batch.length;
    }
    target.busy = false;
    this.kick(target);
  }

  /** Sends an intent's batch until the target takes it (or the topic is gone, or this scheduler stops). */
  private async send(target: Target, intent: DeliveryIntent, batch: readonly WaitingRecord[]): Promise<'delivered' | 'dropped' | 'new-epoch' | 'stopped'> {
    const records = encodeRecordBatch(
      batch.map((w) => w.record),
      { producerId: this.options.producerId, producerEpoch: intent.producerEpoch, baseSequence: intent.baseSequence },
    );
    const where = `${intent.topic}-${intent.partition}`;
    while (!this.stopped) {
      const result = await this.options.cluster.produce(intent.topic, intent.partition, records, -1, this.requestTimeoutMs);
      if (this.stopped) break;
      if (result.errorCode === ErrorCode.NONE) return 'delivered';
      if (this.options.cluster.partitionCount(intent.topic) === 0) {
        this.options.logger.warn(`${this.options.topic}: topic ${intent.topic} was deleted; ${batch.length} due records are dropped`);
        return 'dropped';
      }
      if (result.errorCode === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER || result.errorCode === ErrorCode.INVALID_PRODUCER_EPOCH) {
        // The target lost track of this scheduler's sequences (its log was cut or replaced):
        // a new producer epoch there, as a Java producer starts one after KIP-360.
        target.epoch = Math.max(target.epoch, intent.producerEpoch) + 1;
        target.nextSequence = 0;
        this.options.logger.warn(`${where}: ${errorName(result.errorCode)} for the delay scheduler; resending in producer epoch ${target.epoch}`);
        return 'new-epoch';
      }
      if (!isRetriable(result.errorCode) && result.errorCode !== ErrorCode.REQUEST_TIMED_OUT) {
        this.options.logger.error(`${where}: delivery refused (${errorName(result.errorCode)}: ${result.errorMessage ?? ''}); retrying`);
      }
      await this.backOff(`delivering to ${where}`, result.errorCode, result.errorMessage);
    }
    return 'stopped';
  }

  // ---- trimming the log -----------------------------------------------------------------

  private lastTrimMs = 0;
  private trimming = false;

  /**
   * Moves the log's start up to the first record still needed (pending, waiting, in flight or
   * unfinished; nothing past what was read), after writing a state record with every target's
   * producer epoch and next sequence — what the trimmed intents said — so a later load keeps them.
   */
  private maybeTrim(): void {
    const now = this.options.now();
    if (this.trimming || now - this.lastTrimMs < (this.options.trimIntervalMs ?? 10_000)) return;
    this.lastTrimMs = now;
    const replica = this.options.replica;
    const floor = this.neededFrom();
    if (floor - replica.logStartOffset < (this.options.trimMinOffsets ?? 10_000)) return;
    this.trimming = true;
    const targets = [...this.targets.values()].map((t) => ({ topic: t.topic, partition: t.partition, producerEpoch: t.epoch, nextSequence: t.nextSequence }));
    void this.options.cluster
      .produce(this.options.topic, 0, encodeRecordBatch([stateRecord(targets, now)]), -1, this.requestTimeoutMs)
      .then((written) => {
        if (!this.stopped && written.errorCode === ErrorCode.NONE) replica.deleteRecordsBefore(floor);
      })
      .finally(() => (this.trimming = false));
  }

  /** The smallest offset this scheduler may still read. */
  private neededFrom(): number {
    let floor = Math.min(this.scanOffset, this.options.replica.highWatermark);
    const pending = this.pending.minOffset();
    if (pending < floor) floor = pending;
    for (const target of this.targets.values()) {
      if (target.floor < floor) floor = target.floor;
      for (const w of target.waiting) if (w.offset < floor) floor = w.offset;
      for (const u of target.unfinished) for (const offset of u.intent.offsets) if (offset < floor) floor = offset;
    }
    return floor;
  }

  private backOff(what: string, errorCode: number, message: string | null | undefined): Promise<void> {
    this.options.logger.debug?.(`${this.options.topic}: ${what} failed with ${errorName(errorCode as ErrorCode)} ${message ?? ''}; retrying`);
    return new Promise((resolve) => setTimeout(resolve, this.retryBackoffMs).unref());
  }
}
