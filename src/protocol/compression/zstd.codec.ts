import * as zstd from 'zstd-napi/binding';
import { ProtocolError } from '../protocol-error';
import { CompressionCodec, corruptPayload, expansionExceeded } from './compression-codec';

/**
 * Zstandard frames (RFC 8878), as Kafka ≥ 2.1 writes them (Produce v7+). The
 * streaming decoder writes into a buffer we size, so the cap is enforced as the
 * output grows; a declared frame content size only picks the first allocation.
 * zstd itself may allocate a window of up to 2^27 bytes (its default windowLogMax)
 * for a frame that asks for one; that is the library's bound, not ours.
 */
const COMPRESSION_LEVEL = 3; // Kafka's default zstd level
const MIN_GUESS = 16 * 1024;

let cctx: zstd.CCtx | undefined;
let dctx: zstd.DCtx | undefined;

function compress(data: Buffer): Buffer {
  cctx ??= new zstd.CCtx();
  const out = Buffer.allocUnsafe(zstd.compressBound(data.length));
  const size = cctx.compress(out, data, COMPRESSION_LEVEL);
  return out.subarray(0, size);
}

function decompress(data: Buffer, maxOutput: number): Buffer {
  dctx ??= new zstd.DCtx();
  let declared: number | null = null;
  try {
    declared = zstd.getFrameContentSize(data);
  } catch (err) {
    throw corruptPayload('zstd', (err as Error).message);
  }
  if (declared !== null && declared > maxOutput) throw expansionExceeded('zstd', maxOutput);
  // One byte over the cap lets "exactly at the cap" and "past it" be told apart.
  const limit = maxOutput + 1;
  let out = Buffer.allocUnsafe(Math.min(limit, declared ?? Math.max(MIN_GUESS, data.length * 4)));
  let produced = 0;
  let src = data;
  dctx.reset(zstd.ResetDirective.sessionOnly);
  try {
    while (true) {
      const [hint, written, consumed] = dctx.decompressStream(out.subarray(produced), src);
      produced += written;
      src = src.subarray(consumed);
      if (produced > maxOutput) throw expansionExceeded('zstd', maxOutput);
      if (hint === 0 && src.length === 0) break; // last frame complete and flushed
      if (produced === out.length) {
        if (out.length >= limit) throw expansionExceeded('zstd', maxOutput);
        const grown = Buffer.allocUnsafe(Math.min(limit, out.length * 2));
        out.copy(grown, 0, 0, produced);
        out = grown;
      } else if (written === 0 && consumed === 0) {
        throw corruptPayload('zstd', 'truncated frame');
      }
    }
  } catch (err) {
    dctx.reset(zstd.ResetDirective.sessionOnly);
    if (err instanceof ProtocolError) throw err;
    throw corruptPayload('zstd', (err as Error).message);
  }
  return out.subarray(0, produced);
}

export const zstdCodec: CompressionCodec = { name: 'zstd', compress, decompress };
