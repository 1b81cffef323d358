import { RecordBatchSplitter } from '../../protocol/record-batch/record-batch-splitter';
import { RecordReader } from '../../protocol/record-batch/record-reader';
import type { QueueReplica } from './delay-cluster';

const READ_BYTES = 1024 * 1024;

/**
 * Reads a queue's records back by offset when they are due. Due records of a level are
 * consecutive in its log, so the reader keeps the last read (up to 1 MiB of whole batches)
 * and walks forward through it; only a jump backwards or past it reads the log again.
 */
export class HeldRecordReader {
  private bytes: Buffer = Buffer.alloc(0);
  private readonly split = new RecordBatchSplitter();
  private readonly reader = new RecordReader();
  private inBatch = false;
  private batchLast = -1;

  constructor(private readonly replica: QueueReplica) {}

  /** The reader positioned on the record at `offset`, or undefined when the log no longer holds it. */
  at(offset: number): RecordReader | undefined {
    const reachable = this.inBatch && (this.reader.index < 0 || this.reader.offset <= offset);
    if (reachable) {
      const found = this.seek(offset);
      if (found) return found;
    }
    this.load(offset);
    return this.seek(offset);
  }

  /** Walks forward from the current position through the loaded batches. */
  private seek(offset: number): RecordReader | undefined {
    while (this.inBatch || this.nextBatch()) {
      if (offset <= this.batchLast) {
        while (this.reader.index < 0 || this.reader.offset < offset) if (!this.reader.next()) break;
        if (this.reader.index >= 0 && this.reader.offset === offset) return this.reader;
        if (this.reader.index >= 0 && this.reader.offset > offset) return undefined;
      }
      this.inBatch = false;
    }
    return undefined;
  }

  private load(offset: number): void {
    this.inBatch = false;
    if (offset < this.replica.logStartOffset || offset >= this.replica.logEndOffset) {
      this.bytes = Buffer.alloc(0);
    } else {
      this.bytes = this.replica.read(offset, READ_BYTES, this.replica.logEndOffset);
    }
    this.split.reset(this.bytes);
  }

  private nextBatch(): boolean {
    while (this.split.next()) {
      const view = this.split.view;
      if (view.isControl) continue;
      view.recordReader(undefined, this.reader);
      this.batchLast = view.lastOffset;
      this.inBatch = true;
      return true;
    }
    return false;
  }
}
