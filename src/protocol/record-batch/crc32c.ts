import { crc32cSoftware } from './crc32c-software';

/**
 * CRC-32C (Castagnoli), the checksum of RecordBatch v2. One entry point so the
 * implementation can be swapped after bench/protocol.ts compares candidates.
 */
type Crc32cNative = (input: Uint8Array, initialState?: number | null) => number;

function loadNative(): Crc32cNative | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional native module, loaded lazily so a missing binary is survivable
    return (require('@node-rs/crc32') as { crc32c: Crc32cNative }).crc32c;
  } catch {
    // No prebuilt binary for this platform: the TypeScript implementation is correct, only slower.
    return undefined;
  }
}

const native = loadNative();

export function crc32c(data: Buffer, start = 0, end = data.length): number {
  if (native === undefined) return crc32cSoftware(data, start, end);
  const view = start === 0 && end === data.length ? data : data.subarray(start, end);
  return native(view) >>> 0;
}
