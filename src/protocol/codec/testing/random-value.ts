import { FieldStep, Kind, Mode, StructPlan } from '../struct-plan';

/**
 * Test support: deterministic pseudo-random values shaped by a compiled plan, and a
 * measure of how much a decoded value holds. Fields absent at the plan's version get
 * their defaults, so a generated value is exactly what decoding its encoding returns.
 */

/** mulberry32: small, fast, good enough to spread values; deterministic per seed. */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let x = this.state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.int(0, 255);
    return b;
  }
}

const TEXT_PIECES = ['a', 'topic', '-', '.', '_', '0', 'é', 'ß', '漢', '😀', ' ', 'Z'];
const INT64_EDGES = [0, -1, 1, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 32, -(2 ** 32), 1700000000000];

export interface RandomOptions {
  /** Longest generated array (default 3). */
  maxArray?: number;
  /** Chance of null for a field nullable at this version (default 0.2). */
  nullChance?: number;
  /** Chance that a tagged field keeps its default and is left off the wire (default 0.3). */
  defaultTaggedChance?: number;
  /** Longest bytes/records value (default 40). */
  maxBytes?: number;
}

export function randomStruct(plan: StructPlan, rng: Prng, opts: RandomOptions = {}, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of plan.fields) {
    if (f.mode === Mode.Absent || (f.mode === Mode.Tagged && rng.chance(opts.defaultTaggedChance ?? 0.3))) {
      out[f.name] = f.defaultValue();
    } else {
      out[f.name] = randomField(f, rng, opts, depth);
    }
  }
  return out;
}

export function randomField(f: FieldStep, rng: Prng, opts: RandomOptions = {}, depth = 0): unknown {
  if (f.nullable && rng.chance(opts.nullChance ?? 0.2)) return null;
  switch (f.kind) {
    case Kind.Bool:
      return rng.chance(0.5);
    case Kind.Int8:
      return rng.int(-128, 127);
    case Kind.Int16:
      return rng.int(-32768, 32767);
    case Kind.Uint16:
      return rng.int(0, 65535);
    case Kind.Int32:
      return rng.chance(0.2) ? rng.pick([0, -1, 2147483647, -2147483648]) : rng.int(-2147483648, 2147483647);
    case Kind.Uint32:
      return rng.int(0, 4294967295);
    case Kind.Int64:
      return rng.chance(0.5) ? rng.pick(INT64_EDGES) : rng.int(-(2 ** 53 - 1), 2 ** 53 - 1);
    case Kind.Float64:
      return rng.pick([0, 1.5, -2.25, Number.MAX_VALUE, Number.MIN_VALUE, rng.next() * 1e6]);
    case Kind.Uuid:
      return rng.bytes(16).toString('base64url');
    case Kind.String: {
      const n = rng.int(0, 8);
      let s = '';
      for (let i = 0; i < n; i++) s += rng.pick(TEXT_PIECES);
      return s;
    }
    case Kind.Bytes:
    case Kind.Records:
      return rng.bytes(rng.int(0, opts.maxBytes ?? 40));
    case Kind.Array: {
      const n = depth > 4 ? 0 : rng.int(0, opts.maxArray ?? 3);
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) {
        out.push(f.item!.kind === Kind.Struct ? randomStruct(f.item!.struct!, rng, opts, depth + 1) : randomField(f.item!, rng, opts, depth + 1));
      }
      return out;
    }
    case Kind.Struct:
      return randomStruct(f.struct!, rng, opts, depth + 1);
  }
}

/**
 * Array elements plus string characters plus byte lengths held by a decoded value.
 * Every element and character costs at least one byte of the frame, so a decoder that
 * never allocates beyond what the frame allows keeps this at or below the frame length.
 */
export function measureValue(v: unknown): number {
  if (typeof v === 'string') return v.length;
  if (v === null || typeof v !== 'object') return 0;
  if (v instanceof Uint8Array) return v.length;
  if (Array.isArray(v)) {
    let n = v.length;
    for (const x of v) n += measureValue(x);
    return n;
  }
  let n = 0;
  for (const x of Object.values(v)) n += measureValue(x);
  return n;
}
