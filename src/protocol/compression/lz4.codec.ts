import { compressFrameSync, uncompressSync } from 'lz4-napi';
import { CompressionCodec, corruptPayload, expansionExceeded } from './compression-codec';

/**
 * LZ4 as Kafka frames it: the standard LZ4 frame format (Kafka's Lz4BlockOutputStream),
 * with a correct header checksum for magic ≥ 1 (only magic 0 wrote a broken one).
 *
 *   0  magic  0x184D2204 (LE)
 *   4  FLG    bits 7-6 version (01), 5 block independence (Kafka requires 1),
 *             4 block checksum, 3 content size, 2 content checksum, 1-0 reserved (0)
 *   5  BD     bits 6-4 max block size: 4=64K 5=256K 6=1M 7=4M
 *   6  [content size uint64 LE, if FLG bit 3]
 *      HC     1 byte, (xxh32(descriptor) >> 8) & 0xff
 *      blocks [uint32 LE size, high bit = stored uncompressed][data][xxh32, if block checksum]
 *      end    uint32 0, then [xxh32 of content, if content checksum]
 *
 * lz4-napi's frame decoder takes no output limit (and measured ~10x slower than its
 * block decoder on a 1 MB batch). So the frame is walked here and each block goes
 * through the native block decoder, limited to what is left of the cap. The xxh32
 * header and block checksums are not verified: the batch's CRC-32C already covers
 * these bytes.
 */
const LZ4_MAGIC = 0x184d2204;
const UNCOMPRESSED_BLOCK = 0x80000000;
const BLOCK_SIZES: Record<number, number> = { 4: 64 * 1024, 5: 256 * 1024, 6: 1024 * 1024, 7: 4 * 1024 * 1024 };

interface FrameLayout {
  /** Offset of the first block header. */
  firstBlock: number;
  maxBlockSize: number;
  blockChecksum: boolean;
}

function readFrameLayout(data: Buffer, maxOutput: number): FrameLayout {
  if (data.length < 7 || data.readUInt32LE(0) !== LZ4_MAGIC) throw corruptPayload('lz4', 'not an LZ4 frame');
  const flg = data[4];
  if ((flg & 0x03) !== 0 || flg >> 6 !== 1) throw corruptPayload('lz4', `unsupported frame descriptor 0x${flg.toString(16)}`);
  if ((flg & 0x20) === 0) throw corruptPayload('lz4', 'dependent blocks are unsupported');
  const maxBlockSize = BLOCK_SIZES[(data[5] >> 4) & 0x07];
  if (maxBlockSize === undefined) throw corruptPayload('lz4', 'invalid block maximum size');
  let pos = 6;
  if (flg & 0x08) {
    if (data.length < pos + 9) throw corruptPayload('lz4', 'truncated frame descriptor');
    const declared = data.readUInt32LE(pos + 4) * 2 ** 32 + data.readUInt32LE(pos);
    if (declared > maxOutput) throw expansionExceeded('lz4', maxOutput);
    pos += 8;
  }
  pos += 1; // HC
  const firstBlock = pos;
  const blockChecksum = (flg & 0x10) !== 0;
  while (true) {
    if (pos + 4 > data.length) throw corruptPayload('lz4', 'truncated block header');
    const word = data.readUInt32LE(pos);
    pos += 4;
    if (word === 0) break;
    const size = word & 0x7fffffff;
    if (size > maxBlockSize) throw corruptPayload('lz4', `block of ${size} bytes exceeds the frame's ${maxBlockSize}`);
    pos += size + (blockChecksum ? 4 : 0);
    if (pos > data.length) throw corruptPayload('lz4', 'truncated block');
  }
  return { firstBlock, maxBlockSize, blockChecksum };
}

let stagingBuffer = Buffer.alloc(0);

function stagingFor(maxBlockSize: number): Buffer {
  const wanted = 4 + maxBlockSize;
  if (stagingBuffer.length < wanted) stagingBuffer = Buffer.allocUnsafe(wanted);
  return stagingBuffer;
}

function decompressBlocks(data: Buffer, layout: FrameLayout, maxOutput: number): Buffer[] {
  const parts: Buffer[] = [];
  // lz4-napi's block decoder reads its output limit from a 4-byte LE prefix and fails
  // when the block would produce more; each block is staged behind one in this buffer,
  // kept between calls (decompression is synchronous) rather than allocated per batch.
  const staging = stagingFor(layout.maxBlockSize);
  let produced = 0;
  let pos = layout.firstBlock;
  while (true) {
    const word = data.readUInt32LE(pos);
    pos += 4;
    if (word === 0) break;
    const size = word & 0x7fffffff;
    const left = maxOutput - produced;
    let block: Buffer;
    if (word & UNCOMPRESSED_BLOCK) {
      if (size > left) throw expansionExceeded('lz4', maxOutput);
      block = data.subarray(pos, pos + size);
    } else {
      staging.writeUInt32LE(Math.min(layout.maxBlockSize, left), 0);
      data.copy(staging, 4, pos, pos + size);
      try {
        block = uncompressSync(staging.subarray(0, 4 + size));
      } catch (err) {
        if (/too small/.test((err as Error).message)) throw expansionExceeded('lz4', maxOutput);
        throw corruptPayload('lz4', (err as Error).message);
      }
    }
    parts.push(block);
    produced += block.length;
    pos += size + (layout.blockChecksum ? 4 : 0);
  }
  return parts;
}

export const lz4Codec: CompressionCodec = {
  name: 'lz4',
  compress(data) {
    return compressFrameSync(data);
  },
  decompress(data, maxOutput) {
    const parts = decompressBlocks(data, readFrameLayout(data, maxOutput), maxOutput);
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  },
  decompressParts(data, maxOutput) {
    return decompressBlocks(data, readFrameLayout(data, maxOutput), maxOutput);
  },
};
