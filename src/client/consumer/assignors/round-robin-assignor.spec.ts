import { counts, member, ownership, render, seededRandom, shuffled, sizes } from './assignors.test-helpers';
import { RoundRobinAssignor } from './round-robin-assignor';

describe('RoundRobinAssignor', () => {
  const assignor = new RoundRobinAssignor();

  it('is named as Java names it and only rebalances eagerly', () => {
    expect(assignor.name).toBe('roundrobin');
    expect(assignor.supportedProtocols).toEqual(['EAGER']);
  });

  it("reproduces Java's documented example with identical subscriptions", () => {
    const result = assignor.assign(counts({ t0: 3, t1: 3 }), [member('C0', ['t0', 't1']), member('C1', ['t0', 't1'])]);
    expect(render(result)).toEqual({ C0: 't0-0 t0-2 t1-1', C1: 't0-1 t1-0 t1-2' });
  });

  it("reproduces Java's documented example with differing subscriptions, skipping members not subscribed", () => {
    const result = assignor.assign(counts({ t0: 1, t1: 2, t2: 3 }), [
      member('C0', ['t0']),
      member('C1', ['t0', 't1']),
      member('C2', ['t0', 't1', 't2']),
    ]);
    expect(render(result)).toEqual({ C0: 't0-0', C1: 't1-0', C2: 't1-1 t2-0 t2-1 t2-2' });
  });

  it('deals topics in name order and members with static ones first', () => {
    const result = assignor.assign(counts({ b: 2, a: 1 }), [member('x', ['b', 'a']), member('y', ['a', 'b'], { groupInstanceId: 'instance-1' })]);
    expect(render(result)).toEqual({ y: 'a-0 b-1', x: 'b-0' });
  });

  it('skips topics without metadata', () => {
    const result = assignor.assign(counts({ t: 2 }), [member('a', ['t', 'gone']), member('b', ['gone'])]);
    expect(render(result)).toEqual({ a: 't-0 t-1', b: '' });
  });

  it('balances identical subscriptions to within one partition, deterministically', () => {
    const random = seededRandom(11);
    for (let run = 0; run < 50; run++) {
      const topicCounts = counts(Object.fromEntries(Array.from({ length: 1 + Math.floor(random() * 5) }, (_, i) => [`t${i}`, Math.floor(random() * 17)])));
      const topics = [...topicCounts.keys()];
      const members = Array.from({ length: 1 + Math.floor(random() * 8) }, (_, i) => member(`m${i}`, topics));
      const result = assignor.assign(topicCounts, members);
      const total = [...topicCounts.values()].reduce((a, b) => a + b, 0);
      expect(Math.max(...sizes(result)) - Math.min(...sizes(result))).toBeLessThanOrEqual(1);
      expect(ownership(result).size).toBe(total);
      expect([...ownership(result).values()].every((n) => n === 1)).toBe(true);
      expect(render(assignor.assign(topicCounts, shuffled(members, random)))).toEqual(render(result));
    }
  });

  it('only hands a member partitions of topics it subscribes to', () => {
    const random = seededRandom(5);
    const topics = ['a', 'b', 'c', 'd'];
    for (let run = 0; run < 30; run++) {
      const members = Array.from({ length: 2 + Math.floor(random() * 4) }, (_, i) => member(`m${i}`, topics.filter(() => random() < 0.6).concat('a')));
      const result = assignor.assign(counts({ a: 3, b: 5, c: 2, d: 7 }), members);
      for (const m of members) expect(result.get(m.memberId)!.every((p) => m.topics.includes(p.topic))).toBe(true);
      const subscribed = new Set(members.flatMap((m) => m.topics));
      const expectedTotal = [...subscribed].reduce((sum, t) => sum + ({ a: 3, b: 5, c: 2, d: 7 } as Record<string, number>)[t], 0);
      expect(ownership(result).size).toBe(expectedTotal);
    }
  });
});
