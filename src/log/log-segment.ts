import * as fs from 'node:fs';
import { BATCH_HEADER_SIZE } from '../protocol/record-batch/record-batch-layout';
import { RecordBatchSplitter } from '../protocol/record-batch/record-batch-splitter';
import { RecordBatchView } from '../protocol/record-batch/record-batch-view';
import { checkBatchHeader } from './batch-header';
import { LogDirIo } from './log-dir-io';
import { logFile, offsetIndexFile, timeIndexFile } from './log-file-names';
import { OffsetIndex } from './offset-index';
import { TimeIndex, TimestampOffset } from './time-index';

export interface SegmentConfig {
  /** log.index.interval.bytes: bytes of log between two offset-index entries. */
  indexIntervalBytes: number;
  /** log.index.size.max.bytes: a segment rolls when either index reaches it. */
  maxIndexSize: number;
}

/** What recovery found in one segment. */
export interface SegmentRecovery {
  validBytes: number;
  truncatedBytes: number;
  /** Why the first rejected batch was rejected; undefined when nothing was cut. */
  reason?: string;
}

/**
 * Per-batch callback of a scan; `batch` covers the whole batch in a whole-batch scan and
 * at least its header otherwise. Returning false stops the scan.
 */
type BatchVisitor = (batch: RecordBatchView, position: number, size: number) => boolean | void;

const HEADER_SCAN_CHUNK = 64 * 1024;
const RECOVERY_CHUNK = 1024 * 1024;
/** lastOffset - baseOffset must fit the index's relative offset (Kafka keeps it to Int.MaxValue). */
const MAX_RELATIVE_OFFSET = 0x7fffffff;

/**
 * One segment: `{base}.log` holding RecordBatch v2 bytes exactly as produced (offsets
 * assigned), plus its `.index` and `.timeindex`.
 *
 *   .log   [batch][batch]...   each batch: baseOffset i64 | batchLength i32 | ... (record-batch-layout.ts)
 *
 * I/O choices: appends are one synchronous positioned write (pwrite) of the caller's
 * bytes — the page-cache copy is a few microseconds and a sync call skips the libuv
 * thread-pool round trip, which costs more than the copy for 16 KiB batches; the
 * produce is acknowledged only after the write returned. Reads are synchronous pread
 * of whole batches for the same reason (the pages were usually just written). fsync is
 * the slow call and runs asynchronously (fsyncAsync) on roll and on the flush timer,
 * except where a caller explicitly asks for a synchronous flush.
 *
 * Crash policy: the .log is the truth. Anything past the recovery point is re-read at
 * start-up (length, magic, CRC-32C of every batch) and cut at the first bad batch;
 * indexes are rebuilt for those segments, and for any other segment whose index does
 * not match it (sanityCheck plus a check of the last entry against the batch it points
 * at). Index entries are written to their files on flush, roll and close only, so a
 * crash leaves them short or stale — both cases are handled by that rebuild.
 */
export class LogSegment {
  private fd: number;
  private bytes: number;
  private next: number;
  private maxTimestampSoFar = -1;
  private offsetOfMaxTimestamp: number;
  private bytesSinceLastIndexEntry = 0;
  private rollingBasedTimestamp: number | undefined;
  private logPath: string;

  private constructor(
    readonly dir: string,
    readonly baseOffset: number,
    readonly offsetIndex: OffsetIndex,
    readonly timeIndex: TimeIndex,
    private readonly config: SegmentConfig,
    private readonly io: LogDirIo,
    readonly createdMs: number,
    fd: number,
    size: number,
  ) {
    this.logPath = logFile(dir, baseOffset);
    this.fd = fd;
    this.bytes = size;
    this.next = baseOffset;
    this.offsetOfMaxTimestamp = baseOffset;
  }

  /** A new, empty segment (files created, replacing any leftovers with the same base). */
  static create(dir: string, baseOffset: number, config: SegmentConfig, io: LogDirIo, nowMs: number): LogSegment {
    const path = logFile(dir, baseOffset);
    const fd = io.run(`create segment ${path}`, () => fs.openSync(path, 'w+'));
    const offsetIndex = OffsetIndex.create(offsetIndexFile(dir, baseOffset), baseOffset, config.maxIndexSize, io);
    const timeIndex = TimeIndex.create(timeIndexFile(dir, baseOffset), baseOffset, config.maxIndexSize, io);
    return new LogSegment(dir, baseOffset, offsetIndex, timeIndex, config, io, nowMs, fd, 0);
  }

  /**
   * Opens an existing segment. With `recover` every batch is CRC-checked, the tail cut at
   * the first bad one and the indexes rebuilt; without, the indexes are sanity-checked
   * against the log and the segment is recovered anyway if they do not match.
   */
  static open(
    dir: string,
    baseOffset: number,
    config: SegmentConfig,
    io: LogDirIo,
    recover: boolean,
    onBatch?: (leaderEpoch: number, baseOffset: number) => void,
  ): { segment: LogSegment; recovery?: SegmentRecovery; rebuiltIndexReason?: string } {
    const path = logFile(dir, baseOffset);
    const { fd, size, mtimeMs } = io.run(`open segment ${path}`, () => {
      const fd = fs.openSync(path, 'r+');
      const stat = fs.fstatSync(fd);
      return { fd, size: stat.size, mtimeMs: stat.mtimeMs };
    });
    const offsetIndex = OffsetIndex.open(offsetIndexFile(dir, baseOffset), baseOffset, config.maxIndexSize, io);
    const timeIndex = TimeIndex.open(timeIndexFile(dir, baseOffset), baseOffset, config.maxIndexSize, io);
    const segment = new LogSegment(dir, baseOffset, offsetIndex, timeIndex, config, io, mtimeMs, fd, size);
    if (recover) return { segment, recovery: segment.recover(onBatch) };
    const mismatch = segment.loadFromIndexes();
    if (mismatch === undefined) return { segment };
    return { segment, recovery: segment.recover(), rebuiltIndexReason: mismatch };
  }

  get size(): number {
    return this.bytes;
  }

  /** One past the last offset in the segment (its base offset when empty). */
  get nextOffset(): number {
    return this.next;
  }

  get path(): string {
    return this.logPath;
  }

  get maxTimestamp(): number {
    return this.maxTimestampSoFar;
  }

  /** The timestamp retention compares: the largest record timestamp, else the file's mtime. */
  largestTimestamp(): number {
    if (this.maxTimestampSoFar >= 0) return this.maxTimestampSoFar;
    return this.io.run(`stat ${this.logPath}`, () => fs.statSync(this.logPath).mtimeMs);
  }

  /**
   * Kafka's shouldRoll. Age is measured as Kafka does: from the first batch's timestamp to
   * the appended batches' max timestamp when the segment has timestamps (so old data
   * replayed with its original timestamps does not roll a segment per append), else
   * from the segment's creation to now.
   */
  shouldRoll(appendBytes: number, appendLastOffset: number, appendMaxTimestamp: number, maxSegmentBytes: number, segmentMs: number, nowMs: number): boolean {
    if (this.bytes > 0 && this.bytes + appendBytes > maxSegmentBytes) return true;
    const age = this.rollingBasedTimestamp !== undefined ? appendMaxTimestamp - this.rollingBasedTimestamp : nowMs - this.createdMs;
    if (this.bytes > 0 && age > segmentMs) return true;
    if (this.offsetIndex.isFull || this.timeIndex.isFull) return true;
    return appendLastOffset - this.baseOffset > MAX_RELATIVE_OFFSET;
  }

  /**
   * Appends already-validated batches, assigning base offsets in place from `firstOffset`
   * (a leader's append) or, with `keepOffsets`, keeping those the batches carry (a
   * follower's copy of the leader's log). Per batch (not per record) it updates the max
   * timestamp and, every indexIntervalBytes, the indexes; then writes everything in one
   * positioned write.
   */
  append(batches: Buffer, firstOffset: number, leaderEpoch: number | undefined, keepOffsets = false): void {
    const split = new RecordBatchSplitter(batches);
    const batch = split.view;
    let position = this.bytes;
    let nextOffset = firstOffset;
    while (split.next()) {
      if (!keepOffsets) batch.setBaseOffset(nextOffset);
      if (leaderEpoch !== undefined) batch.setPartitionLeaderEpoch(leaderEpoch);
      nextOffset = batch.nextOffset;
      if (position === 0) this.rollingBasedTimestamp = batch.maxTimestamp >= 0 ? batch.maxTimestamp : undefined;
      this.observeBatch(batch.maxTimestamp, batch.lastOffset, position, split.size);
      position += split.size;
    }
    this.io.run(`append to ${this.logPath}`, () => {
      let written = 0;
      while (written < batches.length) written += fs.writeSync(this.fd, batches, written, batches.length - written, this.bytes + written);
    });
    this.bytes = position;
  }

  private observeBatch(maxTimestamp: number, lastOffset: number, position: number, size: number): void {
    if (maxTimestamp > this.maxTimestampSoFar) {
      this.maxTimestampSoFar = maxTimestamp;
      this.offsetOfMaxTimestamp = lastOffset;
    }
    if (this.bytesSinceLastIndexEntry > this.config.indexIntervalBytes && !this.offsetIndex.isFull) {
      this.offsetIndex.append(lastOffset, position);
      this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestamp);
      this.bytesSinceLastIndexEntry = 0;
    }
    this.bytesSinceLastIndexEntry += size;
    this.next = lastOffset + 1;
  }

  /**
   * Reads batch headers from `fromPosition` to the end (or until the visitor returns
   * false). `whole` loads each batch completely (for CRC checks and record access);
   * otherwise only headers need to be in memory. Stops at the first batch that fails
   * checkBatchAt and reports where and why.
   */
  private scan(fromPosition: number, whole: boolean, checkCrc: boolean, visit: BatchVisitor): { end: number; reason?: string } {
    const view = new RecordBatchView();
    const fileEnd = this.bytes;
    const chunkSize = whole ? RECOVERY_CHUNK : HEADER_SCAN_CHUNK;
    let chunk = Buffer.allocUnsafe(Math.max(BATCH_HEADER_SIZE, Math.min(chunkSize, fileEnd - fromPosition)));
    let chunkStart = fromPosition;
    let chunkLen = 0;
    const reload = (pos: number): void => {
      chunkLen = this.readAt(chunk, 0, Math.min(chunk.length, fileEnd - pos), pos);
      chunkStart = pos;
    };
    let pos = fromPosition;
    while (pos < fileEnd) {
      const left = fileEnd - pos;
      if (pos - chunkStart + Math.min(BATCH_HEADER_SIZE, left) > chunkLen) reload(pos);
      const sizeOrReason = checkBatchHeader(chunk, pos - chunkStart, left);
      if (typeof sizeOrReason === 'string') return { end: pos, reason: sizeOrReason };
      const size = sizeOrReason;
      if (whole && pos - chunkStart + size > chunkLen) {
        if (size > chunk.length) chunk = Buffer.allocUnsafe(size);
        reload(pos);
      }
      const at = pos - chunkStart;
      view.wrap(chunk, at, at + Math.min(size, chunkLen - at));
      if (checkCrc) {
        const invalid = view.validationError();
        if (invalid) return { end: pos, reason: invalid.message };
      }
      if (visit(view, pos, size) === false) return { end: pos };
      pos += size;
    }
    return { end: pos };
  }

  private readAt(target: Buffer, offset: number, length: number, position: number): number {
    return this.io.run(`read ${this.logPath}`, () => {
      let done = 0;
      while (done < length) {
        const n = fs.readSync(this.fd, target, offset + done, length - done, position + done);
        if (n === 0) break;
        done += n;
      }
      return done;
    });
  }

  /**
   * Loads the in-memory state of a segment that is not being recovered: checks both
   * indexes against the log and reads the batches after the last offset-index entry to
   * find the end offset and max timestamp. Returns why the indexes cannot be trusted,
   * or undefined.
   */
  private loadFromIndexes(): string | undefined {
    const entries = this.offsetIndex.entries;
    const last = entries > 0 ? this.offsetIndex.entry(entries - 1) : { offset: this.baseOffset, position: 0 };
    if (entries > 0 && last.position >= this.bytes) return `offset index points at position ${last.position}, past the end of the log (${this.bytes} bytes)`;
    this.next = this.baseOffset;
    const tail = this.timeIndex.lastEntry;
    this.maxTimestampSoFar = tail.timestamp;
    this.offsetOfMaxTimestamp = tail.offset;
    let first = true;
    let mismatch: string | undefined;
    const { end, reason } = this.scan(last.position, false, false, (batch, position, size) => {
      const lastOffset = batch.lastOffset;
      if (first && entries > 0 && lastOffset !== last.offset) {
        mismatch = `last offset index entry says offset ${last.offset} but the batch at position ${position} ends at ${lastOffset}`;
        return false;
      }
      if (position === 0) this.rollingBasedTimestamp = batch.maxTimestamp >= 0 ? batch.maxTimestamp : undefined;
      if (lastOffset < this.next || batch.baseOffset < this.baseOffset) {
        mismatch = `batch at position ${position} (offset ${batch.baseOffset}) is not after offset ${this.next - 1}`;
        return false;
      }
      first = false;
      const maxTimestamp = batch.maxTimestamp;
      if (maxTimestamp > this.maxTimestampSoFar) {
        this.maxTimestampSoFar = maxTimestamp;
        this.offsetOfMaxTimestamp = lastOffset;
      }
      this.next = lastOffset + 1;
      this.bytesSinceLastIndexEntry += size;
    });
    if (mismatch) return mismatch;
    if (reason !== undefined || end !== this.bytes) return `log tail after the last index entry is damaged (${reason ?? 'short'})`;
    if (this.rollingBasedTimestamp === undefined && this.bytes > 0 && entries > 0) {
      const header = new RecordBatchView(Buffer.allocUnsafe(BATCH_HEADER_SIZE));
      this.readAt(header.buffer, 0, BATCH_HEADER_SIZE, 0);
      this.rollingBasedTimestamp = header.maxTimestamp >= 0 ? header.maxTimestamp : undefined;
    }
    return this.offsetIndex.sanityCheck(this.next, this.bytes) ?? this.timeIndex.sanityCheck(this.next);
  }

  /**
   * Re-reads every batch (length, magic, CRC-32C, offsets increasing), rebuilds both
   * indexes and cuts the file at the first batch that fails. `onBatch` sees each valid
   * batch's leader epoch and base offset (to rebuild the leader-epoch cache).
   */
  recover(onBatch?: (leaderEpoch: number, baseOffset: number) => void): SegmentRecovery {
    const originalSize = this.bytes;
    this.offsetIndex.reset();
    this.timeIndex.reset();
    this.maxTimestampSoFar = -1;
    this.offsetOfMaxTimestamp = this.baseOffset;
    this.bytesSinceLastIndexEntry = 0;
    this.rollingBasedTimestamp = undefined;
    this.next = this.baseOffset;
    let offsetReason: string | undefined;
    const { end, reason } = this.scan(0, true, true, (batch, position, size) => {
      const baseOffset = batch.baseOffset;
      const lastOffset = batch.lastOffset;
      if (baseOffset < this.next || lastOffset - this.baseOffset > MAX_RELATIVE_OFFSET) {
        offsetReason = `batch at position ${position} has offsets ${baseOffset}..${lastOffset}, expected offsets from ${this.next}`;
        return false;
      }
      if (position === 0) this.rollingBasedTimestamp = batch.maxTimestamp >= 0 ? batch.maxTimestamp : undefined;
      this.observeBatch(batch.maxTimestamp, lastOffset, position, size);
      onBatch?.(batch.partitionLeaderEpoch, baseOffset);
    });
    if (end < originalSize) this.truncateFileTo(end);
    this.offsetIndex.flush();
    this.timeIndex.flush();
    return { validBytes: end, truncatedBytes: originalSize - end, reason: end < originalSize ? (offsetReason ?? reason ?? 'short batch') : undefined };
  }

  private truncateFileTo(position: number): void {
    this.io.run(`truncate ${this.logPath}`, () => fs.ftruncateSync(this.fd, position));
    this.bytes = position;
  }

  /** Position of the batch holding `offset` (the first batch whose last offset >= offset), searching from the index. */
  translateOffset(offset: number): { position: number; size: number; baseOffset: number; lastOffset: number } | undefined {
    const start = this.offsetIndex.lookup(offset);
    let found: { position: number; size: number; baseOffset: number; lastOffset: number } | undefined;
    this.scan(start.position, false, false, (batch, position, size) => {
      const lastOffset = batch.lastOffset;
      if (lastOffset < offset) return true;
      found = { position, size, baseOffset: batch.baseOffset, lastOffset };
      return false;
    });
    return found;
  }

  /**
   * Whole batches starting with the one that holds `startOffset`: as many as fit in
   * `maxBytes`, but always the first one when `minOneBatch` (so a consumer is never
   * stuck behind a batch larger than its fetch size), and none whose last offset
   * reaches `maxOffset` (exclusive, e.g. the high watermark). Undefined when no such
   * batch is in this segment.
   */
  read(startOffset: number, maxBytes: number, maxOffset: number | undefined, minOneBatch: boolean): Buffer | undefined {
    const first = this.translateOffset(startOffset);
    if (!first) return undefined;
    if (maxOffset !== undefined && first.lastOffset >= maxOffset) return undefined;
    if (first.size > maxBytes && !minOneBatch) return undefined;
    const length = Math.min(Math.max(maxBytes, first.size), this.bytes - first.position);
    const buf = Buffer.allocUnsafe(length);
    const got = this.readAt(buf, 0, length, first.position);
    let end = 0;
    const split = new RecordBatchSplitter(buf, 0, got);
    while (split.next() && (maxOffset === undefined || split.view.lastOffset < maxOffset)) end = split.position + split.size;
    return end === 0 ? undefined : buf.subarray(0, end);
  }

  /**
   * The first record with timestamp >= `timestamp` at or after `startOffset`, found
   * through the time and offset indexes and then the records of the first batch whose
   * max timestamp reaches it (decompressed when needed). A batch whose records do not
   * parse answers its base offset, never later than the record, so a consumer
   * resetting by time misses nothing.
   */
  findOffsetByTimestamp(timestamp: number, startOffset: number): TimestampOffset | undefined {
    const fromIndex = this.timeIndex.lookup(timestamp);
    const start = this.offsetIndex.lookup(Math.max(fromIndex.offset, startOffset));
    let result: TimestampOffset | undefined;
    this.scan(start.position, true, false, (batch) => {
      if (batch.lastOffset < startOffset || batch.maxTimestamp < timestamp) return true;
      result = firstRecordAtOrAfter(batch, timestamp, startOffset);
      return false;
    });
    return result;
  }

  /**
   * Removes every batch holding offsets >= `offset` (a batch straddling it goes whole)
   * and returns the bytes cut. The indexes are cut to match and the max timestamp falls
   * back to the time index's last entry, as Kafka does.
   */
  truncateTo(offset: number): number {
    const batch = this.translateOffset(offset);
    if (!batch) return 0;
    this.offsetIndex.truncateTo(offset);
    this.timeIndex.truncateTo(offset);
    const before = this.bytes;
    this.truncateFileTo(batch.position);
    this.next = Math.max(this.baseOffset, batch.baseOffset);
    if (batch.position === 0) this.rollingBasedTimestamp = undefined;
    const tail = this.timeIndex.lastEntry;
    this.maxTimestampSoFar = tail.timestamp;
    this.offsetOfMaxTimestamp = tail.offset;
    this.bytesSinceLastIndexEntry = 0;
    return before - batch.position;
  }

  /** Writes pending index entries; with `fsync`, also forces log and indexes to disk. */
  flush(fsync: boolean): void {
    this.offsetIndex.flush(fsync);
    this.timeIndex.flush(fsync);
    if (fsync) this.io.run(`fsync ${this.logPath}`, () => fs.fsyncSync(this.fd));
  }

  /** fsync without blocking the event loop (roll, flush timer). */
  async fsyncAsync(): Promise<void> {
    this.offsetIndex.flush();
    this.timeIndex.flush();
    const fd = this.fd;
    await this.io.runAsync(`fsync ${this.logPath}`, async () => {
      await new Promise<void>((resolve, reject) => fs.fsync(fd, (err) => (err && err.code !== 'EBADF' ? reject(err) : resolve())));
      for (const file of [this.offsetIndex.path, this.timeIndex.path]) {
        const handle = await fs.promises.open(file, 'r').catch(() => undefined);
        if (!handle) continue;
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
      }
    });
  }

  /** No more appends: record the segment's max timestamp in the time index and write the indexes. */
  onBecomeInactive(): void {
    this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestamp, true);
    this.flush(false);
  }

  close(): void {
    if (this.fd < 0) return;
    this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestamp, true);
    this.flush(false);
    const fd = this.fd;
    this.fd = -1;
    this.io.run(`close ${this.logPath}`, () => fs.closeSync(fd));
  }

  /** Renames all three files with `suffix` (e.g. `.deleted`); reads through open handles keep working. */
  renameWithSuffix(suffix: string): void {
    const target = logFile(this.dir, this.baseOffset, suffix);
    this.io.run(`rename ${this.logPath}`, () => fs.renameSync(this.logPath, target));
    this.logPath = target;
    this.offsetIndex.renameTo(offsetIndexFile(this.dir, this.baseOffset, suffix));
    this.timeIndex.renameTo(timeIndexFile(this.dir, this.baseOffset, suffix));
  }

  /** Closes and removes the files (wherever they were renamed to). */
  deleteFiles(): void {
    if (this.fd >= 0) {
      const fd = this.fd;
      this.fd = -1;
      this.io.run(`close ${this.logPath}`, () => fs.closeSync(fd));
    }
    this.io.run(`delete ${this.logPath}`, () => fs.rmSync(this.logPath, { force: true }));
    this.offsetIndex.deleteFile();
    this.timeIndex.deleteFile();
  }
}

/** The first record of `batch` at or after (timestamp, startOffset). */
function firstRecordAtOrAfter(batch: RecordBatchView, timestamp: number, startOffset: number): TimestampOffset {
  try {
    const reader = batch.recordReader();
    while (reader.next()) {
      if (reader.timestamp >= timestamp && reader.offset >= startOffset) return { offset: reader.offset, timestamp: reader.timestamp };
    }
  } catch {
    // Records that do not parse cannot be located exactly; the batch start is still safe.
  }
  return { offset: Math.max(batch.baseOffset, startOffset), timestamp: batch.maxTimestamp };
}
