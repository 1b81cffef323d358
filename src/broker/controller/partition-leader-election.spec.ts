import { initialLeaderAndIsr, nextLeaderAndIsr } from './partition-leader-election';

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
});
