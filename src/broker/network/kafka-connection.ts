import type { Socket } from 'node:net';
import { FrameReader, FrameTooLargeError } from './frame-reader';

/** What a handler may know about the connection a request came in on. */
export interface ConnectionInfo {
  readonly id: number;
  readonly listenerName: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
}

/**
 * Handles one request frame (without its size prefix). Resolves with the response
 * as chunks (also without the size prefix; record data may be referenced, not
 * copied), or null when the request expects no response (Produce with acks=0).
 * Throwing closes the connection: that is Kafka's answer to a request it cannot
 * even parse a header from.
 */
export type RequestDispatcher = (frame: Buffer, connection: ConnectionInfo) => Promise<Buffer[] | null> | Buffer[] | null;

export interface ConnectionOptions {
  maxRequestBytes: number;
  idleTimeoutMs: number;
  /** Requests handled concurrently before the socket stops being read. */
  maxInFlight: number;
  onError?: (err: unknown, connection: ConnectionInfo) => void;
}

interface Slot {
  response: Buffer[] | null | undefined;
}

/**
 * One client connection. Requests pipeline: each frame is dispatched as soon as it
 * arrives, but responses go out strictly in request order, as Kafka clients rely on
 * (they match responses to requests by order as much as by correlation id).
 * Reading pauses while too many requests are in flight or the socket's write buffer
 * is full, so a fast producer cannot make us queue unbounded work.
 */
export class KafkaConnection {
  private readonly frames: FrameReader;
  private readonly slots: Slot[] = [];
  private closing = false;
  private readPaused = false;
  private drainedWaiters: Array<() => void> = [];

  constructor(
    private readonly socket: Socket,
    readonly info: ConnectionInfo,
    private readonly dispatch: RequestDispatcher,
    private readonly options: ConnectionOptions,
  ) {
    this.frames = new FrameReader(options.maxRequestBytes);
    socket.setNoDelay(true);
    socket.setTimeout(options.idleTimeoutMs);
    socket.on('timeout', () => {
      if (this.slots.length === 0) socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.updateReading());
    socket.on('error', (err) => this.options.onError?.(err, this.info));
    socket.on('close', () => this.settleDrained());
  }

  get inFlight(): number {
    return this.slots.length;
  }

  /** Stops reading new requests and resolves once every in-flight response is written. */
  async drain(): Promise<void> {
    this.closing = true;
    this.socket.pause();
    if (this.slots.length > 0 && !this.socket.destroyed) {
      await new Promise<void>((resolve) => this.drainedWaiters.push(resolve));
    }
  }

  close(): void {
    this.socket.end();
    this.socket.destroySoon?.();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    try {
      this.frames.push(chunk, (frame) => this.onFrame(frame));
    } catch (err) {
      // A negative or oversized size prefix: the stream cannot be resynchronised.
      this.options.onError?.(err instanceof FrameTooLargeError ? err : new Error(String(err)), this.info);
      this.socket.destroy();
    }
  }

  private onFrame(frame: Buffer): void {
    const slot: Slot = { response: undefined };
    this.slots.push(slot);
    let result: Promise<Buffer[] | null> | Buffer[] | null;
    try {
      result = this.dispatch(frame, this.info);
    } catch (err) {
      this.fail(err);
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (response) => this.complete(slot, response),
        (err) => this.fail(err),
      );
    } else {
      this.complete(slot, result);
    }
    this.updateReading();
  }

  private complete(slot: Slot, response: Buffer[] | null): void {
    slot.response = response;
    this.flush();
  }

  private flush(): void {
    if (this.socket.destroyed) return;
    let wrote = false;
    while (this.slots.length > 0 && this.slots[0].response !== undefined) {
      const response = this.slots.shift()!.response;
      if (!response) continue;
      if (!wrote) this.socket.cork();
      wrote = true;
      let size = 0;
      for (const chunk of response) size += chunk.length;
      const prefix = Buffer.allocUnsafe(4);
      prefix.writeInt32BE(size, 0);
      this.socket.write(prefix);
      for (const chunk of response) this.socket.write(chunk);
    }
    if (wrote) this.socket.uncork();
    if (this.slots.length === 0) this.settleDrained();
    this.updateReading();
  }

  private fail(err: unknown): void {
    this.options.onError?.(err, this.info);
    this.slots.length = 0;
    this.socket.destroy();
    this.settleDrained();
  }

  private updateReading(): void {
    if (this.closing || this.socket.destroyed) return;
    const busy = this.slots.length >= this.options.maxInFlight || this.socket.writableNeedDrain;
    if (busy && !this.readPaused) {
      this.readPaused = true;
      this.socket.pause();
    } else if (!busy && this.readPaused) {
      this.readPaused = false;
      this.socket.resume();
    }
  }

  private settleDrained(): void {
    if (this.slots.length > 0 && !this.socket.destroyed) return;
    const waiters = this.drainedWaiters;
    this.drainedWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
