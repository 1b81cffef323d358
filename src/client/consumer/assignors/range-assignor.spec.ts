import { counts, member, render, seededRandom, shuffled } from './assignors.test-helpers';
import { RangeAssignor } from './range-assignor';

describe('RangeAssignor', () => {
  const assignor = new RangeAssignor();

  it('is named as Java names it and only rebalances eagerly', () => {
    expect(assignor.name).toBe('range');
    expect(assignor.supportedProtocols).toEqual(['EAGER']);
    expect(assignor.subscriptionUserData()).toBeNull();
  });

  it("reproduces Java's documented example: two members, two topics of three partitions", () => {
    const result = assignor.assign(counts({ t0: 3, t1: 3 }), [member('C0', ['t0', 't1']), member('C1', ['t0', 't1'])]);
    expect(render(result)).toEqual({ C0: 't0-0 t0-1 t1-0 t1-1', C1: 't0-2 t1-2' });
  });

  it('splits each topic into contiguous ranges, the first members taking one extra', () => {
    const result = assignor.assign(counts({ t: 11 }), [member('a', ['t']), member('b', ['t']), member('c', ['t']), member('d', ['t'])]);
    expect(render(result)).toEqual({ a: 't-0 t-1 t-2', b: 't-3 t-4 t-5', c: 't-6 t-7 t-8', d: 't-9 t-10' });
  });

  it('orders members by member id, not by arrival', () => {
    const result = assignor.assign(counts({ t: 3 }), [member('m-2', ['t']), member('m-10', ['t']), member('m-1', ['t'])]);
    // String order, as Java's String.compareTo: "m-1" < "m-10" < "m-2".
    expect(render(result)).toEqual({ 'm-1': 't-0', 'm-10': 't-1', 'm-2': 't-2' });
  });

  it('orders static members by group.instance.id, ahead of dynamic members', () => {
    const result = assignor.assign(counts({ t: 4 }), [
      member('a', ['t']),
      member('b', ['t'], { groupInstanceId: 'zeta' }),
      member('c', ['t'], { groupInstanceId: 'alpha' }),
      member('0', ['t']),
    ]);
    expect(render(result)).toEqual({ c: 't-0', b: 't-1', '0': 't-2', a: 't-3' });
  });

  it('leaves the last members empty when a topic has fewer partitions than members', () => {
    const result = assignor.assign(counts({ t: 2 }), [member('a', ['t']), member('b', ['t']), member('c', ['t'])]);
    expect(render(result)).toEqual({ a: 't-0', b: 't-1', c: '' });
  });

  it('ranges each topic over its own subscribers only', () => {
    const result = assignor.assign(counts({ t0: 3, t1: 2 }), [member('a', ['t0']), member('b', ['t0', 't1']), member('c', ['t1'])]);
    expect(render(result)).toEqual({ a: 't0-0 t0-1', b: 't0-2 t1-0', c: 't1-1' });
  });

  it('skips a subscribed topic without metadata and ignores topics nobody subscribes to', () => {
    const result = assignor.assign(counts({ t0: 2, other: 5 }), [member('a', ['t0', 'missing']), member('b', ['t0'])]);
    expect(render(result)).toEqual({ a: 't0-0', b: 't0-1' });
  });

  it('gives every member an entry, even one whose topics have no partitions', () => {
    const result = assignor.assign(counts({}), [member('a', ['x'])]);
    expect(render(result)).toEqual({ a: '' });
  });

  it('assigns every partition exactly once, sizes per topic within one, whatever the input order', () => {
    const random = seededRandom(7);
    for (let run = 0; run < 50; run++) {
      const topicCounts = counts(Object.fromEntries(Array.from({ length: 1 + Math.floor(random() * 4) }, (_, i) => [`t${i}`, Math.floor(random() * 20)])));
      const topics = [...topicCounts.keys()];
      const members = Array.from({ length: 1 + Math.floor(random() * 7) }, (_, i) => member(`m${i}`, topics));
      const result = assignor.assign(topicCounts, members);
      expect(render(assignor.assign(topicCounts, shuffled(members, random)))).toEqual(render(result));
      for (const topic of topics) {
        const perMember = [...result.values()].map((list) => list.filter((p) => p.topic === topic).length);
        expect(Math.max(...perMember) - Math.min(...perMember)).toBeLessThanOrEqual(1);
        const all = [...result.values()].flat().filter((p) => p.topic === topic);
        expect(all.map((p) => p.partition).sort((a, b) => a - b)).toEqual(Array.from({ length: topicCounts.get(topic)! }, (_, i) => i));
      }
    }
  });
});
