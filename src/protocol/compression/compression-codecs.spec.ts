import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { compressFrameSync } from 'lz4-napi';
import { compressSync as snappyRaw } from 'snappy';
import * as zstd from 'zstd-napi/binding';
import { ProtocolError } from '../protocol-error';
import { CompressionType } from '../record-batch/record-batch-layout';
import { codecFor } from './compression-codecs';
import { isXerialFramed, snappyCodec } from './snappy.codec';
import { lz4Codec } from './lz4.codec';

const TYPES = [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];
const MiB = 1024 * 1024;

function expectCorrupt(fn: () => unknown): ProtocolError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).errorCode).toBe(2);
    return err as ProtocolError;
  }
  throw new Error('expected a ProtocolError');
}

describe.each(TYPES.map((type) => [CompressionType[type], type] as const))('compression codec %s', (_name, type) => {
  const codec = codecFor(type);

  it('round-trips empty, small, incompressible and multi-block payloads', () => {
    const payloads = [
      Buffer.alloc(0),
      Buffer.from('hello hello hello'),
      randomBytes(100_000),
      Buffer.alloc(3 * MiB, 'kafka record '),
    ];
    for (const payload of payloads) {
      const compressed = codec.compress(payload);
      expect(codec.decompress(compressed, payload.length).equals(payload)).toBe(true);
    }
  });

  it('rejects output past the cap with CORRUPT_MESSAGE', () => {
    const payload = Buffer.alloc(2 * MiB, 0);
    const compressed = codec.compress(payload);
    expect(compressed.length).toBeLessThan(payload.length / 10);
    expect(expectCorrupt(() => codec.decompress(compressed, payload.length - 1)).message).toMatch(/limit/);
    expect(codec.decompress(compressed, payload.length).length).toBe(payload.length);
  });

  it('reports garbage as CORRUPT_MESSAGE, never another error', () => {
    for (let i = 0; i < 50; i++) {
      const garbage = randomBytes(1 + (i * 7) % 200);
      try {
        codec.decompress(garbage, MiB);
      } catch (err) {
        expect(err).toBeInstanceOf(ProtocolError);
      }
    }
  });
});

describe('snappy framing', () => {
  it('writes the xerial framing the Java producer writes', () => {
    const framed = snappyCodec.compress(Buffer.alloc(100_000, 'x'));
    expect(isXerialFramed(framed)).toBe(true);
    expect(framed.readInt32BE(8)).toBe(1);
    expect(framed.readInt32BE(12)).toBe(1);
  });

  it('decodes a raw snappy block as librdkafka writes it', () => {
    const payload = Buffer.from('raw block written by librdkafka '.repeat(100));
    expect(snappyCodec.decompress(snappyRaw(payload), payload.length).equals(payload)).toBe(true);
  });

  it('checks the declared length of a raw block before decompressing', () => {
    // A 6-byte block that claims 4 GiB - 1 of output.
    const claim = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00]);
    expect(expectCorrupt(() => snappyCodec.decompress(claim, MiB)).message).toMatch(/limit/);
  });

  it('rejects a xerial chunk length that overruns the payload', () => {
    const framed = snappyCodec.compress(Buffer.from('abc'));
    framed.writeInt32BE(1000, 16);
    expectCorrupt(() => snappyCodec.decompress(framed, MiB));
  });
});

describe('lz4 framing', () => {
  it('rejects a frame whose declared content size passes the cap', () => {
    // magic, FLG with content size, BD 64K, size 2^40, HC, end mark
    const frame = Buffer.alloc(4 + 2 + 8 + 1 + 4);
    frame.writeUInt32LE(0x184d2204, 0);
    frame[4] = 0x68;
    frame[5] = 0x40;
    frame.writeUInt32LE(256, 10);
    expect(expectCorrupt(() => lz4Codec.decompress(frame, MiB)).message).toMatch(/limit/);
  });

  it('decodes frames written with block and content checksums', () => {
    const payload = Buffer.alloc(500_000, 'lz4 ');
    const frame = compressFrameSync(payload, { blockChecksums: true, contentChecksum: true });
    expect(lz4Codec.decompress(frame, payload.length).equals(payload)).toBe(true);
    // a cap of one byte more than needed changes nothing
    expect(lz4Codec.decompress(frame, payload.length + 1).equals(payload)).toBe(true);
  });

  it('gives a multi-block frame block by block, or joined', () => {
    // magic, FLG (version 01, independent blocks), BD 64K, HC (not checked), two stored blocks, end mark
    const blocks = [Buffer.from('first block, '), Buffer.from('second block')];
    const frame = Buffer.concat([
      Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x00]),
      ...blocks.flatMap((b) => [Buffer.from(Uint32Array.of((b.length | 0x80000000) >>> 0).buffer), b]),
      Buffer.alloc(4),
    ]);
    expect(lz4Codec.decompressParts!(frame, MiB).map(String)).toEqual(['first block, ', 'second block']);
    expect(lz4Codec.decompress(frame, MiB).toString()).toBe('first block, second block');
    expectCorrupt(() => lz4Codec.decompressParts!(frame, 20));
  });

  it('rejects dependent-block frames, which Kafka does not read', () => {
    const frame = lz4Codec.compress(Buffer.from('x'));
    frame[4] &= ~0x20;
    expectCorrupt(() => lz4Codec.decompress(frame, MiB));
  });
});

describe('gzip and zstd inputs from other writers', () => {
  it('gzip decodes the output of a best-compression writer', () => {
    const payload = Buffer.alloc(10_000, 'g');
    expect(codecFor(CompressionType.Gzip).decompress(gzipSync(payload, { level: 9 }), 10_000).equals(payload)).toBe(true);
  });

  it('zstd decodes a frame that does not declare its content size, within the cap', () => {
    const payload = Buffer.alloc(300_000, 'z');
    const cctx = new zstd.CCtx();
    cctx.setParameter(zstd.CParameter.contentSizeFlag, 0);
    const out = Buffer.alloc(zstd.compressBound(payload.length));
    const frame = out.subarray(0, cctx.compress2(out, payload));
    expect(zstd.getFrameContentSize(frame)).toBeNull();
    expect(codecFor(CompressionType.Zstd).decompress(frame, payload.length).equals(payload)).toBe(true);
    expectCorrupt(() => codecFor(CompressionType.Zstd).decompress(frame, payload.length - 1));
  });

  it('rejects an unknown compression type with UNSUPPORTED_COMPRESSION_TYPE', () => {
    expect(() => codecFor(5 as CompressionType)).toThrow(expect.objectContaining({ errorCode: 76 }));
  });
});
