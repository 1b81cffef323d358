import { randomBytes } from 'node:crypto';
import { ProtocolError } from '../../protocol';
import { ResponseFrameReader } from './response-frame-reader';

function framed(bodies: Buffer[]): Buffer {
  return Buffer.concat(bodies.flatMap((b) => [Buffer.from([b.length >>> 24, (b.length >>> 16) & 255, (b.length >>> 8) & 255, b.length & 255]), b]));
}

function collect(reader: ResponseFrameReader, chunks: Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  for (const c of chunks) reader.push(c, (f) => out.push(Buffer.from(f)));
  return out;
}

describe('ResponseFrameReader', () => {
  const bodies = [Buffer.alloc(0), randomBytes(1), randomBytes(3), randomBytes(5), randomBytes(300), randomBytes(70_000)];
  const stream = framed(bodies);

  it('splits coalesced frames out of one chunk as slices of it, without copying', () => {
    const seen: Buffer[] = [];
    new ResponseFrameReader(1 << 20).push(stream, (f) => seen.push(f));
    expect(seen.map((f) => f.toString('hex'))).toEqual(bodies.map((b) => b.toString('hex')));
    expect(seen.every((f) => f.buffer === stream.buffer)).toBe(true);
  });

  it('reassembles frames cut at every possible place, including inside the size prefix', () => {
    const small = framed(bodies.slice(0, 5));
    for (let cut = 0; cut <= small.length; cut++) {
      const got = collect(new ResponseFrameReader(1 << 20), [small.subarray(0, cut), small.subarray(cut)]);
      expect(got.map((f) => f.toString('hex'))).toEqual(bodies.slice(0, 5).map((b) => b.toString('hex')));
    }
  });

  it('reassembles a stream delivered one byte at a time and in random pieces', () => {
    const reader = new ResponseFrameReader(1 << 20);
    const oneByOne = collect(reader, [...framed(bodies.slice(0, 5))].map((b) => Buffer.from([b])));
    expect(oneByOne).toHaveLength(5);
    expect(reader.pendingBytes).toBe(0);
    for (let round = 0; round < 20; round++) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < stream.length; ) {
        const n = 1 + Math.floor(Math.random() * 9000);
        chunks.push(stream.subarray(at, at + n));
        at += n;
      }
      expect(Buffer.concat(collect(new ResponseFrameReader(1 << 20), chunks)).equals(Buffer.concat(bodies))).toBe(true);
    }
  });

  it('holds an incomplete frame until the rest arrives', () => {
    const reader = new ResponseFrameReader(1 << 20);
    const one = framed([randomBytes(100)]);
    expect(collect(reader, [one.subarray(0, 50)])).toEqual([]);
    expect(reader.pendingBytes).toBe(46);
    expect(collect(reader, [one.subarray(50)])).toHaveLength(1);
  });

  it('refuses a negative or oversized frame size', () => {
    expect(() => new ResponseFrameReader(1000).push(framed([Buffer.alloc(1001)]), () => undefined)).toThrow(ProtocolError);
    expect(() => new ResponseFrameReader(1000).push(Buffer.from([0xff, 0xff, 0xff, 0xff]), () => undefined)).toThrow(/outside/);
  });
});
