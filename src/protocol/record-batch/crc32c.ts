import { crc32c as nativeCrc32c } from '@node-rs/crc32';

/**
 * CRC-32C (Castagnoli), the checksum of RecordBatch v2. One entry point so the
 * implementation can be swapped after bench/protocol.ts compares candidates.
 */
export function crc32c(data: Buffer, start = 0, end = data.length): number {
  const view = start === 0 && end === data.length ? data : data.subarray(start, end);
  return nativeCrc32c(view) >>> 0;
}
