import { coordinatorOf } from './coordinator-cluster';

const groups = Array.from({ length: 3000 }, (_, i) => `group-${i}`);

describe('coordinatorOf', () => {
  it('gives every broker a fair share of the groups, whatever order the ids come in', () => {
    const counts = new Map<number, number>();
    for (const group of groups) {
      const id = coordinatorOf(group, [0, 1, 2])!;
      expect(coordinatorOf(group, [2, 0, 1])).toBe(id);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    for (const id of [0, 1, 2]) expect(counts.get(id)).toBeGreaterThan(groups.length / 3 * 0.85);
  });

  it('moves only the groups of a broker that leaves, and only to the survivors', () => {
    for (const group of groups) {
      const before = coordinatorOf(group, [0, 1, 2, 3])!;
      const after = coordinatorOf(group, [0, 1, 3])!;
      if (before === 2) expect([0, 1, 3]).toContain(after);
      else expect(after).toBe(before);
    }
  });

  it('hands a broker that joins about 1/n of the groups and moves no others', () => {
    let taken = 0;
    for (const group of groups) {
      const before = coordinatorOf(group, [0, 1, 2])!;
      const after = coordinatorOf(group, [0, 1, 2, 7])!;
      if (after === 7) taken++;
      else expect(after).toBe(before);
    }
    expect(taken).toBeGreaterThan(groups.length / 4 * 0.8);
    expect(taken).toBeLessThan(groups.length / 4 * 1.2);
  });

  it('has no coordinator without live brokers', () => {
    expect(coordinatorOf('g', [])).toBeUndefined();
  });
});
