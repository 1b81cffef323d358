import { crc32cSoftware } from './crc32c-software';

/**
 * CRC-32C (Castagnoli), the checksum of RecordBatch v2. One entry point so the
 * implementation can be swapped after bench/protocol.ts compares candidates.
 *
 * Measured with `npm run bench -- protocol` (Node 20, 2-core AMD EPYC, busy host), MB/s:
 *
 *   bytes               64    256   1 KiB  16 KiB  1.1 MB
 *   TS slice-by-8      835    766   1,166   1,058     961
 *   @node-rs/crc32     320  1,038   3,261   5,353   5,187   (without the subarray a range needs)
 *
 * A native call costs a fixed ~150-200 ns (plus a subarray for a range), which a
 * small batch never earns back; from ~512 bytes the native SSE4.2 loop is 2-5x
 * faster. So ranges under SMALL_INPUT go to TypeScript and larger ones to
 * @node-rs/crc32 (prebuilt binaries, installs without a compiler). The TypeScript
 * version also stands in if the native binary fails to load on some platform.
 */
type Crc32cNative = (input: Uint8Array, initialState?: number | null) => number;

const SMALL_INPUT = 512;

function loadNative(): Crc32cNative | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional native module, loaded lazily so a missing binary is survivable
    return (require('@node-rs/crc32') as { crc32c: Crc32cNative }).crc32c;
  } catch {
    return undefined;
  }
}

const native = loadNative();

export function crc32c(data: Buffer, start = 0, end = data.length): number {
  if (native === undefined || end - start < SMALL_INPUT) return crc32cSoftware(data, start, end);
  const view = start === 0 && end === data.length ? data : data.subarray(start, end);
  return native(view) >>> 0;
}
