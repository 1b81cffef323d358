import { HOSTILE_COUNTS } from './codec/testing/hostile-counts';
import { Prng } from './codec/testing/random-value';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription, type ConsumerAssignment, type ConsumerSubscription } from './consumer-protocol';
import { ProtocolError } from './protocol-error';

const FULL_SUBSCRIPTION: ConsumerSubscription = {
  topics: ['orders', 'audit'],
  userData: Buffer.from('sticky-state'),
  ownedPartitions: [
    { topic: 'orders', partitions: [0, 3] },
    { topic: 'audit', partitions: [1] },
  ],
  generationId: 7,
  rackId: 'rack-a',
};

/** What a reader of version `v` sees: fields added later keep their defaults. */
function subscriptionAt(v: number): ConsumerSubscription {
  return {
    topics: FULL_SUBSCRIPTION.topics,
    userData: FULL_SUBSCRIPTION.userData,
    ownedPartitions: v >= 1 ? FULL_SUBSCRIPTION.ownedPartitions : [],
    generationId: v >= 2 ? FULL_SUBSCRIPTION.generationId : -1,
    rackId: v >= 3 ? FULL_SUBSCRIPTION.rackId : null,
  };
}

const FULL_ASSIGNMENT: ConsumerAssignment = {
  assignedPartitions: [
    { topic: 'orders', partitions: [1, 2, 5] },
    { topic: 'audit', partitions: [] },
  ],
  userData: Buffer.from([0, 1, 2, 255]),
};

const VERSIONS = [0, 1, 2, 3];

/** Every value or ProtocolError; anything else (RangeError, TypeError...) is a decoder bug. */
function decodeOrProtocolError(decode: (b: Buffer) => unknown, bytes: Buffer): { ok: true; value: unknown } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: decode(bytes) };
  } catch (error) {
    return { ok: false, error };
  }
}

function mutate(rng: Prng, valid: Buffer): Buffer {
  const out = Buffer.from(valid);
  const at = rng.int(0, Math.max(0, out.length - 1));
  switch (rng.int(0, 4)) {
    case 0:
      for (let i = rng.int(1, 4); i > 0; i--) out[rng.int(0, out.length - 1)] ^= 1 << rng.int(0, 7);
      return out;
    case 1: {
      const huge = rng.pick(HOSTILE_COUNTS);
      huge.copy(out, at, 0, Math.min(huge.length, out.length - at));
      return out;
    }
    case 2:
      return Buffer.concat([out.subarray(0, at), rng.pick(HOSTILE_COUNTS), out.subarray(at)]);
    case 3:
      return Buffer.concat([out.subarray(0, at), out.subarray(Math.min(out.length, at + rng.int(1, 6)))]);
    default:
      return rng.bytes(rng.int(0, 48));
  }
}

describe('consumer protocol', () => {
  it.each(VERSIONS)('round-trips a subscription at v%i, later fields read as their defaults', (version) => {
    const bytes = encodeSubscription(FULL_SUBSCRIPTION, version);
    expect(bytes.readInt16BE(0)).toBe(version);
    expect(decodeSubscription(bytes)).toEqual({ ...subscriptionAt(version), version });
  });

  it.each(VERSIONS)('round-trips an assignment at v%i, with and without user data', (version) => {
    expect(decodeAssignment(encodeAssignment(FULL_ASSIGNMENT, version))).toEqual({ ...FULL_ASSIGNMENT, version });
    const bare = encodeAssignment({ assignedPartitions: [{ topic: 't', partitions: [0] }] }, version);
    expect(decodeAssignment(bare)).toEqual({ assignedPartitions: [{ topic: 't', partitions: [0] }], userData: null, version });
  });

  it("lays a v0 subscription and v1 assignment out as Kafka's clients do", () => {
    // int16 version, [int32 count, int16-length strings], int32-length bytes (-1 = null)
    expect(encodeSubscription({ topics: ['t'] }, 0).toString('hex')).toBe('0000' + '00000001' + '0001' + '74' + 'ffffffff');
    // v1 adds owned partitions: [int32 count, (string topic, [int32 count, int32...])]
    expect(encodeSubscription({ topics: [], userData: Buffer.from([9]) }, 1).toString('hex')).toBe('0001' + '00000000' + '00000001' + '09' + '00000000');
    expect(encodeAssignment({ assignedPartitions: [{ topic: 't', partitions: [2] }] }, 1).toString('hex')).toBe(
      '0001' + '00000001' + '0001' + '74' + '00000001' + '00000002' + 'ffffffff',
    );
  });

  it('reads a newer version (v4 with bytes appended) by its known prefix and reports the version it saw', () => {
    const extra = Buffer.from([0, 0, 0, 42, 0xde, 0xad]);
    const subscription = encodeSubscription(FULL_SUBSCRIPTION, 3);
    subscription.writeInt16BE(4, 0);
    expect(decodeSubscription(Buffer.concat([subscription, extra]))).toEqual({ ...FULL_SUBSCRIPTION, version: 4 });
    const assignment = encodeAssignment(FULL_ASSIGNMENT, 3);
    assignment.writeInt16BE(4, 0);
    expect(decodeAssignment(Buffer.concat([assignment, extra]))).toEqual({ ...FULL_ASSIGNMENT, version: 4 });
  });

  it('refuses to encode a version it does not know', () => {
    expect(() => encodeSubscription({ topics: [] }, 4)).toThrow(RangeError);
    expect(() => encodeAssignment({ assignedPartitions: [] }, -1)).toThrow(RangeError);
  });

  it('throws ProtocolError for a negative version, an empty buffer and every truncation of a valid encoding', () => {
    const negative = encodeSubscription({ topics: ['t'] }, 0);
    negative.writeInt16BE(-1, 0);
    expect(() => decodeSubscription(negative)).toThrow(ProtocolError);
    expect(() => decodeAssignment(Buffer.alloc(0))).toThrow(ProtocolError);
    for (const version of VERSIONS) {
      const encodings: Array<[(b: Buffer) => unknown, Buffer]> = [
        [decodeSubscription, encodeSubscription(FULL_SUBSCRIPTION, version)],
        [decodeAssignment, encodeAssignment(FULL_ASSIGNMENT, version)],
      ];
      for (const [decode, bytes] of encodings) {
        for (let length = 0; length < bytes.length; length++) {
          expect(() => decode(bytes.subarray(0, length))).toThrow(ProtocolError);
        }
      }
    }
  });

  it('decodes mutated and random bytes to a value or a ProtocolError, never another error, and never larger than its input', () => {
    const rng = new Prng(0xc0ffee);
    const seeds: Array<[(b: Buffer) => unknown, Buffer]> = VERSIONS.flatMap((v) => [
      [decodeSubscription, encodeSubscription(FULL_SUBSCRIPTION, v)] as [(b: Buffer) => unknown, Buffer],
      [decodeAssignment, encodeAssignment(FULL_ASSIGNMENT, v)] as [(b: Buffer) => unknown, Buffer],
    ]);
    const unexpected: string[] = [];
    let refused = 0;
    for (let i = 0; i < 4000; i++) {
      const [decode, valid] = rng.pick(seeds);
      const bytes = mutate(rng, valid);
      const outcome = decodeOrProtocolError(decode, bytes);
      if (!outcome.ok) {
        if (outcome.error instanceof ProtocolError) refused++;
        else unexpected.push(`${bytes.toString('hex')}: ${String(outcome.error)}`);
        continue;
      }
      // A decoded value holds no more elements than the bytes could describe.
      const value = outcome.value as { topics?: string[]; ownedPartitions?: unknown[]; assignedPartitions?: unknown[] };
      const elements = (value.topics?.length ?? 0) + (value.ownedPartitions?.length ?? 0) + (value.assignedPartitions?.length ?? 0);
      if (elements > bytes.length) unexpected.push(`${bytes.toString('hex')}: ${elements} elements from ${bytes.length} bytes`);
    }
    expect(unexpected).toEqual([]);
    expect(refused).toBeGreaterThan(1000);
  });
});
