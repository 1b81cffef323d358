import { CheckpointFile } from './checkpoint-file';
import { LogDirIo } from './log-dir-io';

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;

/**
 * Leader epoch → first offset written in it (Kafka's LeaderEpochFileCache), kept in
 * `{partition dir}/leader-epoch-checkpoint`:
 *
 *   0
 *   <count>
 *   <epoch> <startOffset>     ascending in both
 *
 * Followers use it (OffsetsForLeaderEpoch) to find where their log diverged from the
 * leader's. The file is rewritten atomically on every change (epochs change on leader
 * elections, not per append). After a crash it is cut back to the recovered log end;
 * a file that does not parse is rebuilt from the epochs stored in the batches.
 */
export class LeaderEpochCache {
  private entries: EpochEntry[] = [];
  private readonly checkpoint: CheckpointFile;

  constructor(file: string, io: LogDirIo) {
    this.checkpoint = new CheckpointFile(file, io);
  }

  /** Loads the checkpoint; false when it was missing or unreadable (the caller rebuilds it). */
  load(): boolean {
    let lines: string[][] | undefined;
    try {
      lines = this.checkpoint.read();
    } catch {
      lines = undefined;
    }
    this.entries = [];
    if (!lines) return false;
    for (const [epoch, startOffset] of lines) {
      const entry = { epoch: Number(epoch), startOffset: Number(startOffset) };
      if (!Number.isInteger(entry.epoch) || !Number.isInteger(entry.startOffset)) {
        this.entries = [];
        return false;
      }
      this.appendIfMonotonic(entry);
    }
    return true;
  }

  get all(): readonly EpochEntry[] {
    return this.entries;
  }

  get latestEpoch(): number {
    return this.entries.length ? this.entries[this.entries.length - 1].epoch : UNDEFINED_EPOCH;
  }

  /** Records that `epoch` starts at `startOffset`; a stale or repeated epoch is ignored. */
  assign(epoch: number, startOffset: number, persist = true): void {
    if (epoch < 0) return;
    if (this.appendIfMonotonic({ epoch, startOffset }) && persist) this.flush();
  }

  private appendIfMonotonic(entry: EpochEntry): boolean {
    const latest = this.entries[this.entries.length - 1];
    if (latest && entry.epoch <= latest.epoch) return false;
    // An older entry at or after this start offset belongs to a history that was truncated.
    while (this.entries.length && this.entries[this.entries.length - 1].startOffset >= entry.startOffset) this.entries.pop();
    this.entries.push(entry);
    return true;
  }

  /**
   * OffsetsForLeaderEpoch: the end offset of `requestedEpoch` (the start of the next
   * higher epoch, or the log end for the latest) and the largest epoch <= requested.
   */
  endOffsetFor(requestedEpoch: number, logEndOffset: number): EpochEntry & { endOffset: number } {
    const undefinedAnswer = { epoch: UNDEFINED_EPOCH, startOffset: UNDEFINED_EPOCH_OFFSET, endOffset: UNDEFINED_EPOCH_OFFSET };
    if (requestedEpoch === UNDEFINED_EPOCH) return undefinedAnswer;
    if (requestedEpoch === this.latestEpoch) return { epoch: requestedEpoch, startOffset: this.entries[this.entries.length - 1].startOffset, endOffset: logEndOffset };
    const higher = this.entries.find((e) => e.epoch > requestedEpoch);
    if (!higher) return undefinedAnswer;
    const floor = [...this.entries].reverse().find((e) => e.epoch <= requestedEpoch);
    return floor ? { ...floor, endOffset: higher.startOffset } : { epoch: requestedEpoch, startOffset: UNDEFINED_EPOCH_OFFSET, endOffset: higher.startOffset };
  }

  /** Drops epochs starting at or after `endOffset` (log truncated to it). */
  truncateFromEnd(endOffset: number): void {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.startOffset < endOffset);
    if (this.entries.length !== before) this.flush();
  }

  /** The log now starts at `startOffset`: earlier epochs go, the one covering it starts there. */
  truncateFromStart(startOffset: number): void {
    let i = 0;
    while (i + 1 < this.entries.length && this.entries[i + 1].startOffset <= startOffset) i++;
    const first = this.entries[i];
    if (!first || (i === 0 && first.startOffset >= startOffset)) return;
    this.entries = [{ epoch: first.epoch, startOffset: Math.max(first.startOffset, startOffset) }, ...this.entries.slice(i + 1)];
    this.flush();
  }

  clear(): void {
    this.entries = [];
    this.flush();
  }

  flush(): void {
    this.checkpoint.write(this.entries.map((e) => `${e.epoch} ${e.startOffset}`));
  }
}
