import { topicPartitionKey, type TopicPartition } from '../../listener/types';
import {
  counts,
  member,
  ownership,
  render,
  runCooperativeRebalances,
  seededRandom,
  shuffled,
  sizes,
  tps,
  type GroupMemberState,
} from './assignors.test-helpers';
import { CooperativeStickyAssignor, memberGeneration } from './cooperative-sticky-assignor';

const assignor = new CooperativeStickyAssignor();

function group(entries: Record<string, { topics: string[]; owned?: string; generation?: number }>): Map<string, GroupMemberState> {
  return new Map(Object.entries(entries).map(([id, m]) => [id, { topics: m.topics, owned: tps(m.owned ?? ''), generation: m.generation ?? -1 }]));
}

function owned(members: Map<string, GroupMemberState>): Map<string, TopicPartition[]> {
  return new Map([...members].map(([id, m]) => [id, m.owned]));
}

/** Java's isBalanced: no member could take a partition from an owner holding two or more partitions more. */
function javaBalanced(partitionsPerTopic: Map<string, number>, members: Map<string, GroupMemberState>): boolean {
  const size = new Map([...members].map(([id, m]) => [id, m.owned.length]));
  const ownerOf = new Map<string, string>();
  for (const [id, m] of members) for (const p of m.owned) ownerOf.set(topicPartitionKey(p), id);
  for (const [id, m] of members) {
    for (const topic of m.topics) {
      for (let partition = 0; partition < (partitionsPerTopic.get(topic) ?? 0); partition++) {
        const owner = ownerOf.get(topicPartitionKey({ topic, partition }));
        if (owner !== undefined && owner !== id && size.get(owner)! > size.get(id)! + 1) return false;
      }
    }
  }
  return true;
}

function subset(a: readonly TopicPartition[], b: readonly TopicPartition[]): boolean {
  const keys = new Set(b.map(topicPartitionKey));
  return a.every((p) => keys.has(topicPartitionKey(p)));
}

describe('CooperativeStickyAssignor', () => {
  it('is named as Java names it and prefers the cooperative protocol', () => {
    expect(assignor.name).toBe('cooperative-sticky');
    expect(assignor.supportedProtocols).toEqual(['COOPERATIVE', 'EAGER']);
  });

  it("puts the generation in userData as Java's schema v0 does: one big-endian int32", () => {
    expect(assignor.subscriptionUserData(7)).toEqual(Buffer.from([0, 0, 0, 7]));
    expect(assignor.subscriptionUserData(-1)).toEqual(Buffer.from([0xff, 0xff, 0xff, 0xff]));
  });

  it("reads a member's generation from the subscription first, then from userData", () => {
    expect(memberGeneration({ generationId: 4, userData: Buffer.from([0, 0, 0, 9]) })).toBe(4);
    expect(memberGeneration({ generationId: -1, userData: Buffer.from([0, 0, 0, 9]) })).toBe(9);
    expect(memberGeneration({ generationId: -1, userData: null })).toBe(-1);
    expect(memberGeneration({ generationId: -1, userData: Buffer.from([1]) })).toBe(-1);
  });

  it("reproduces Java's documented first assignment: three members, four topics of two partitions", () => {
    const topics = ['t0', 't1', 't2', 't3'];
    const result = assignor.assign(counts({ t0: 2, t1: 2, t2: 2, t3: 2 }), [member('C0', topics), member('C1', topics), member('C2', topics)]);
    expect(render(result)).toEqual({ C0: 't0-0 t1-1 t3-0', C1: 't0-1 t2-0 t3-1', C2: 't1-0 t2-1' });
  });

  it("reproduces Java's documented example with differing subscriptions, and what happens when C0 leaves", () => {
    const partitions = counts({ t0: 1, t1: 2, t2: 3 });
    const members = group({ C0: { topics: ['t0'] }, C1: { topics: ['t0', 't1'] }, C2: { topics: ['t0', 't1', 't2'] } });
    runCooperativeRebalances(assignor, partitions, members, 1);
    expect(render(owned(members))).toEqual({ C0: 't0-0', C1: 't1-0 t1-1', C2: 't2-0 t2-1 t2-2' });

    members.delete('C0');
    const rounds = runCooperativeRebalances(assignor, partitions, members, 2);
    expect(rounds).toHaveLength(1);
    expect(render(owned(members))).toEqual({ C1: 't0-0 t1-0 t1-1', C2: 't2-0 t2-1 t2-2' });
  });

  it('moves only the partitions of a member that leaves', () => {
    const partitions = counts({ t: 12 });
    const members = group({ C0: { topics: ['t'] }, C1: { topics: ['t'] }, C2: { topics: ['t'] } });
    runCooperativeRebalances(assignor, partitions, members, 1);
    const before = owned(members);
    expect(render(before)).toEqual({ C0: 't-0 t-3 t-6 t-9', C1: 't-1 t-4 t-7 t-10', C2: 't-2 t-5 t-8 t-11' });

    members.delete('C2');
    const rounds = runCooperativeRebalances(assignor, partitions, members, 2);
    expect(rounds).toHaveLength(1);
    expect(rounds[0].revoked.size).toBe(0);
    expect(render(owned(members))).toEqual({ C0: 't-0 t-2 t-3 t-6 t-8 t-9', C1: 't-1 t-4 t-5 t-7 t-10 t-11' });
  });

  it('lets a joining member wait one generation while the owners revoke what it will get', () => {
    const partitions = counts({ t: 12 });
    const members = group({
      C0: { topics: ['t'], owned: 't-0 t-3 t-6 t-9', generation: 1 },
      C1: { topics: ['t'], owned: 't-1 t-4 t-7 t-10', generation: 1 },
      C2: { topics: ['t'], owned: 't-2 t-5 t-8 t-11', generation: 1 },
      C3: { topics: ['t'] },
    });
    const rounds = runCooperativeRebalances(assignor, partitions, members, 2);
    expect(rounds).toHaveLength(2);
    // Generation 2: each owner gives up one partition; the newcomer is handed nothing yet.
    expect(render(rounds[0].assignment)).toEqual({ C0: 't-0 t-3 t-6', C1: 't-1 t-4 t-7', C2: 't-2 t-5 t-8', C3: '' });
    expect(render(rounds[0].revoked)).toEqual({ C0: 't-9', C1: 't-10', C2: 't-11' });
    // Generation 3: the revoked partitions reach the newcomer; nobody else changes.
    expect(render(rounds[1].assignment)).toEqual({ C0: 't-0 t-3 t-6', C1: 't-1 t-4 t-7', C2: 't-2 t-5 t-8', C3: 't-9 t-10 t-11' });
  });

  it('trusts neither of two members claiming one partition in the same generation', () => {
    const members = [
      member('A', ['t'], { ownedPartitions: tps('t-0 t-1'), generationId: 4 }),
      member('B', ['t'], { ownedPartitions: tps('t-1 t-2'), generationId: 4 }),
    ];
    const result = assignor.assign(counts({ t: 4 }), members);
    expect(ownership(result).has('t\u00001')).toBe(false);
    // t-1 is dealt to A like any unowned partition, then withheld until both claimants let go.
    expect(render(result)).toEqual({ A: 't-0', B: 't-2 t-3' });
  });

  it('gives a partition claimed twice to the claimant of the newer generation', () => {
    const result = assignor.assign(counts({ t: 4 }), [
      member('A', ['t'], { ownedPartitions: tps('t-0 t-1'), generationId: 5 }),
      member('B', ['t'], { ownedPartitions: tps('t-1 t-2'), generationId: 3 }),
    ]);
    expect(render(result)).toEqual({ A: 't-0 t-1', B: 't-2 t-3' });
  });

  it('takes the generation from userData for members on subscription v1', () => {
    const result = assignor.assign(counts({ t: 4 }), [
      member('A', ['t'], { ownedPartitions: tps('t-0 t-1'), userData: assignor.subscriptionUserData(3) }),
      member('B', ['t'], { ownedPartitions: tps('t-1 t-2'), userData: assignor.subscriptionUserData(5) }),
    ]);
    expect(render(result)).toEqual({ A: 't-0 t-3', B: 't-1 t-2' });
  });

  it('ignores owned partitions of topics that no longer exist or no longer have that partition', () => {
    const result = assignor.assign(counts({ t: 2 }), [
      member('A', ['t'], { ownedPartitions: tps('t-0 t-5 gone-0'), generationId: 2 }),
      member('B', ['t'], { generationId: 2 }),
    ]);
    expect(render(result)).toEqual({ A: 't-0', B: 't-1' });
  });

  it('revokes first, then reassigns, the partitions of a topic a member stops subscribing to', () => {
    const partitions = counts({ a: 2, b: 2 });
    const members = group({ M: { topics: ['a', 'b'] }, N: { topics: ['a', 'b'] } });
    runCooperativeRebalances(assignor, partitions, members, 1);
    expect(render(owned(members))).toEqual({ M: 'a-0 b-0', N: 'a-1 b-1' });

    members.get('N')!.topics = ['a'];
    const rounds = runCooperativeRebalances(assignor, partitions, members, 2);
    expect(rounds).toHaveLength(2);
    expect(render(rounds[0].revoked)).toEqual({ M: 'a-0', N: 'b-1' });
    expect(render(owned(members))).toEqual({ M: 'b-0 b-1', N: 'a-0 a-1' });
  });

  it('gives the same assignment whatever order the members arrive in', () => {
    const random = seededRandom(3);
    const subscriptions = [
      member('m1', ['a', 'b'], { ownedPartitions: tps('a-0 b-3'), generationId: 2 }),
      member('m2', ['a', 'b'], { ownedPartitions: tps('a-1 a-2 a-3 b-0'), generationId: 2 }),
      member('m3', ['a', 'b']),
      member('m4', ['a', 'b'], { ownedPartitions: tps('b-1'), generationId: 1 }),
    ];
    const expected = render(assignor.assign(counts({ a: 4, b: 4 }), subscriptions));
    for (let i = 0; i < 10; i++) expect(render(assignor.assign(counts({ a: 4, b: 4 }), shuffled(subscriptions, random)))).toEqual(expected);
  });

  it('stays safe, balanced and sticky over random joins and leaves with identical subscriptions', () => {
    const random = seededRandom(42);
    const partitions = counts({ a: 7, b: 13, c: 1 });
    const total = 21;
    const members = new Map<string, GroupMemberState>();
    let generation = 1;
    let nextId = 0;
    for (let step = 0; step < 60; step++) {
      const leaving = members.size > 1 && random() < 0.45;
      const before = owned(members);
      if (leaving) members.delete(shuffled([...members.keys()], random)[0]);
      else members.set(`member-${String(nextId++).padStart(3, '0')}`, { topics: ['a', 'b', 'c'], owned: [], generation: -1 });

      const rounds = runCooperativeRebalances(assignor, partitions, members, generation);
      generation += rounds.length;
      expect(rounds.length).toBeLessThanOrEqual(2);
      expect(Math.max(...sizes(owned(members))) - Math.min(...sizes(owned(members)))).toBeLessThanOrEqual(1);
      expect(ownership(owned(members)).size).toBe(total);
      for (const [id, m] of members) {
        if (!before.has(id)) continue;
        // Stickiness: on a leave members only gain; on a join they only give up.
        if (leaving) expect(subset(before.get(id)!, m.owned)).toBe(true);
        else expect(subset(m.owned, before.get(id)!)).toBe(true);
      }
    }
  });

  it('converges to a complete, valid and balanced assignment over random mixed subscriptions', () => {
    const random = seededRandom(2024);
    const partitions = counts({ a: 3, b: 5, c: 2, d: 8, e: 1 });
    const topics = [...partitions.keys()];
    for (let run = 0; run < 40; run++) {
      const members = new Map<string, GroupMemberState>();
      let generation = 1;
      for (let step = 0; step < 6; step++) {
        if (members.size > 1 && random() < 0.3) members.delete(shuffled([...members.keys()], random)[0]);
        else members.set(`m${run}-${step}`, { topics: topics.filter(() => random() < 0.5), owned: [], generation: -1 });
        if (random() < 0.3 && members.size > 0) shuffled([...members.values()], random)[0].topics = topics.filter(() => random() < 0.5);

        generation += runCooperativeRebalances(assignor, partitions, members, generation).length;
        const subscribed = new Set([...members.values()].flatMap((m) => m.topics));
        const expectedTotal = [...subscribed].reduce((sum, t) => sum + partitions.get(t)!, 0);
        expect(ownership(owned(members)).size).toBe(expectedTotal);
        for (const m of members.values()) expect(m.owned.every((p) => m.topics.includes(p.topic))).toBe(true);
        expect(javaBalanced(partitions, members)).toBe(true);
      }
    }
  });
});
