import { ProtocolError } from '../../protocol';

const SIZE_PREFIX = 4;

/**
 * Splits the byte stream from a broker into response frames (int32 size, then `size`
 * bytes), however TCP cut or coalesced them. A frame that lies wholly inside one
 * chunk is handed out as a slice of it, without a copy, so a Fetch response's record
 * batches stay views into the socket's own buffer. A frame spread over chunks gets
 * one buffer of its exact size as soon as its size is known, and every later chunk is
 * copied into it once: no repeated concatenation, however many pieces it comes in.
 *
 * Frames are handed out without their size prefix. A size below zero or above
 * `maxFrameBytes` is a broken stream: ProtocolError, after which the connection must go.
 */
export class ResponseFrameReader {
  /** The frame being gathered once its size is known. */
  private partial: Buffer | null = null;
  private partialFilled = 0;
  /** Size-prefix bytes that arrived without the rest of the prefix. */
  private readonly prefix = Buffer.alloc(SIZE_PREFIX);
  private prefixFilled = 0;

  constructor(private readonly maxFrameBytes: number) {}

  /** Bytes held for a frame that is not complete yet. */
  get pendingBytes(): number {
    return this.partial ? this.partialFilled : this.prefixFilled;
  }

  push(chunk: Buffer, onFrame: (frame: Buffer) => void): void {
    let offset = 0;
    const length = chunk.length;
    if (this.partial) {
      offset = this.fillPartial(chunk, 0, onFrame);
      if (offset < 0) return;
    } else if (this.prefixFilled > 0) {
      const take = Math.min(SIZE_PREFIX - this.prefixFilled, length);
      chunk.copy(this.prefix, this.prefixFilled, 0, take);
      this.prefixFilled += take;
      if (this.prefixFilled < SIZE_PREFIX) return;
      this.prefixFilled = 0;
      offset = this.startFrame(this.checkedSize(this.prefix.readInt32BE(0)), chunk, take, onFrame);
      if (offset < 0) return;
    }
    while (length - offset >= SIZE_PREFIX) {
      const size = this.checkedSize(chunk.readInt32BE(offset));
      offset = this.startFrame(size, chunk, offset + SIZE_PREFIX, onFrame);
      if (offset < 0) return;
    }
    if (offset < length) {
      chunk.copy(this.prefix, 0, offset, length);
      this.prefixFilled = length - offset;
    }
  }

  /** A frame of `size` whose body starts at `bodyStart`; returns where the next frame starts, or -1 if the chunk is used up. */
  private startFrame(size: number, chunk: Buffer, bodyStart: number, onFrame: (frame: Buffer) => void): number {
    const bodyEnd = bodyStart + size;
    if (bodyEnd <= chunk.length) {
      onFrame(chunk.subarray(bodyStart, bodyEnd));
      return bodyEnd;
    }
    this.partial = Buffer.allocUnsafe(size);
    this.partialFilled = 0;
    return this.fillPartial(chunk, bodyStart, onFrame);
  }

  private fillPartial(chunk: Buffer, from: number, onFrame: (frame: Buffer) => void): number {
    const frame = this.partial!;
    const take = Math.min(frame.length - this.partialFilled, chunk.length - from);
    chunk.copy(frame, this.partialFilled, from, from + take);
    this.partialFilled += take;
    if (this.partialFilled < frame.length) return -1;
    this.partial = null;
    this.partialFilled = 0;
    onFrame(frame);
    return from + take;
  }

  private checkedSize(size: number): number {
    if (size < 0 || size > this.maxFrameBytes) {
      throw new ProtocolError(`response frame of ${size} bytes is outside [0, ${this.maxFrameBytes}]: the stream is broken`);
    }
    return size;
  }
}
