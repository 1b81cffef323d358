import { ErrorCode } from '../../protocol';
import { ClientClosedError, KafkaClientError, KafkaTimeoutError } from '../errors';

interface Waiter {
  readonly size: number;
  readonly resolve: (buffer: Buffer) => void;
  readonly reject: (err: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * buffer.memory: the bytes the producer may hold in unsent and unacknowledged batches,
 * as Kafka's BufferPool keeps them. Buffers of exactly batch.size come back to a free
 * list when their batch is done and are handed out again, so a steady producer
 * allocates no new batch memory; other sizes (a record larger than batch.size, a
 * compressed batch) are only counted.
 *
 * When the memory is used up, allocation waits, first come first served, until a batch
 * completes, and fails after max.block.ms with KafkaTimeoutError, as send() does in
 * Java. `tryAllocate` never waits and never jumps the queue.
 */
export class BufferPool {
  private readonly free: Buffer[] = [];
  /** Memory neither handed out nor sitting in the free list. */
  private unallocated: number;
  private readonly waiters: Waiter[] = [];
  private closedWith: Error | null = null;

  constructor(
    readonly totalMemory: number,
    readonly poolableSize: number,
  ) {
    this.unallocated = totalMemory;
  }

  /** Bytes that could be handed out now. */
  get availableMemory(): number {
    return this.unallocated + this.free.length * this.poolableSize;
  }

  /** Allocations waiting for memory. */
  get queued(): number {
    return this.waiters.length;
  }

  /** A buffer of `size` bytes if memory is free and nobody is waiting; else undefined. */
  tryAllocate(size: number): Buffer | undefined {
    this.checkSize(size);
    if (this.waiters.length > 0) return undefined;
    return this.take(size);
  }

  /** A buffer of `size` bytes, waiting up to `maxBlockMs` for memory to be freed. */
  allocate(size: number, maxBlockMs: number): Promise<Buffer> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    try {
      this.checkSize(size);
    } catch (err) {
      return Promise.reject(err);
    }
    const now = this.waiters.length === 0 ? this.take(size) : undefined;
    if (now) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { size, resolve, reject, timer: undefined };
      waiter.timer = setTimeout(() => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(new KafkaTimeoutError(`Failed to allocate ${size} bytes within the configured max blocking time ${maxBlockMs} ms (buffer.memory ${this.totalMemory})`));
        // A big request that gave up may have been holding back smaller ones behind it.
        this.serveWaiters();
      }, maxBlockMs);
      this.waiters.push(waiter);
    });
  }

  /** Returns a buffer from allocate/tryAllocate. */
  deallocate(buffer: Buffer): void {
    if (buffer.length === this.poolableSize && buffer.byteOffset === 0 && buffer.buffer.byteLength === buffer.length) this.free.push(buffer);
    else this.unallocated += buffer.length;
    this.serveWaiters();
  }

  /** Counts `bytes` as used without a buffer (a compressed batch's output); false when not free. */
  tryReserve(bytes: number): boolean {
    if (this.waiters.length > 0 || this.availableMemory < bytes) return false;
    this.freeUp(bytes);
    this.unallocated -= bytes;
    return true;
  }

  /** Counts `bytes` as used even past the limit (memory already allocated elsewhere that must be accounted). */
  forceReserve(bytes: number): void {
    this.freeUp(Math.min(bytes, this.availableMemory));
    this.unallocated -= bytes;
  }

  /** Gives back what tryReserve/forceReserve counted. */
  release(bytes: number): void {
    this.unallocated += bytes;
    this.serveWaiters();
  }

  /** Fails every waiting allocation and any later one. */
  close(): void {
    this.closedWith = new ClientClosedError('the producer');
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(this.closedWith);
    }
  }

  private checkSize(size: number): void {
    if (size > this.totalMemory) {
      throw new KafkaClientError(
        ErrorCode.MESSAGE_TOO_LARGE,
        `Attempt to allocate ${size} bytes, but there is a hard limit of ${this.totalMemory} on memory allocations (buffer.memory)`,
        { retriable: false },
      );
    }
  }

  private take(size: number): Buffer | undefined {
    if (size === this.poolableSize && this.free.length > 0) return this.free.pop();
    if (this.availableMemory < size) return undefined;
    this.freeUp(size);
    this.unallocated -= size;
    return Buffer.allocUnsafeSlow(size);
  }

  /** Drops pooled buffers until `size` bytes are unallocated. */
  private freeUp(size: number): void {
    while (this.unallocated < size && this.free.length > 0) {
      this.free.pop();
      this.unallocated += this.poolableSize;
    }
  }

  private serveWaiters(): void {
    while (this.waiters.length > 0) {
      const head = this.waiters[0];
      const buffer = this.take(head.size);
      if (!buffer) return;
      this.waiters.shift();
      clearTimeout(head.timer);
      head.resolve(buffer);
    }
  }
}
