// Frames for fuzzing a live broker: valid encodings of every declared API at every
// declared version (random field values), then mutated the ways real bugs and hostile
// peers break them — bit flips, truncation, inserted and deleted bytes, huge counts
// written over or into the body — plus pure noise. Each frame carries a size prefix;
// most prefixes match the mutated body, some lie, as a torn or forged stream would.
import { ALL_APIS, apiVersionPlan, apiVersions, encodeRequest, type ApiSpec } from '../../src/protocol';
import { Prng, randomStruct } from '../../src/protocol/codec/testing/random-value';
import { HOSTILE_COUNTS } from '../../src/protocol/codec/testing/hostile-counts';


export interface FuzzFrame {
  /** What produced it, for failure messages (e.g. "Produce v7 bitflip"). */
  label: string;
  /** Size prefix + body, ready for the socket. */
  bytes: Buffer;
  correlationId: number;
}

/** Deterministic stream of fuzz frames for `seed`; `count` frames in all. */
export function* fuzzFrames(seed: number, count: number, apis: readonly ApiSpec<any, any>[] = ALL_APIS): Generator<FuzzFrame> {
  const rng = new Prng(seed);
  const targets = apis.flatMap((api) => apiVersions(api).map((version) => ({ api, version })));
  for (let i = 0; i < count; i++) {
    const correlationId = i + 1;
    if (rng.chance(0.05)) {
      yield { label: 'noise', bytes: withPrefix(rng.bytes(rng.int(0, 64))), correlationId };
      continue;
    }
    const { api, version } = rng.pick(targets);
    const plan = apiVersionPlan(api, version);
    const valid = encodeRequest(api, version, { correlationId, clientId: 'fuzz' }, randomStruct(plan.request, rng, { maxArray: 3, maxBytes: 64 }) as never);
    const [kind, body] = rng.chance(0.1) ? ['valid', valid] : mutate(rng, valid);
    const bytes = withPrefix(body);
    // A prefix that disagrees with the body: the broker waits for bytes that never come or reads the next frame early.
    if (rng.chance(0.05)) bytes.writeInt32BE(body.length + rng.int(-8, 8), 0);
    yield { label: `${api.name} v${version} ${kind}`, bytes, correlationId };
  }
}

function withPrefix(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(4 + body.length);
  out.writeInt32BE(body.length, 0);
  body.copy(out, 4);
  return out;
}

function mutate(rng: Prng, frame: Buffer): [string, Buffer] {
  const out = Buffer.from(frame);
  const at = rng.int(0, Math.max(0, out.length - 1));
  switch (rng.int(0, 5)) {
    case 0:
      for (let i = rng.int(1, 4); i > 0 && out.length > 0; i--) out[rng.int(0, out.length - 1)] ^= 1 << rng.int(0, 7);
      return ['bitflip', out];
    case 1:
      return ['truncated', out.subarray(0, rng.int(0, out.length))];
    case 2:
      return ['inserted', Buffer.concat([out.subarray(0, at), rng.bytes(rng.int(1, 8)), out.subarray(at)])];
    case 3:
      return ['deleted', Buffer.concat([out.subarray(0, at), out.subarray(Math.min(out.length, at + rng.int(1, 8)))])];
    case 4: {
      const huge = rng.pick(HOSTILE_COUNTS);
      huge.copy(out, at, 0, Math.min(huge.length, out.length - at));
      return ['huge-count-over', out];
    }
    default:
      return ['huge-count-into', Buffer.concat([out.subarray(0, at), rng.pick(HOSTILE_COUNTS), out.subarray(at)])];
  }
}
