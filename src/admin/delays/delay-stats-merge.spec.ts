import type { QueueStats } from '../../coordinator/delay/delay-scheduler';
import type { DelayQueueInfo, DelayStats } from '../../coordinator/delay/delay.service';
import { isDelayStats, leadersToAsk, mergeLeaderAnswers, type LeaderAnswer } from './delay-stats-merge';

function queueStats(depth: number, nextDueMs: number | null = null): QueueStats {
  return { depth, nextDueMs, inFlight: 0, delivered: 5, dropped: 0, resent: 0, loading: false };
}

/** A broker's own answer: stats for the queues it leads itself, leaders for all. */
function ownAnswer(brokerId: number, leaders: { schedule: number; levels: number[]; retired?: number[] }, depths: ReadonlyMap<string, QueueStats>): DelayStats {
  const queue = (topic: string, leader: number): DelayQueueInfo => {
    const stats = leader === brokerId ? depths.get(topic) : undefined;
    return stats ? { topic, leader, stats } : { topic, leader };
  };
  const levelTopic = (level: number): string => `__delay_level_${String(level).padStart(2, '0')}`;
  return {
    enabled: true,
    brokerId,
    levels: leaders.levels.map((leader, i) => ({ level: i + 1, delayMs: (i + 1) * 1000, ...queue(levelTopic(i + 1), leader) })),
    schedule: queue('__delay_schedule', leaders.schedule),
    retiredLevels: (leaders.retired ?? []).map((leader, i) => ({ level: leaders.levels.length + 1 + i, ...queue(levelTopic(leaders.levels.length + 1 + i), leader) })),
    lateness: [{ brokerId, samples: brokerId + 10, p50: brokerId + 1, p99: brokerId + 2 }],
  };
}

const DEPTHS = new Map([
  ['__delay_schedule', queueStats(4, 1_800_000_004_000)],
  ['__delay_level_01', queueStats(1, 1_800_000_001_000)],
  ['__delay_level_02', queueStats(2, 1_800_000_002_000)],
  ['__delay_level_03', queueStats(0)],
  ['__delay_level_04', queueStats(7, 1_800_000_007_000)],
]);

describe('mergeLeaderAnswers', () => {
  const leaders = { schedule: 1, levels: [0, 1, 2], retired: [1] };

  it('fills the queues of other leaders from their own answers, and keeps each broker’s lateness apart', () => {
    const local = ownAnswer(0, leaders, DEPTHS);
    expect(leadersToAsk(local)).toEqual([1, 2]);
    const answers = new Map<number, LeaderAnswer>([
      [1, { stats: ownAnswer(1, leaders, DEPTHS) }],
      [2, { stats: ownAnswer(2, leaders, DEPTHS) }],
    ]);
    const merged = mergeLeaderAnswers(local, answers);
    expect(merged.brokerId).toBe(0);
    expect(merged.schedule).toEqual({ topic: '__delay_schedule', leader: 1, stats: DEPTHS.get('__delay_schedule') });
    expect(merged.levels.map((l) => [l.level, l.delayMs, l.leader, l.stats?.depth, l.stats?.nextDueMs, l.error])).toEqual([
      [1, 1000, 0, 1, 1_800_000_001_000, undefined],
      [2, 2000, 1, 2, 1_800_000_002_000, undefined],
      [3, 3000, 2, 0, null, undefined],
    ]);
    expect(merged.retiredLevels).toEqual([{ level: 4, topic: '__delay_level_04', leader: 1, stats: DEPTHS.get('__delay_level_04') }]);
    expect(merged.lateness).toEqual([
      { brokerId: 0, samples: 10, p50: 1, p99: 2 },
      { brokerId: 1, samples: 11, p50: 2, p99: 3 },
      { brokerId: 2, samples: 12, p50: 3, p99: 4 },
    ]);
  });

  it('gives the queues of an unreachable leader its error and no stats, the others in full', () => {
    const local = ownAnswer(0, leaders, DEPTHS);
    const merged = mergeLeaderAnswers(
      local,
      new Map<number, LeaderAnswer>([
        [1, { error: 'broker 1 at http://127.0.0.1:1 did not answer within 50 ms' }],
        [2, { stats: ownAnswer(2, leaders, DEPTHS) }],
      ]),
    );
    for (const queue of [merged.schedule, merged.levels[1], merged.retiredLevels[0]]) {
      expect(queue).toEqual({ topic: queue.topic, leader: 1, ...('level' in queue ? { level: queue.level } : {}), ...('delayMs' in queue ? { delayMs: queue.delayMs } : {}), error: 'broker 1 at http://127.0.0.1:1 did not answer within 50 ms' });
    }
    expect(merged.levels[0].stats?.depth).toBe(1);
    expect(merged.levels[2].stats?.depth).toBe(0);
    expect(merged.lateness.map((l) => l.brokerId)).toEqual([0, 2]);
  });

  it('says so for a queue without a leader, which nobody is asked about', () => {
    const local = ownAnswer(0, { schedule: -1, levels: [0, -1] }, DEPTHS);
    expect(leadersToAsk(local)).toEqual([]);
    const merged = mergeLeaderAnswers(local, new Map());
    expect(merged.schedule.stats).toBeUndefined();
    expect(merged.schedule.error).toMatch(/^no leader/);
    expect(merged.levels[1].error).toMatch(/^no leader/);
    expect(merged.levels[0]).toEqual({ level: 1, delayMs: 1000, topic: '__delay_level_01', leader: 0, stats: DEPTHS.get('__delay_level_01') });
  });

  it('says the leadership is moving when the asked leader no longer runs the queue, and when this broker leads one it has not started', () => {
    const local = ownAnswer(0, { schedule: 1, levels: [0] }, new Map());
    // Broker 1 answered, but by then the heap had moved away from it.
    const merged = mergeLeaderAnswers(local, new Map<number, LeaderAnswer>([[1, { stats: ownAnswer(1, { schedule: 0, levels: [0] }, DEPTHS) }]]));
    expect(merged.schedule.error).toBe("broker 1 does not run this queue's scheduler (its leadership is moving)");
    expect(merged.levels[0].error).toBe('broker 0 leads the queue but has not started its scheduler yet');
  });
});

describe('isDelayStats', () => {
  it('accepts a broker’s answer and rejects other JSON', () => {
    expect(isDelayStats(JSON.parse(JSON.stringify(ownAnswer(1, { schedule: 1, levels: [1, 0] }, DEPTHS))))).toBe(true);
    expect(isDelayStats({ status: 'ok' })).toBe(false);
    expect(isDelayStats(null)).toBe(false);
    expect(isDelayStats({ brokerId: 1, levels: [], retiredLevels: [], lateness: [], schedule: { topic: 7 } })).toBe(false);
    expect(isDelayStats({ brokerId: 1, levels: [{ topic: 'x' }], retiredLevels: [], lateness: [], schedule: { topic: 's', leader: 1 } })).toBe(false);
  });
});
