/**
 * The scheduler's pending records: (due time, queue offset) pairs in two typed arrays, so a
 * million held records cost 16 MB and no object each. The record itself stays in the queue's
 * log and is read back when due.
 */
export interface PendingQueue {
  readonly size: number;
  push(dueMs: number, offset: number): void;
  /** The earliest due time, NaN when empty. */
  peekDue(): number;
  /** Removes the earliest entry and returns its offset (call only when size > 0). */
  pop(): number;
  /** The smallest offset held, NaN when empty (how far the queue's log is still needed). */
  minOffset(): number;
}

/**
 * A level's queue: every record of a level waits the same time, so records arrive in due
 * order and a FIFO is already sorted — nothing is compared. A ring buffer that doubles.
 */
export class FifoQueue implements PendingQueue {
  private dues = new Float64Array(1024);
  private offsets = new Float64Array(1024);
  private head = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(dueMs: number, offset: number): void {
    if (this.count === this.dues.length) this.grow();
    const at = (this.head + this.count) % this.dues.length;
    this.dues[at] = dueMs;
    this.offsets[at] = offset;
    this.count++;
  }

  peekDue(): number {
    return this.count === 0 ? NaN : this.dues[this.head];
  }

  pop(): number {
    const offset = this.offsets[this.head];
    this.head = (this.head + 1) % this.dues.length;
    this.count--;
    return offset;
  }

  minOffset(): number {
    return this.count === 0 ? NaN : this.offsets[this.head];
  }

  private grow(): void {
    const capacity = this.dues.length * 2;
    const dues = new Float64Array(capacity);
    const offsets = new Float64Array(capacity);
    for (let i = 0; i < this.count; i++) {
      const from = (this.head + i) % this.dues.length;
      dues[i] = this.dues[from];
      offsets[i] = this.offsets[from];
    }
    this.dues = dues;
    this.offsets = offsets;
    this.head = 0;
  }
}

/**
 * The deliver-at queue: a binary min-heap by due time (ties by offset, so equal times
 * leave in produce order). The root is checked on each tick; push and pop are O(log n).
 */
export class MinHeap implements PendingQueue {
  private dues = new Float64Array(1024);
  private offsets = new Float64Array(1024);
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(dueMs: number, offset: number): void {
    if (this.count === this.dues.length) {
      const dues = new Float64Array(this.dues.length * 2);
      const offsets = new Float64Array(this.dues.length * 2);
      dues.set(this.dues);
      offsets.set(this.offsets);
      this.dues = dues;
      this.offsets = offsets;
    }
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(dueMs, offset, this.dues[parent], this.offsets[parent])) break;
      this.dues[i] = this.dues[parent];
      this.offsets[i] = this.offsets[parent];
      i = parent;
    }
    this.dues[i] = dueMs;
    this.offsets[i] = offset;
  }

  peekDue(): number {
    return this.count === 0 ? NaN : this.dues[0];
  }

  pop(): number {
    const top = this.offsets[0];
    const last = --this.count;
    const due = this.dues[last];
    const offset = this.offsets[last];
    let i = 0;
    while (true) {
      let child = 2 * i + 1;
      if (child >= last) break;
      if (child + 1 < last && this.before(this.dues[child + 1], this.offsets[child + 1], this.dues[child], this.offsets[child])) child++;
      if (!this.before(this.dues[child], this.offsets[child], due, offset)) break;
      this.dues[i] = this.dues[child];
      this.offsets[i] = this.offsets[child];
      i = child;
    }
    if (last > 0) {
      this.dues[i] = due;
      this.offsets[i] = offset;
    }
    return top;
  }

  /** O(n): read for statistics and log trimming, not per record. */
  minOffset(): number {
    let min = NaN;
    for (let i = 0; i < this.count; i++) if (!(this.offsets[i] >= min)) min = this.offsets[i];
    return min;
  }

  private before(dueA: number, offsetA: number, dueB: number, offsetB: number): boolean {
    return dueA < dueB || (dueA === dueB && offsetA < offsetB);
  }
}
