import * as fs from 'node:fs';
import { RecordBatchSplitter, SplitStop } from '../protocol/record-batch/record-batch-splitter';
import { LeaderEpochCache, UNDEFINED_EPOCH_OFFSET } from './leader-epoch-cache';
import { LogDirIo } from './log-dir-io';
import { CorruptRecordError, OffsetOutOfRangeError } from './log-errors';
import {
  DELETED_FILE_SUFFIX,
  INDEX_FILE_SUFFIX,
  LOG_FILE_SUFFIX,
  TIME_INDEX_FILE_SUFFIX,
  TopicPartition,
  isLeftoverFile,
  leaderEpochCheckpointFile,
  logFile,
  offsetFromSegmentFileName,
  offsetIndexFile,
  timeIndexFile,
} from './log-file-names';
import { LogLogger, TopicLogConfig } from './log-config';
import { LogSegment } from './log-segment';
import { TimestampOffset } from './time-index';
import * as path from 'node:path';

/** ListOffsets' special timestamps. */
export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;
export const MAX_TIMESTAMP = -3;

export interface AppendResult {
  baseOffset: number;
  lastOffset: number;
  /** Wall-clock time of the append (the timestamp a LogAppendTime topic reports). */
  logAppendTime: number;
}

export interface FollowerAppendResult extends AppendResult {
  /** Bytes written: the whole batches of the buffer given. */
  bytes: number;
}

export interface ReadResult {
  /** Whole batches, possibly none. */
  records: Buffer;
  highWatermark: number;
  logStartOffset: number;
  logEndOffset: number;
}

export interface ReadOptions {
  /** Exclusive bound on the last offset returned, e.g. the high watermark for consumers. */
  maxOffset?: number;
  /** Return the first batch even when it exceeds maxBytes (default true, as Kafka does for the first partition of a fetch). */
  minOneBatch?: boolean;
}

export interface PartitionLogOptions {
  tp: TopicPartition;
  dir: string;
  config: TopicLogConfig;
  io: LogDirIo;
  logger: LogLogger;
  now: () => number;
  /** From recovery-point-offset-checkpoint; 0 when unknown (recover everything). */
  recoveryPoint?: number;
  logStartOffset?: number;
  highWatermark?: number;
  /** The dir had a clean-shutdown marker: segments are checked but not CRC-scanned. */
  cleanShutdown?: boolean;
  /** Called when deleteRecords or retention moved the log start offset, so it can be checkpointed. */
  onLogStartOffsetChanged?: (log: PartitionLog) => void;
}

const empty: Buffer = Buffer.alloc(0);

/**
 * One partition's log: an ordered list of LogSegments in `{log.dir}/{topic}-{partition}/`,
 * the last of which (the active segment) takes appends, plus the leader-epoch
 * checkpoint beside them.
 *
 *   logStartOffset <= (segments' offsets) <= highWatermark <= logEndOffset
 *   recoveryPoint: every offset below it is fsynced and needs no check after a crash.
 *
 * Crash policy: at open, every segment from the one holding the recovery point on is
 * recovered (CRC scan, cut at the first bad batch, indexes rebuilt) unless the dir was
 * shut down cleanly; if a segment had to be cut, the segments after it are deleted,
 * since they follow damaged data. Every cut is logged with the file and byte count.
 * Segments before the recovery point are trusted only after their indexes match them.
 */
export class PartitionLog {
  readonly tp: TopicPartition;
  readonly dir: string;
  readonly leaderEpochs: LeaderEpochCache;
  private config: TopicLogConfig;
  private readonly io: LogDirIo;
  private readonly logger: LogLogger;
  private readonly now: () => number;
  private readonly onLogStartOffsetChanged?: (log: PartitionLog) => void;
  private segments: LogSegment[] = [];
  private startOffset = 0;
  private endOffset = 0;
  private hw = 0;
  private recoveryPointOffset = 0;
  private lastFlushMs: number;
  private readonly pendingFsyncs = new Set<Promise<void>>();
  private readonly pendingDeletes = new Map<LogSegment, NodeJS.Timeout>();
  private closed = false;

  private constructor(options: PartitionLogOptions) {
    this.tp = options.tp;
    this.dir = options.dir;
    this.config = options.config;
    this.io = options.io;
    this.logger = options.logger;
    this.now = options.now;
    this.onLogStartOffsetChanged = options.onLogStartOffsetChanged;
    this.leaderEpochs = new LeaderEpochCache(leaderEpochCheckpointFile(options.dir), options.io);
    this.lastFlushMs = options.now();
  }

  /** Opens (and if needed recovers) the partition in `options.dir`, creating the dir for a new partition. */
  static open(options: PartitionLogOptions): PartitionLog {
    const log = new PartitionLog(options);
    log.load(options);
    return log;
  }

  get logStartOffset(): number {
    return this.startOffset;
  }

  get logEndOffset(): number {
    return this.endOffset;
  }

  get highWatermark(): number {
    return this.hw;
  }

  /** Set by the replica manager; kept within [logStartOffset, logEndOffset]. */
  set highWatermark(offset: number) {
    this.hw = Math.min(Math.max(offset, this.startOffset), this.endOffset);
  }

  get recoveryPoint(): number {
    return this.recoveryPointOffset;
  }

  get topicConfig(): TopicLogConfig {
    return this.config;
  }

  get activeSegment(): LogSegment {
    return this.segments[this.segments.length - 1];
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  get segmentBaseOffsets(): number[] {
    return this.segments.map((s) => s.baseOffset);
  }

  /** Bytes in all segments. */
  get size(): number {
    let total = 0;
    for (const segment of this.segments) total += segment.size;
    return total;
  }

  updateConfig(config: TopicLogConfig): void {
    this.config = config;
  }

  private load(options: PartitionLogOptions): void {
    this.io.run(`create ${this.dir}`, () => fs.mkdirSync(this.dir, { recursive: true }));
    const names = this.io.run(`list ${this.dir}`, () => fs.readdirSync(this.dir));
    const bases: number[] = [];
    for (const name of names) {
      if (isLeftoverFile(name)) {
        this.io.run(`delete ${name}`, () => fs.rmSync(path.join(this.dir, name), { force: true }));
        continue;
      }
      const base = offsetFromSegmentFileName(name, LOG_FILE_SUFFIX);
      if (base !== undefined) bases.push(base);
    }
    // An index without its .log is useless (the log is the truth).
    for (const name of names) {
      const base = offsetFromSegmentFileName(name, INDEX_FILE_SUFFIX) ?? offsetFromSegmentFileName(name, TIME_INDEX_FILE_SUFFIX);
      if (base !== undefined && !bases.includes(base)) this.io.run(`delete ${name}`, () => fs.rmSync(path.join(this.dir, name), { force: true }));
    }
    bases.sort((a, b) => a - b);

    const checkpointedRecoveryPoint = options.recoveryPoint ?? 0;
    const epochsFromBatches: Array<[number, number]> = [];
    let damaged = false;
    let recoveredAny = false;
    for (let i = 0; i < bases.length; i++) {
      const base = bases[i];
      if (damaged) {
        const file = logFile(this.dir, base);
        const bytes = this.io.run(`stat ${file}`, () => fs.statSync(file).size);
        this.logger.warn(`${file}: recovery deleted this segment (${bytes} bytes), it follows damaged data`);
        this.deleteSegmentFiles(base);
        continue;
      }
      const holdsRecoveryPoint = i + 1 >= bases.length || bases[i + 1] > checkpointedRecoveryPoint;
      const recover = !options.cleanShutdown && holdsRecoveryPoint;
      const opened = recover ? this.recoverSegment(base, epochsFromBatches) : LogSegment.open(this.dir, base, this.config, this.io, false);
      const { segment, recovery, rebuiltIndexReason } = opened;
      if (rebuiltIndexReason) this.logger.warn(`${segment.offsetIndex.path}: index did not match its log (${rebuiltIndexReason}); rebuilt from ${segment.path}`);
      if (recovery) recoveredAny = true;
      if (recovery && recovery.truncatedBytes > 0) {
        this.logger.warn(`${segment.path}: recovery cut ${recovery.truncatedBytes} bytes at position ${recovery.validBytes} (${recovery.reason})`);
        damaged = true;
      }
      if (segment.size === 0 && i < bases.length - 1) {
        // An empty segment in the middle would break offset lookups; later segments stay.
        segment.deleteFiles();
        continue;
      }
      this.segments.push(segment);
    }
    if (this.segments.length === 0) {
      this.segments.push(LogSegment.create(this.dir, options.logStartOffset ?? 0, this.config, this.io, this.now()));
    }
    this.endOffset = this.activeSegment.nextOffset;
    this.startOffset = Math.min(Math.max(options.logStartOffset ?? 0, this.segments[0].baseOffset), this.endOffset);
    if (recoveredAny) {
      // Recovered data is fsynced now, so the next unclean start need not scan it again.
      for (const segment of this.segments) if (segment.nextOffset > checkpointedRecoveryPoint) segment.flush(true);
      this.recoveryPointOffset = this.endOffset;
    } else {
      this.recoveryPointOffset = Math.min(options.cleanShutdown ? this.endOffset : checkpointedRecoveryPoint, this.endOffset);
    }
    this.hw = Math.min(Math.max(options.highWatermark ?? 0, this.startOffset), this.endOffset);

    const epochsLoaded = this.leaderEpochs.load();
    for (const [epoch, offset] of epochsFromBatches) this.leaderEpochs.assign(epoch, offset, false);
    if (!epochsLoaded || epochsFromBatches.length) this.leaderEpochs.flush();
    this.leaderEpochs.truncateFromEnd(this.endOffset);
    this.leaderEpochs.truncateFromStart(this.startOffset);
  }

  private recoverSegment(base: number, epochs: Array<[number, number]>): ReturnType<typeof LogSegment.open> {
    return LogSegment.open(this.dir, base, this.config, this.io, true, (epoch, offset) => {
      if (epoch >= 0 && (epochs.length === 0 || epochs[epochs.length - 1][0] !== epoch)) epochs.push([epoch, offset]);
    });
  }

  /** Removes a segment's files without opening them (it follows damaged data). */
  private deleteSegmentFiles(base: number): void {
    for (const file of [logFile(this.dir, base), offsetIndexFile(this.dir, base), timeIndexFile(this.dir, base)]) {
      this.io.run(`delete ${file}`, () => fs.rmSync(file, { force: true }));
    }
  }

  /**
   * Appends one or more already-validated batches (as received in a Produce request):
   * assigns offsets from the log end in place, stamps the leader epoch when given, and
   * writes the bytes as they are. Throws CorruptRecordError when the buffer is not a
   * whole number of batches.
   */
  append(batches: Buffer, leaderEpoch?: number): AppendResult {
    this.ensureOpen();
    let offsets = 0;
    let maxTimestamp = -1;
    const split = new RecordBatchSplitter(batches);
    while (split.next()) {
      if (split.view.lastOffsetDelta < 0) throw new CorruptRecordError(`${this.dir}: append: batch at byte ${split.position} has a negative lastOffsetDelta`);
      offsets += split.view.lastOffsetDelta + 1;
      maxTimestamp = Math.max(maxTimestamp, split.view.maxTimestamp);
    }
    if (split.stop !== SplitStop.End) throw new CorruptRecordError(`${this.dir}: append: ${split.stopError()?.message}`);
    const now = this.now();
    if (offsets === 0) return { baseOffset: this.endOffset, lastOffset: this.endOffset - 1, logAppendTime: now };
    const baseOffset = this.endOffset;
    const lastOffset = baseOffset + offsets - 1;
    const segment = this.maybeRoll(batches.length, lastOffset, maxTimestamp, now);
    segment.append(batches, baseOffset, leaderEpoch);
    this.endOffset = lastOffset + 1;
    if (leaderEpoch !== undefined) this.leaderEpochs.assign(leaderEpoch, baseOffset);
    if (this.endOffset - this.recoveryPointOffset >= this.config.flushIntervalMessages) this.flush();
    return { baseOffset, lastOffset, logAppendTime: now };
  }

  /**
   * Replication: appends batches fetched from the leader as they are, keeping the leader's
   * offsets and partition leader epochs, and records where each new epoch starts. Every
   * batch is CRC-checked; offsets must start at or after the log end and increase (gaps
   * are allowed, as compaction leaves them). A batch cut short at the end of the buffer (a
   * fetch response that hit its byte limit) is left for the next fetch. Returns the first
   * and last offsets appended and the bytes written (lastOffset < baseOffset when none).
   */
  appendAsFollower(batches: Buffer): FollowerAppendResult {
    this.ensureOpen();
    const split = new RecordBatchSplitter(batches);
    const view = split.view;
    let expected = this.endOffset;
    let firstOffset = -1;
    let maxTimestamp = -1;
    const epochStarts: Array<[number, number]> = [];
    while (split.next()) {
      const invalid = view.validationError();
      if (invalid) throw new CorruptRecordError(`${this.dir}: replicated batch at byte ${split.position}: ${invalid.message}`);
      const base = view.baseOffset;
      if (base < expected) {
        throw new OffsetOutOfRangeError(`${this.dir}: replicated batch at offset ${base} does not follow offset ${expected - 1} (log end ${this.endOffset})`);
      }
      if (firstOffset < 0) firstOffset = base;
      expected = view.nextOffset;
      maxTimestamp = Math.max(maxTimestamp, view.maxTimestamp);
      const epoch = view.partitionLeaderEpoch;
      const last = epochStarts[epochStarts.length - 1];
      if (epoch >= 0 && (!last || last[0] !== epoch)) epochStarts.push([epoch, base]);
    }
    if (split.stop === SplitStop.Corrupt) throw new CorruptRecordError(`${this.dir}: replicated records: ${split.stopError()?.message}`);
    const bytes = split.stop === SplitStop.PartialTail ? split.stopPosition : batches.length;
    const now = this.now();
    if (firstOffset < 0 || bytes === 0) return { baseOffset: this.endOffset, lastOffset: this.endOffset - 1, logAppendTime: now, bytes: 0 };
    const whole = bytes === batches.length ? batches : batches.subarray(0, bytes);
    const lastOffset = expected - 1;
    const segment = this.maybeRoll(bytes, lastOffset, maxTimestamp, now);
    segment.append(whole, firstOffset, undefined, true);
    this.endOffset = lastOffset + 1;
    for (const [epoch, start] of epochStarts) this.leaderEpochs.assign(epoch, start);
    if (this.endOffset - this.recoveryPointOffset >= this.config.flushIntervalMessages) this.flush();
    return { baseOffset: firstOffset, lastOffset, logAppendTime: now, bytes };
  }

  /**
   * OffsetsForLeaderEpoch on this log: the largest epoch <= `epoch` it knows and where that
   * epoch ends (the start of the next epoch, or the log end for the latest); undefined when
   * the log cannot tell (no such epoch, or a newer one than any it holds).
   */
  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: number } | undefined {
    const found = this.leaderEpochs.endOffsetFor(epoch, this.endOffset);
    return found.endOffset === UNDEFINED_EPOCH_OFFSET ? undefined : { epoch: found.epoch, endOffset: found.endOffset };
  }

  private maybeRoll(appendBytes: number, appendLastOffset: number, appendMaxTimestamp: number, now: number): LogSegment {
    const active = this.activeSegment;
    if (!active.shouldRoll(appendBytes, appendLastOffset, appendMaxTimestamp, this.config.segmentBytes, this.config.segmentMs, now)) return active;
    return this.roll();
  }

  /**
   * Starts a new active segment at the log end. The old one's indexes are written and
   * it is fsynced in the background; the recovery point moves past it when that fsync
   * completes.
   */
  roll(): LogSegment {
    this.ensureOpen();
    const old = this.activeSegment;
    if (old.size === 0) return old;
    old.onBecomeInactive();
    const segment = LogSegment.create(this.dir, this.endOffset, this.config, this.io, this.now());
    this.segments.push(segment);
    const flushedTo = segment.baseOffset;
    const fsync = old
      .fsyncAsync()
      .then(() => {
        if (!this.closed) this.recoveryPointOffset = Math.max(this.recoveryPointOffset, Math.min(flushedTo, this.endOffset));
      })
      .catch((error) => this.logger.error(`${old.path}: fsync after roll failed: ${error instanceof Error ? error.message : error}`))
      .finally(() => this.pendingFsyncs.delete(fsync));
    this.pendingFsyncs.add(fsync);
    return segment;
  }

  /**
   * Whole batches from the one holding `fromOffset`, within maxBytes (but at least one
   * batch unless minOneBatch is false) and below options.maxOffset. Reads from one
   * segment, moving on only when the offset lies past a segment's data. Offsets outside
   * [logStartOffset, logEndOffset] are OffsetOutOfRangeError.
   */
  read(fromOffset: number, maxBytes: number, options: ReadOptions = {}): ReadResult {
    this.ensureOpen();
    const result = { records: empty, highWatermark: this.hw, logStartOffset: this.startOffset, logEndOffset: this.endOffset };
    if (fromOffset < this.startOffset || fromOffset > this.endOffset) {
      throw new OffsetOutOfRangeError(`offset ${fromOffset} is out of range for ${this.dir}: log start ${this.startOffset}, log end ${this.endOffset}`);
    }
    const minOneBatch = options.minOneBatch ?? true;
    for (let i = this.segmentIndexFor(fromOffset); i < this.segments.length; i++) {
      const segment = this.segments[i];
      if (segment.nextOffset <= fromOffset) continue;
      const records = segment.read(Math.max(fromOffset, segment.baseOffset), maxBytes, options.maxOffset, minOneBatch);
      if (records) result.records = records;
      break;
    }
    return result;
  }

  /** Index in `segments` of the last segment whose base offset is <= offset (0 if none). */
  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.segments[mid].baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * ListOffsets: the first offset whose record timestamp is >= `timestamp`, or the
   * special answers for LATEST (-1), EARLIEST (-2) and MAX_TIMESTAMP (-3). Undefined when
   * no record is that recent.
   */
  offsetForTimestamp(timestamp: number): TimestampOffset | undefined {
    this.ensureOpen();
    if (timestamp === LATEST_TIMESTAMP) return { timestamp: -1, offset: this.endOffset };
    if (timestamp === EARLIEST_TIMESTAMP) return { timestamp: -1, offset: this.startOffset };
    if (timestamp === MAX_TIMESTAMP) {
      let newest: LogSegment | undefined;
      for (const segment of this.segments) if (segment.size > 0 && segment.maxTimestamp > (newest?.maxTimestamp ?? -1)) newest = segment;
      return newest?.findOffsetByTimestamp(newest.maxTimestamp, this.startOffset);
    }
    for (const segment of this.segments) {
      if (segment.nextOffset <= this.startOffset || segment.size === 0 || segment.maxTimestamp < timestamp) continue;
      const found = segment.findOffsetByTimestamp(timestamp, this.startOffset);
      if (found) return found;
    }
    return undefined;
  }

  /**
   * Replication: removes everything at and after `offset` (a batch straddling it goes
   * whole, so the new log end may be below `offset`). Returns whether anything changed.
   */
  truncateTo(offset: number): boolean {
    this.ensureOpen();
    if (offset < 0) throw new OffsetOutOfRangeError(`cannot truncate ${this.dir} to negative offset ${offset}`);
    if (offset >= this.endOffset) {
      // No record to cut, but an epoch begun at the log end (a leadership that wrote nothing)
      // may be one the new leader never heard of. Kafka's UnifiedLog.truncateTo drops it too:
      // kept, it would be every fetch's lastFetchedEpoch and the leader would answer
      // divergingEpoch forever.
      this.leaderEpochs.truncateFromEnd(this.endOffset);
      return false;
    }
    if (offset < this.segments[0].baseOffset) {
      this.truncateFullyAndStartAt(offset);
      return true;
    }
    const keep = this.segmentIndexFor(offset);
    const doomed = this.segments.splice(keep + 1);
    this.activeSegment.truncateTo(offset);
    for (const segment of doomed) this.deleteSegmentLater(segment);
    this.endOffset = this.activeSegment.nextOffset;
    this.afterEndMovedBack();
    this.leaderEpochs.truncateFromEnd(this.endOffset);
    return true;
  }

  /** Replication: drops every segment and starts an empty log at `offset`. */
  truncateFullyAndStartAt(offset: number): void {
    this.ensureOpen();
    const doomed = this.segments;
    this.segments = [];
    for (const segment of doomed) this.deleteSegmentLater(segment);
    this.segments.push(LogSegment.create(this.dir, offset, this.config, this.io, this.now()));
    this.endOffset = offset;
    this.startOffset = offset;
    this.hw = offset;
    this.recoveryPointOffset = offset;
    this.leaderEpochs.clear();
    this.onLogStartOffsetChanged?.(this);
  }

  private afterEndMovedBack(): void {
    this.hw = Math.min(this.hw, this.endOffset);
    this.recoveryPointOffset = Math.min(this.recoveryPointOffset, this.endOffset);
    this.startOffset = Math.min(this.startOffset, this.endOffset);
  }

  /**
   * DeleteRecords: moves the log start offset up to `offset` (which may not pass the
   * high watermark) and deletes the segments wholly below it. Returns the new log start.
   */
  deleteRecordsBefore(offset: number): number {
    this.ensureOpen();
    if (offset > this.hw || offset < 0) {
      throw new OffsetOutOfRangeError(`cannot delete records of ${this.dir} before ${offset}: high watermark is ${this.hw}`);
    }
    if (offset <= this.startOffset) return this.startOffset;
    this.startOffset = offset;
    this.deleteSegmentsWhile((segment, next) => next.baseOffset <= this.startOffset);
    this.leaderEpochs.truncateFromStart(this.startOffset);
    this.onLogStartOffsetChanged?.(this);
    return this.startOffset;
  }

  /**
   * One retention pass: deletes whole inactive segments that are older than retention.ms,
   * that push the partition over retention.bytes, or that lie below the log start offset.
   * Only segments wholly below the high watermark go; the active segment never does.
   * Returns the number of segments deleted.
   */
  enforceRetention(): number {
    this.ensureOpen();
    const now = this.now();
    let deleted = 0;
    const { retentionMs, retentionBytes } = this.config;
    if (retentionMs >= 0) deleted += this.deleteSegmentsWhile((segment) => now - segment.largestTimestamp() > retentionMs);
    if (retentionBytes >= 0) {
      let excess = this.size - retentionBytes;
      deleted += this.deleteSegmentsWhile((segment) => {
        if (excess - segment.size < 0) return false;
        excess -= segment.size;
        return true;
      });
    }
    deleted += this.deleteSegmentsWhile((_segment, next) => next.baseOffset <= this.startOffset);
    return deleted;
  }

  /** Deletes segments from the oldest while `predicate` holds; never the active segment, never past the high watermark. */
  private deleteSegmentsWhile(predicate: (segment: LogSegment, next: LogSegment) => boolean): number {
    let deleted = 0;
    while (this.segments.length > 1) {
      const [segment, next] = this.segments;
      if (next.baseOffset > this.hw || !predicate(segment, next)) break;
      this.segments.shift();
      this.deleteSegmentLater(segment);
      deleted++;
    }
    if (deleted > 0 && this.segments[0].baseOffset > this.startOffset) {
      this.startOffset = this.segments[0].baseOffset;
      this.leaderEpochs.truncateFromStart(this.startOffset);
      this.onLogStartOffsetChanged?.(this);
    }
    return deleted;
  }

  /**
   * Renames the segment's files to `.deleted` at once and removes them after
   * file.delete.delay.ms, so a fetch that already holds its bytes range is not cut
   * short; a crash in between leaves `.deleted` files that start-up removes.
   */
  private deleteSegmentLater(segment: LogSegment): void {
    segment.renameWithSuffix(DELETED_FILE_SUFFIX);
    const timer = setTimeout(() => {
      this.pendingDeletes.delete(segment);
      try {
        segment.deleteFiles();
      } catch (error) {
        this.logger.error(`${segment.path}: delete failed: ${error instanceof Error ? error.message : error}`);
      }
    }, this.config.fileDeleteDelayMs);
    timer.unref();
    this.pendingDeletes.set(segment, timer);
  }

  /** Synchronously fsyncs every segment holding unflushed data and moves the recovery point to the log end. */
  flush(): void {
    this.ensureOpen();
    const from = this.recoveryPointOffset;
    for (let i = this.segmentIndexFor(from); i < this.segments.length; i++) this.segments[i].flush(true);
    this.recoveryPointOffset = this.endOffset;
    this.lastFlushMs = this.now();
  }

  /** The flush.ms policy, called by the LogManager's timer: an asynchronous fsync of the active segment when due. */
  async maybeFlushByTime(): Promise<void> {
    if (this.closed) return;
    const now = this.now();
    if (this.endOffset === this.recoveryPointOffset || now - this.lastFlushMs < this.config.flushIntervalMs) return;
    this.lastFlushMs = now;
    const target = this.endOffset;
    await Promise.all([...this.pendingFsyncs]);
    await this.activeSegment.fsyncAsync();
    if (!this.closed) this.recoveryPointOffset = Math.max(this.recoveryPointOffset, Math.min(target, this.endOffset));
  }

  /**
   * Clean close: waits for background fsyncs, fsyncs what is left, writes the indexes and
   * closes the files; segments waiting for deletion are deleted now.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.pendingFsyncs]);
    this.flush();
    this.closed = true;
    for (const segment of this.segments) segment.close();
    this.deletePendingNow();
  }

  /** Closes without flushing (the partition is being deleted or its dir went offline). */
  closeWithoutFlush(): void {
    if (this.closed) return;
    this.closed = true;
    for (const segment of this.segments) {
      try {
        segment.close();
      } catch {
        // The dir is going away or already failed; there is nothing left to save.
      }
    }
    this.deletePendingNow();
  }

  private deletePendingNow(): void {
    for (const [segment, timer] of this.pendingDeletes) {
      clearTimeout(timer);
      try {
        segment.deleteFiles();
      } catch {
        // Left as a .deleted file; start-up removes it.
      }
    }
    this.pendingDeletes.clear();
  }

  private ensureOpen(): void {
    if (this.closed) throw new Error(`${this.dir} is closed`);
    this.io.ensureOnline();
  }

}
