import { imbalancedBrokers, initialLeaderAndIsr, leaderAndIsrWithout, nextLeaderAndIsr, preferredLeaderAndIsr } from './partition-leader-election';

describe('partition leader election', () => {
  it('starts a partition with its first live replica leading and the live replicas in sync', () => {
    expect(initialLeaderAndIsr([2, 0, 1], new Set([0, 1, 2]))).toEqual({ leader: 2, isr: [2, 0, 1] });
    expect(initialLeaderAndIsr([2, 0, 1], new Set([0, 1]))).toEqual({ leader: 0, isr: [0, 1] });
    expect(initialLeaderAndIsr([2], new Set([0]))).toEqual({ leader: -1, isr: [] });
  });

  it('leaves a partition whose leader and ISR are live alone', () => {
    expect(nextLeaderAndIsr([0, 1], { leader: 0, isr: [0, 1], leaderEpoch: 3 }, new Set([0, 1]), false)).toBeNull();
  });

  it('drops a dead follower from the ISR and bumps the epoch', () => {
    expect(nextLeaderAndIsr([0, 1], { leader: 0, isr: [0, 1], leaderEpoch: 3 }, new Set([0]), false)).toEqual({ leader: 0, isr: [0], leaderEpoch: 4 });
  });

  it('moves leadership to the first live in-sync replica in assignment order', () => {
    expect(nextLeaderAndIsr([0, 1, 2], { leader: 0, isr: [0, 2, 1], leaderEpoch: 0 }, new Set([1, 2]), false)).toEqual({ leader: 1, isr: [2, 1], leaderEpoch: 1 });
  });

  it('keeps the last ISR member and no leader when no in-sync replica lives, unless unclean election is allowed', () => {
    const state = { leader: 0, isr: [0], leaderEpoch: 5 };
    expect(nextLeaderAndIsr([0, 1], state, new Set([1]), false)).toEqual({ leader: -1, isr: [0], leaderEpoch: 6 });
    expect(nextLeaderAndIsr([0, 1], state, new Set([1]), true)).toEqual({ leader: 1, isr: [1], leaderEpoch: 6 });
    expect(nextLeaderAndIsr([0, 1], { leader: -1, isr: [0], leaderEpoch: 6 }, new Set([1]), false)).toBeNull();
  });

  it('elects the returning in-sync broker of a leaderless partition', () => {
    expect(nextLeaderAndIsr([0, 1], { leader: -1, isr: [0], leaderEpoch: 6 }, new Set([0, 1]), false)).toEqual({ leader: 0, isr: [0], leaderEpoch: 7 });
  });

  it('hands leadership back to the preferred replica only when it is live and in sync', () => {
    const state = { leader: 1, isr: [1, 2, 0], leaderEpoch: 4 };
    expect(preferredLeaderAndIsr([0, 1, 2], state, new Set([0, 1, 2]))).toEqual({ leader: 0, isr: [1, 2, 0], leaderEpoch: 5 });
    expect(preferredLeaderAndIsr([0, 1, 2], { ...state, isr: [1, 2] }, new Set([0, 1, 2]))).toBeNull();
    expect(preferredLeaderAndIsr([0, 1, 2], state, new Set([1, 2]))).toBeNull();
    expect(preferredLeaderAndIsr([1, 0, 2], state, new Set([0, 1, 2]))).toBeNull();
  });

  it('finds the brokers leading too small a share of the partitions they are preferred for', () => {
    const partitions = [
      // Broker 0 is preferred for 4 and leads 3 (25% off); broker 1 preferred for 10 and leads 9 (10% off).
      ...[0, 0, 0, 1].map((leader) => ({ replicas: [0, 1], leader })),
      ...[1, 1, 1, 1, 1, 1, 1, 1, 1, 0].map((leader) => ({ replicas: [1, 0], leader })),
    ];
    expect(imbalancedBrokers(partitions, 10)).toEqual(new Set([0]));
    expect(imbalancedBrokers(partitions, 5)).toEqual(new Set([0, 1]));
    expect(imbalancedBrokers(partitions, 25)).toEqual(new Set());
  });

  it('moves a shutting-down leader\'s partition to the next live in-sync replica and takes it out of the ISR', () => {
    const live = new Set([0, 1, 2]);
    expect(leaderAndIsrWithout(0, [0, 1, 2], { leader: 0, isr: [0, 2, 1], leaderEpoch: 3 }, live)).toEqual({ leader: 1, isr: [2, 1], leaderEpoch: 4 });
    // A follower just leaves the ISR.
    expect(leaderAndIsrWithout(2, [0, 1, 2], { leader: 0, isr: [0, 2, 1], leaderEpoch: 3 }, live)).toEqual({ leader: 0, isr: [0, 1], leaderEpoch: 4 });
  });

  it('leaves a partition with the shutting-down broker when nobody else in sync can lead, and never touches one replica', () => {
    expect(leaderAndIsrWithout(0, [0, 1], { leader: 0, isr: [0], leaderEpoch: 3 }, new Set([0, 1]))).toBeNull();
    expect(leaderAndIsrWithout(0, [0, 1], { leader: 0, isr: [0, 1], leaderEpoch: 3 }, new Set([0]))).toBeNull();
    expect(leaderAndIsrWithout(0, [0], { leader: 0, isr: [0], leaderEpoch: 3 }, new Set([0]))).toBeNull();
    expect(leaderAndIsrWithout(2, [0, 1, 2], { leader: 0, isr: [0, 1], leaderEpoch: 3 }, new Set([0, 1, 2]))).toBeNull();
  });

  it('never elects a broker in controlled shutdown as a new leader', () => {
    const state = { leader: 0, isr: [0, 1, 2], leaderEpoch: 2 };
    expect(nextLeaderAndIsr([0, 1, 2], state, new Set([1, 2]), false, new Set([1]))).toEqual({ leader: 2, isr: [1, 2], leaderEpoch: 3 });
    expect(nextLeaderAndIsr([0, 1], { leader: 0, isr: [0, 1], leaderEpoch: 2 }, new Set([1]), true, new Set([1]))).toEqual({ leader: -1, isr: [0], leaderEpoch: 3 });
    // One that leads keeps leading.
    expect(nextLeaderAndIsr([1, 2], { leader: 1, isr: [1, 2], leaderEpoch: 2 }, new Set([1, 2]), false, new Set([1]))).toBeNull();
  });
});
