import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { CompressionCodec, corruptPayload, expansionExceeded } from './compression-codec';

/**
 * GZIP as Java's GZIPOutputStream writes it (RFC 1952). Node's inflater stops with
 * ERR_BUFFER_TOO_LARGE once its output passes maxOutputLength, so the cap bounds the
 * allocation, not just the result.
 */
export const gzipCodec: CompressionCodec = {
  name: 'gzip',
  compress(data) {
    // Kafka's default gzip level; level 9 costs ~3x the CPU for a few percent.
    return gzipSync(data, { level: constants.Z_DEFAULT_COMPRESSION });
  },
  decompress(data, maxOutput) {
    let out: Buffer;
    try {
      out = gunzipSync(data, { maxOutputLength: Math.max(1, maxOutput) });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw expansionExceeded('gzip', maxOutput);
      throw corruptPayload('gzip', (err as Error).message);
    }
    if (out.length > maxOutput) throw expansionExceeded('gzip', maxOutput);
    return out;
  },
};
