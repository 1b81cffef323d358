/**
 * Splits a TCP byte stream into Kafka frames: int32 size, then `size` bytes.
 *
 * The claimed size is checked against socket.request.max.bytes before anything is
 * buffered for it, and the frame's bytes are only gathered once they have all
 * arrived: a peer that announces 100 MB and sends nothing costs us nothing. Frames
 * that sit wholly inside one chunk are zero-copy slices of it; a frame spread over
 * chunks is joined with a single copy.
 */
export class FrameTooLargeError extends Error {
  override readonly name = 'FrameTooLargeError';
  constructor(readonly size: number, readonly limit: number) {
    super(size < 0 ? `negative frame size ${size}` : `frame of ${size} bytes exceeds socket.request.max.bytes=${limit}`);
  }
}

const SIZE_PREFIX = 4;

export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Size of the frame being gathered, or -1 while its size prefix is incomplete. */
  private expected = -1;

  constructor(private readonly maxFrameBytes: number) {}

  /** Feeds bytes; calls `onFrame` for every complete frame. Throws FrameTooLargeError. */
  push(chunk: Buffer, onFrame: (frame: Buffer) => void): void {
    let offset = 0;
    if (this.buffered > 0 || this.expected >= 0) {
      offset = this.completePending(chunk, onFrame);
      if (offset < 0) return;
    }
    // Fast path: whole frames inside this chunk.
    while (chunk.length - offset >= SIZE_PREFIX) {
      const size = this.checkedSize(chunk.readInt32BE(offset));
      if (chunk.length - offset - SIZE_PREFIX < size) break;
      onFrame(chunk.subarray(offset + SIZE_PREFIX, offset + SIZE_PREFIX + size));
      offset += SIZE_PREFIX + size;
    }
    if (offset < chunk.length) this.stash(chunk.subarray(offset));
  }

  /** Bytes held for an incomplete frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /**
   * Adds `chunk` to the pending partial frame. Returns the offset in `chunk` where
   * unconsumed bytes start once the pending frame is complete, or -1 if the whole
   * chunk was absorbed and the frame is still incomplete.
   */
  private completePending(chunk: Buffer, onFrame: (frame: Buffer) => void): number {
    if (this.expected < 0) {
      const need = SIZE_PREFIX - this.buffered;
      if (chunk.length < need) {
        this.stash(chunk);
        return -1;
      }
      const prefix = Buffer.concat([...this.chunks, chunk.subarray(0, need)], SIZE_PREFIX);
      this.expected = this.checkedSize(prefix.readInt32BE(0));
      this.chunks = [];
      this.buffered = 0;
      chunk = chunk.subarray(need);
      const consumed = this.takeBody(chunk, onFrame);
      return consumed < 0 ? -1 : need + consumed;
    }
    return this.takeBody(chunk, onFrame);
  }

  /** Body bytes of the frame whose size is known; same return contract as above. */
  private takeBody(chunk: Buffer, onFrame: (frame: Buffer) => void): number {
    const need = this.expected - this.buffered;
    if (chunk.length < need) {
      if (chunk.length > 0) this.stash(chunk);
      return -1;
    }
    const frame = this.chunks.length === 0 ? chunk.subarray(0, need) : Buffer.concat([...this.chunks, chunk.subarray(0, need)], this.expected);
    this.chunks = [];
    this.buffered = 0;
    this.expected = -1;
    onFrame(frame);
    return need;
  }

  private stash(bytes: Buffer): void {
    this.chunks.push(bytes);
    this.buffered += bytes.length;
    if (this.expected < 0 && this.buffered >= SIZE_PREFIX) {
      // The size prefix itself arrived split: resolve it now so the limit is enforced early.
      const all = Buffer.concat(this.chunks, this.buffered);
      this.expected = this.checkedSize(all.readInt32BE(0));
      const rest = all.subarray(SIZE_PREFIX);
      this.chunks = rest.length ? [rest] : [];
      this.buffered = rest.length;
    }
  }

  private checkedSize(size: number): number {
    if (size < 0 || size > this.maxFrameBytes) throw new FrameTooLargeError(size, this.maxFrameBytes);
    return size;
  }
}
