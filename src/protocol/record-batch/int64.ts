/**
 * Batch int64 fields (offsets, timestamps, producer ids) as JS numbers, the codec's
 * convention: they stay below 2^53, and a number avoids a BigInt per read. The high
 * word carries the sign, so -1 (no producer id) round-trips.
 */
export function readInt64(buf: Buffer, offset: number): number {
  return buf.readInt32BE(offset) * 4294967296 + buf.readUInt32BE(offset + 4);
}

export function writeInt64(buf: Buffer, offset: number, value: number): void {
  const high = Math.floor(value / 4294967296);
  buf.writeInt32BE(high, offset);
  buf.writeUInt32BE(value - high * 4294967296, offset + 4);
}
