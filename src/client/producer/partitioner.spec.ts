import { randomBytes } from 'node:crypto';
import { StickyPartitioner, murmur2, partitionForKey, toPositive, type StickyPartitionView } from './partitioner';

// kafkajs's DefaultPartitioner is a port of the Java one: an independent implementation to compare with.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2') as (key: Buffer) => number;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Partitioners } = require('kafkajs') as { Partitioners: { DefaultPartitioner: () => (args: unknown) => number } };

describe('murmur2', () => {
  it("gives Kafka's Utils.murmur2 values (the cases of Kafka's UtilsTest)", () => {
    const cases: Array<[string, number]> = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [text, expected] of cases) expect([text, murmur2(Buffer.from(text))]).toEqual([text, expected]);
  });

  it('hashes the empty key and "kafka" as the Java algorithm defines', () => {
    // seed ^ 0 with no blocks and no tail, then the final mix: computed from the definition.
    expect(murmur2(Buffer.alloc(0))).toBe(275646681);
    expect(murmur2(Buffer.from('kafka'))).toBe(-798503068);
  });

  it('agrees with kafkajs on random keys of every tail length, bytes with the high bit set included', () => {
    for (let i = 0; i < 2000; i++) {
      const key = randomBytes(i % 67);
      expect(murmur2(key)).toBe(kafkajsMurmur2(key));
    }
  });

  it('hashes a Uint8Array view without regard to its offset in a larger buffer', () => {
    const whole = Buffer.from('xxkafkayy');
    expect(murmur2(whole.subarray(2, 7))).toBe(murmur2(Buffer.from('kafka')));
  });
});

describe('partitionForKey', () => {
  it('is toPositive(murmur2) % partitions, the same partition kafkajs picks', () => {
    const partitioner = Partitioners.DefaultPartitioner();
    for (const count of [1, 3, 7, 64]) {
      const partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 0 }));
      for (let i = 0; i < 300; i++) {
        const key = Buffer.from(`key-${i}-${count}`);
        expect(partitionForKey(key, count)).toBe(partitioner({ topic: 't', partitionMetadata, message: { key } }));
      }
    }
  });

  it('drops the sign bit rather than taking the absolute value', () => {
    expect(toPositive(-2147483648)).toBe(0);
    expect(toPositive(-1)).toBe(2147483647);
    expect(partitionForKey(Buffer.from('kafka'), 3)).toBe((-798503068 & 0x7fffffff) % 3);
  });
});

describe('StickyPartitioner', () => {
  function view(available: number[], open: Set<number> = new Set()): StickyPartitionView & { open: Set<number> } {
    return { open, availablePartitions: () => available, hasOpenBatch: (_t, p) => open.has(p) };
  }

  it('sticks to one partition until batch.size bytes went to it, then moves to another', () => {
    const sticky = new StickyPartitioner(100);
    const v = view([0, 1, 2, 3]);
    const first = sticky.partition('t', 4, v);
    v.open.add(first);
    for (let i = 0; i < 9; i++) {
      expect(sticky.partition('t', 4, v)).toBe(first);
      sticky.onAppend('t', first, 10);
    }
    sticky.onAppend('t', first, 10);
    expect(sticky.partition('t', 4, v)).not.toBe(first);
  });

  it('moves on as soon as the batch it filled is sent', () => {
    const sticky = new StickyPartitioner(16_384);
    const v = view([0, 1, 2]);
    const first = sticky.partition('t', 3, v);
    v.open.add(first);
    sticky.onAppend('t', first, 50);
    expect(sticky.partition('t', 3, v)).toBe(first);
    v.open.delete(first);
    expect(sticky.partition('t', 3, v)).not.toBe(first);
  });

  it('chooses among partitions with a leader, and every one of them over time', () => {
    const sticky = new StickyPartitioner(1);
    const v = view([1, 3]);
    const seen = new Set<number>();
    for (let i = 0; i < 50; i++) {
      const p = sticky.partition('t', 4, v);
      seen.add(p);
      sticky.onAppend('t', p, 1);
    }
    expect([...seen].sort()).toEqual([1, 3]);
  });

  it('keeps one sticky partition per topic', () => {
    const sticky = new StickyPartitioner(1000, () => 0.99);
    const v = view([]);
    expect(sticky.partition('a', 5, v)).toBe(4);
    expect(sticky.partition('b', 2, v)).toBe(1);
    expect(sticky.partition('a', 5, v)).toBe(4);
  });
});
