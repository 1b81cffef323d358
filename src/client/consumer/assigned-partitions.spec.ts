import { AssignedPartitions } from './assigned-partitions';

describe('AssignedPartitions', () => {
  const a = { topic: 't', partition: 0 };
  const b = { topic: 't', partition: 1 };

  it('keeps the state of partitions that stay across a new assignment', () => {
    const assigned = new AssignedPartitions();
    assigned.set([a, b]);
    assigned.seek(a, 10);
    assigned.get(a)!.paused = true;
    assigned.set([a, { topic: 'u', partition: 0 }]);
    expect(assigned.get(a)).toMatchObject({ position: 10, paused: true });
    expect(assigned.has(b)).toBe(false);
    expect(assigned.topics().sort()).toEqual(['t', 'u']);
    expect(assigned.consumed()).toEqual([{ ...a, offset: 10, leaderEpoch: -1 }]);
    expect(() => assigned.seek(b, 1)).toThrow('not assigned');
  });

  it('has a reset due once requested, not while it backs off, and not after a seek', () => {
    const assigned = new AssignedPartitions();
    assigned.set([a, b]);
    expect(assigned.hasResetsDue()).toBe(false);
    assigned.requestReset(a, 'earliest');
    expect(assigned.hasResetsDue()).toBe(true);
    assigned.get(a)!.retryAt = Date.now() + 60_000;
    expect(assigned.hasResetsDue()).toBe(false);
    assigned.seek(a, 3);
    expect(assigned.get(a)).toMatchObject({ position: 3, pendingReset: null, retryAt: 0 });
    expect(assigned.hasResetsDue()).toBe(false);
  });
});
