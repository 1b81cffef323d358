import { AbstractIndex } from './abstract-index';
import { LogDirIo } from './log-dir-io';

export interface OffsetPosition {
  offset: number;
  position: number;
}

/**
 * The sparse offset index `{baseOffset}.index`: one 8-byte entry per
 * log.index.interval.bytes of log appended.
 *
 *   0  relativeOffset  uint32  (offset - segment base offset) of the LAST offset in the batch
 *   4  position        uint32  byte position in the .log of the START of that batch
 *
 * Entries strictly increase in both fields. Looking up offset X gives the last entry
 * with relativeOffset <= X - base: reading batches from its position finds X within
 * log.index.interval.bytes. No entry means "start at position 0".
 *
 * Crash policy: as AbstractIndex — rebuilt from the log when it does not match.
 */
export class OffsetIndex extends AbstractIndex {
  static readonly ENTRY_SIZE = 8;

  constructor(file: string, baseOffset: number, maxIndexSize: number, io: LogDirIo) {
    super(file, baseOffset, maxIndexSize, OffsetIndex.ENTRY_SIZE, io);
  }

  private readonly offsetAt = (i: number): number => this.baseOffset + this.buf.readUInt32BE(i * OffsetIndex.ENTRY_SIZE);
  private positionAt(i: number): number {
    return this.buf.readUInt32BE(i * OffsetIndex.ENTRY_SIZE + 4);
  }

  entry(i: number): OffsetPosition {
    return { offset: this.offsetAt(i), position: this.positionAt(i) };
  }

  /** The last indexed offset, or the base offset when empty. */
  get lastOffset(): number {
    return this.entryCount === 0 ? this.baseOffset : this.offsetAt(this.entryCount - 1);
  }

  append(offset: number, position: number): void {
    if (this.entryCount > 0 && offset <= this.lastOffset) {
      throw new RangeError(`index entry for offset ${offset} is not after the last entry ${this.lastOffset} in ${this.file}`);
    }
    const rel = this.relativeOffset(offset);
    const at = this.reserveEntry();
    this.buf.writeUInt32BE(rel, at);
    this.buf.writeUInt32BE(position, at + 4);
  }

  /** Where to start reading to find `target`: the last entry at or below it, else the segment start. */
  lookup(target: number): OffsetPosition {
    const i = this.largestLowerBound(target, this.offsetAt);
    return i < 0 ? { offset: this.baseOffset, position: 0 } : this.entry(i);
  }

  /** Removes entries for offsets >= `offset`. */
  truncateTo(offset: number): void {
    const i = this.largestLowerBound(offset - 1, this.offsetAt);
    this.truncateToEntries(i + 1);
  }

  sanityCheck(nextOffset: number, segmentBytes: number): string | undefined {
    let prevOffset = -1;
    let prevPosition = -1;
    for (let i = 0; i < this.entryCount; i++) {
      const offset = this.offsetAt(i);
      const position = this.positionAt(i);
      if (offset <= prevOffset || position <= prevPosition) return `entry ${i} (${offset} @ ${position}) is not after the previous one`;
      if (offset >= nextOffset) return `entry ${i} points at offset ${offset}, past the segment's end offset ${nextOffset}`;
      if (position >= segmentBytes) return `entry ${i} points at position ${position}, past the segment's ${segmentBytes} bytes`;
      prevOffset = offset;
      prevPosition = position;
    }
    return undefined;
  }
}
