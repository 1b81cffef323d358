import * as fs from 'node:fs';
import { LogDirIo } from './log-dir-io';

/**
 * What the offset and time indexes share: fixed-size big-endian entries, all relative to
 * the segment's base offset, sorted by their key, looked up by binary search.
 *
 * Memory and files: Node has no mmap, so the entries live in a Buffer that mirrors
 * the file byte for byte (grown by doubling up to `maxIndexSize`, which is
 * log.index.size.max.bytes). New entries are appended to the file in one write on
 * flush, roll and close — never one syscall per entry on the append path. The file
 * holds exactly `entries * entrySize` bytes (no preallocated zero tail), which is what
 * Kafka leaves after trimming on close, so its tools read it.
 *
 * Crash policy: the index is a cache of the log. A crash may leave the file short
 * (entries not yet written) or stale (entries past a truncation); start-up
 * sanity-checks every index against its segment and rebuilds it from the log when it
 * does not match, and always rebuilds it for segments past the recovery point. The
 * index is never trusted over the log.
 */
type IndexClass<T> = new (file: string, baseOffset: number, maxIndexSize: number, io: LogDirIo) => T;

export abstract class AbstractIndex {
  protected buf: Buffer;
  protected entryCount = 0;
  /** Entries that are in the file already; everything after them is written on flush. */
  private fileEntries = 0;
  /** The file holds entries beyond `entryCount` (after a truncation) and must be cut. */
  private fileTooLong = false;

  protected constructor(
    protected file: string,
    readonly baseOffset: number,
    protected readonly maxIndexSize: number,
    protected readonly entrySize: number,
    protected readonly io: LogDirIo,
  ) {
    this.buf = Buffer.alloc(0);
  }

  /** Loads an existing index file (a missing one reads as empty; recovery rebuilds it). */
  static open<T extends AbstractIndex>(this: IndexClass<T>, file: string, baseOffset: number, maxIndexSize: number, io: LogDirIo): T {
    const index = new this(file, baseOffset, maxIndexSize, io);
    index.load();
    return index;
  }

  /** A fresh, empty index file for a new segment. */
  static create<T extends AbstractIndex>(this: IndexClass<T>, file: string, baseOffset: number, maxIndexSize: number, io: LogDirIo): T {
    const index = new this(file, baseOffset, maxIndexSize, io);
    index.io.run(`create index ${file}`, () => fs.writeFileSync(file, ''));
    return index;
  }

  /**
   * Reads the file as it is. A length that is not a whole number of entries is a sign
   * of a torn write: the partial entry is dropped here and sanityCheck decides whether
   * the rest can be used.
   */
  private load(): void {
    const data = this.io.run(`read index ${this.file}`, () => (fs.existsSync(this.file) ? fs.readFileSync(this.file) : Buffer.alloc(0)));
    this.entryCount = Math.floor(data.length / this.entrySize);
    this.buf = data;
    this.fileEntries = this.entryCount;
    this.fileTooLong = data.length !== this.entryCount * this.entrySize;
  }

  get entries(): number {
    return this.entryCount;
  }

  get maxEntries(): number {
    return Math.floor(this.maxIndexSize / this.entrySize);
  }

  get isFull(): boolean {
    return this.entryCount >= this.maxEntries;
  }

  get path(): string {
    return this.file;
  }

  get sizeInBytes(): number {
    return this.entryCount * this.entrySize;
  }

  protected relativeOffset(offset: number): number {
    const rel = offset - this.baseOffset;
    if (rel < 0 || rel > 0xffffffff) throw new RangeError(`offset ${offset} does not fit an index based at ${this.baseOffset}`);
    return rel;
  }

  /** Room for one more entry; returns the byte position to write it at. */
  protected reserveEntry(): number {
    const at = this.entryCount * this.entrySize;
    if (at + this.entrySize > this.buf.length) {
      const grown = Buffer.alloc(Math.max(this.entrySize * 64, this.buf.length * 2));
      this.buf.copy(grown, 0, 0, at);
      this.buf = grown;
    }
    this.entryCount++;
    return at;
  }

  /** Index of the last entry whose key is <= target, or -1. `keyAt` reads entry i's key. */
  protected largestLowerBound(target: number, keyAt: (i: number) => number): number {
    let lo = 0;
    let hi = this.entryCount - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (keyAt(mid) <= target) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** Keeps the first `n` entries. */
  protected truncateToEntries(n: number): void {
    if (n >= this.entryCount) return;
    this.entryCount = n;
    if (this.fileEntries > n) {
      this.fileEntries = n;
      this.fileTooLong = true;
    }
  }

  /** Drops every entry; the caller re-appends from the log. */
  reset(): void {
    this.truncateToEntries(0);
    this.fileTooLong = true;
  }

  /** Writes the entries not yet in the file (and cuts a stale tail); fsyncs when asked. */
  flush(fsync = false): void {
    if (this.fileEntries === this.entryCount && !this.fileTooLong && !fsync) return;
    this.io.run(`write index ${this.file}`, () => {
      const fd = fs.openSync(this.file, fs.constants.O_WRONLY | fs.constants.O_CREAT);
      try {
        const from = this.fileEntries * this.entrySize;
        if (this.fileTooLong) fs.ftruncateSync(fd, from);
        const to = this.entryCount * this.entrySize;
        if (to > from) fs.writeSync(fd, this.buf, from, to - from, from);
        if (fsync) fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    });
    this.fileEntries = this.entryCount;
    this.fileTooLong = false;
  }

  renameTo(file: string): void {
    this.flush();
    this.io.run(`rename ${this.file}`, () => {
      if (fs.existsSync(this.file)) fs.renameSync(this.file, file);
    });
    this.file = file;
  }

  deleteFile(): void {
    this.io.run(`delete ${this.file}`, () => fs.rmSync(this.file, { force: true }));
    this.entryCount = 0;
    this.fileEntries = 0;
    this.fileTooLong = false;
  }

  /** A reason the entries cannot be used for a segment ending at `nextOffset` / `sizeInBytes`, or undefined. */
  abstract sanityCheck(nextOffset: number, segmentBytes: number): string | undefined;

  abstract truncateTo(offset: number): void;
}
