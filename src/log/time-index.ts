import { readInt64, writeInt64 } from '../protocol/record-batch/int64';
import { AbstractIndex } from './abstract-index';
import { LogDirIo } from './log-dir-io';

export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

/**
 * The time index `{baseOffset}.timeindex`: 12-byte entries written beside offset-index
 * entries whenever the segment's max timestamp has grown.
 *
 *   0  timestamp       int64   the largest timestamp seen in the segment so far
 *   8  relativeOffset  uint32  (offset - base offset) of the last offset of the batch holding it
 *
 * Timestamps strictly increase and offsets never decrease. An entry's offset is the
 * first batch that reached its timestamp, and every batch before it is at or below
 * it; so the search for the first record with timestamp >= T starts at the last entry
 * with timestamp <= T (or at the segment start). On roll and close the
 * segment's max timestamp is appended even when the index is full, so the last entry
 * always holds the segment's largest timestamp (retention by time uses it after a
 * restart).
 *
 * Crash policy: as AbstractIndex — rebuilt from the log when it does not match.
 */
export class TimeIndex extends AbstractIndex {
  static readonly ENTRY_SIZE = 12;

  constructor(file: string, baseOffset: number, maxIndexSize: number, io: LogDirIo) {
    super(file, baseOffset, maxIndexSize, TimeIndex.ENTRY_SIZE, io);
  }

  private readonly timestampAt = (i: number): number => readInt64(this.buf, i * TimeIndex.ENTRY_SIZE);
  private offsetAt(i: number): number {
    return this.baseOffset + this.buf.readUInt32BE(i * TimeIndex.ENTRY_SIZE + 8);
  }

  entry(i: number): TimestampOffset {
    return { timestamp: this.timestampAt(i), offset: this.offsetAt(i) };
  }

  /** The last entry, or (-1, base offset) when empty. */
  get lastEntry(): TimestampOffset {
    return this.entryCount === 0 ? { timestamp: -1, offset: this.baseOffset } : this.entry(this.entryCount - 1);
  }

  /**
   * Appends (timestamp, offset) when the timestamp is larger than the last entry's.
   * `force` skips the full check (the roll/close entry).
   */
  maybeAppend(timestamp: number, offset: number, force = false): void {
    if (!force && this.isFull) return;
    if (this.entryCount > 0) {
      const last = this.lastEntry;
      if (timestamp <= last.timestamp) return;
      if (offset < last.offset) throw new RangeError(`time index entry for offset ${offset} is before the last entry ${last.offset} in ${this.file}`);
    }
    const rel = this.relativeOffset(offset);
    const at = this.reserveEntry();
    writeInt64(this.buf, at, timestamp);
    this.buf.writeUInt32BE(rel, at + 8);
  }

  /** The last entry with timestamp <= target, or (-1, base offset). */
  lookup(target: number): TimestampOffset {
    const i = this.largestLowerBound(target, this.timestampAt);
    return i < 0 ? { timestamp: -1, offset: this.baseOffset } : this.entry(i);
  }

  /** Removes entries pointing at offsets >= `offset` (offsets are non-decreasing, so a suffix). */
  truncateTo(offset: number): void {
    let n = this.entryCount;
    while (n > 0 && this.offsetAt(n - 1) >= offset) n--;
    this.truncateToEntries(n);
  }

  sanityCheck(nextOffset: number): string | undefined {
    let prevTimestamp = -Infinity;
    let prevOffset = -1;
    for (let i = 0; i < this.entryCount; i++) {
      const timestamp = this.timestampAt(i);
      const offset = this.offsetAt(i);
      if (timestamp <= prevTimestamp || offset < prevOffset) return `entry ${i} (${timestamp}, ${offset}) is not after the previous one`;
      if (offset >= nextOffset) return `entry ${i} points at offset ${offset}, past the segment's end offset ${nextOffset}`;
      prevTimestamp = timestamp;
      prevOffset = offset;
    }
    return undefined;
  }
}
