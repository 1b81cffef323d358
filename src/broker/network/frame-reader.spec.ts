import { FrameReader, FrameTooLargeError } from './frame-reader';

const frame = (body: Buffer): Buffer => {
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(body.length);
  return Buffer.concat([prefix, body]);
};

function collect(reader: FrameReader, chunks: Buffer[]): Buffer[] {
  const frames: Buffer[] = [];
  for (const chunk of chunks) reader.push(chunk, (f) => frames.push(Buffer.from(f)));
  return frames;
}

describe('FrameReader', () => {
  const bodies = [Buffer.from('a'), Buffer.alloc(300, 7), Buffer.from('hello world'), Buffer.alloc(5000, 1)];
  const stream = Buffer.concat(bodies.map(frame));

  it('yields frames from one chunk holding several', () => {
    expect(collect(new FrameReader(1 << 20), [stream])).toEqual(bodies);
  });

  it('yields the same frames whatever the chunk boundaries', () => {
    for (const step of [1, 2, 3, 4, 5, 7, 64, 1000]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < stream.length; i += step) chunks.push(stream.subarray(i, i + step));
      expect(collect(new FrameReader(1 << 20), chunks)).toEqual(bodies);
    }
  });

  it('keeps only the bytes of an incomplete frame', () => {
    const reader = new FrameReader(1 << 20);
    expect(collect(reader, [stream.subarray(0, 10)])).toEqual([bodies[0]]);
    expect(reader.pendingBytes).toBeLessThan(10);
  });

  it('rejects a size over the limit before buffering its body', () => {
    const reader = new FrameReader(100);
    const header = Buffer.alloc(4);
    header.writeInt32BE(101);
    expect(() => reader.push(header, () => undefined)).toThrow(FrameTooLargeError);
  });

  it('rejects a size over the limit even when its prefix arrives byte by byte', () => {
    const reader = new FrameReader(100);
    const header = Buffer.alloc(4);
    header.writeInt32BE(2 ** 31 - 1);
    reader.push(header.subarray(0, 2), () => undefined);
    expect(() => reader.push(header.subarray(2), () => undefined)).toThrow(FrameTooLargeError);
  });

  it('rejects a negative size', () => {
    expect(() => new FrameReader(100).push(Buffer.from([0xff, 0xff, 0xff, 0xfe]), () => undefined)).toThrow(/negative/);
  });
});
