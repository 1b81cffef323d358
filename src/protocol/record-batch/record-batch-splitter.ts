import { ProtocolError } from '../protocol-error';
import { corruptBatch } from './record-batch-errors';
import { BATCH_HEADER_SIZE, BATCH_LOG_OVERHEAD, BatchOffsets, CURRENT_MAGIC } from './record-batch-layout';
import { RecordBatchView } from './record-batch-view';

/** Why a split stopped. */
export const enum SplitStop {
  /** Not stopped yet. */
  None = 0,
  /** Every byte belonged to a complete batch. */
  End = 1,
  /**
   * The bytes from `stopPosition` are the start of a batch that is cut short: a torn
   * tail after a crash (truncate it), or the last batch of a Fetch response that
   * hit max bytes (normal; ignore it).
   */
  PartialTail = 2,
  /** The header at `stopPosition` cannot start a v2 batch (length below the minimum, or wrong magic). */
  Corrupt = 3,
}

/**
 * Walks a buffer of concatenated record batches (a Produce request's records, a log
 * segment, a Fetch response) reading only each batch's baseOffset, batchLength and
 * magic; nothing is allocated per batch. Typical use:
 *
 *   const split = new RecordBatchSplitter(bytes);
 *   while (split.next()) { split.view.validate(); ... split.position, split.size ... }
 *   if (split.stop === SplitStop.PartialTail) truncateAt(split.stopPosition);
 *
 * `view` is re-pointed at each batch; keep `position`/`size` if you need the batch later.
 */
export class RecordBatchSplitter {
  /** Start of the current batch. */
  position = 0;
  /** Size of the current batch, log overhead included. */
  size = 0;
  stop: SplitStop = SplitStop.None;
  /** Where the split stopped: the end of the last complete batch. */
  stopPosition = 0;
  /** For PartialTail: the size the cut-short batch declares, or -1 when even its length is missing. */
  declaredSize = -1;
  readonly view = new RecordBatchView();

  private buffer: Buffer;
  private nextPosition: number;
  private end: number;

  constructor(buffer: Buffer = Buffer.alloc(0), start = 0, end = buffer.length) {
    this.buffer = buffer;
    this.nextPosition = start;
    this.end = end;
  }

  reset(buffer: Buffer, start = 0, end = buffer.length): this {
    this.buffer = buffer;
    this.nextPosition = start;
    this.end = end;
    this.position = 0;
    this.size = 0;
    this.stop = SplitStop.None;
    this.stopPosition = 0;
    this.declaredSize = -1;
    return this;
  }

  /** Advances to the next complete batch; false once the split has stopped (see `stop`). */
  next(): boolean {
    if (this.stop !== SplitStop.None) return false;
    const at = this.nextPosition;
    const remaining = this.end - at;
    if (remaining === 0) return this.halt(SplitStop.End, at);
    if (remaining < BATCH_LOG_OVERHEAD) return this.halt(SplitStop.PartialTail, at);
    const size = this.buffer.readInt32BE(at + BatchOffsets.batchLength) + BATCH_LOG_OVERHEAD;
    if (size < BATCH_HEADER_SIZE) return this.halt(SplitStop.Corrupt, at, size);
    if (remaining > BatchOffsets.magic && this.buffer[at + BatchOffsets.magic] !== CURRENT_MAGIC) {
      return this.halt(SplitStop.Corrupt, at, size);
    }
    if (remaining < size) return this.halt(SplitStop.PartialTail, at, size);
    this.position = at;
    this.size = size;
    this.nextPosition = at + size;
    this.view.wrap(this.buffer, at, at + size);
    return true;
  }

  /** The error to report when the split stopped on Corrupt (or on PartialTail where a tail is not allowed). */
  stopError(): ProtocolError | null {
    if (this.stop === SplitStop.Corrupt) {
      const magic = this.end - this.stopPosition > BatchOffsets.magic ? this.buffer[this.stopPosition + BatchOffsets.magic] : -1;
      return this.declaredSize < BATCH_HEADER_SIZE
        ? corruptBatch(`record batch at position ${this.stopPosition} declares ${this.declaredSize} bytes, below the ${BATCH_HEADER_SIZE}-byte minimum`)
        : corruptBatch(`record batch at position ${this.stopPosition} has unsupported magic ${magic}`);
    }
    if (this.stop === SplitStop.PartialTail) {
      return corruptBatch(`record batch at position ${this.stopPosition} is cut short (${this.end - this.stopPosition} of ${this.declaredSize} bytes)`);
    }
    return null;
  }

  private halt(stop: SplitStop, at: number, declaredSize = -1): false {
    this.stop = stop;
    this.stopPosition = at;
    this.declaredSize = declaredSize;
    return false;
  }
}
