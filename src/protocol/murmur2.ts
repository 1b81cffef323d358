// Kafka's key hashing, shared by the SDK's partitioner and the broker's delay scheduler
// (a due record lands where a keyed record from any Kafka client would).

const SEED = 0x9747b28c | 0;
const M = 0x5bd1e995;
const R = 24;

/**
 * MurmurHash2, 32-bit, seed 0x9747b28c: Kafka's Utils.murmur2. Java's int arithmetic is
 * reproduced with Math.imul and `| 0`; the one to three tail bytes are mixed in as
 * the Java switch's fall-through does.
 */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length & 3;
  if (tail === 3) h ^= data[whole + 2] << 16;
  if (tail >= 2) h ^= data[whole + 1] << 8;
  if (tail >= 1) {
    h ^= data[whole];
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h;
}

/** Kafka's Utils.toPositive: drops the sign bit (not Math.abs, which differs for MIN_VALUE). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/** The partition Kafka's producer picks for a serialized key. */
export function partitionForKey(keyBytes: Uint8Array, numPartitions: number): number {
  return toPositive(murmur2(keyBytes)) % numPartitions;
}
