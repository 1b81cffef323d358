import type { DelayQueueInfo, DelayStats } from '../../coordinator/delay/delay.service';
import type { QueueStats } from '../../coordinator/delay/delay-scheduler';

/** What one queue leader said about the schedulers it runs (GET /api/delays?scope=broker), or why nothing. */
export type LeaderAnswer = { readonly stats: DelayStats } | { readonly error: string };

/** The brokers other than this one that lead a queue this broker has no stats for, ascending. */
export function leadersToAsk(local: DelayStats): number[] {
  const leaders = new Set<number>();
  for (const queue of queuesOf(local)) if (!queue.stats && queue.leader >= 0 && queue.leader !== local.brokerId) leaders.add(queue.leader);
  return [...leaders].sort((a, b) => a - b);
}

/**
 * This broker's answer with every other leader's queues filled in from that leader's own
 * answer: stats where it gave them, else an `error` saying why there are none. Queues and
 * leaders come from this broker's metadata, so every broker lists the same queues; lateness
 * stays per broker.
 */
export function mergeLeaderAnswers(local: DelayStats, answers: ReadonlyMap<number, LeaderAnswer>): DelayStats {
  const statsByLeader = new Map<number, ReadonlyMap<string, QueueStats>>();
  for (const [brokerId, answer] of answers) if ('stats' in answer) statsByLeader.set(brokerId, statsByTopic(answer.stats));
  const fill = <Q extends DelayQueueInfo>(queue: Q): Q => {
    if (queue.stats) return queue;
    const found = leaderStatsOrReason(queue, local.brokerId, answers, statsByLeader);
    return typeof found === 'string' ? { ...queue, error: found } : { ...queue, stats: found };
  };
  const lateness = [...answers.values()].flatMap((answer) => ('stats' in answer ? answer.stats.lateness : []));
  return {
    ...local,
    levels: local.levels.map(fill),
    schedule: fill(local.schedule),
    retiredLevels: local.retiredLevels.map(fill),
    lateness: [...local.lateness, ...lateness].sort((a, b) => a.brokerId - b.brokerId),
  };
}

/** The leader's stats for the queue, or the reason there are none. */
function leaderStatsOrReason(
  queue: DelayQueueInfo,
  self: number,
  answers: ReadonlyMap<number, LeaderAnswer>,
  statsByLeader: ReadonlyMap<number, ReadonlyMap<string, QueueStats>>,
): QueueStats | string {
  const leader = queue.leader;
  if (leader < 0) return 'no leader: the queue topic does not exist yet, or none of its replicas is alive';
  if (leader === self) return `broker ${leader} leads the queue but has not started its scheduler yet`;
  const answer = answers.get(leader);
  if (!answer) return `broker ${leader} was not asked`;
  if ('error' in answer) return answer.error;
  // Leadership moved between reading the metadata and the leader answering.
  return statsByLeader.get(leader)?.get(queue.topic) ?? `broker ${leader} does not run this queue's scheduler (its leadership is moving)`;
}

function statsByTopic(answer: DelayStats): Map<string, QueueStats> {
  const out = new Map<string, QueueStats>();
  for (const queue of queuesOf(answer)) if (queue.stats) out.set(queue.topic, queue.stats);
  return out;
}

function queuesOf(stats: DelayStats): DelayQueueInfo[] {
  return [...stats.levels, stats.schedule, ...stats.retiredLevels];
}

/** Whether a peer's JSON has the shape of DelayStats (queues with topics, lateness entries), so a wrong URL is not taken for stats. */
export function isDelayStats(value: unknown): value is DelayStats {
  if (!isObject(value) || typeof value.brokerId !== 'number') return false;
  const { levels, schedule, retiredLevels, lateness } = value;
  if (!Array.isArray(levels) || !Array.isArray(retiredLevels) || !Array.isArray(lateness)) return false;
  const isQueue = (q: unknown): boolean => isObject(q) && typeof q.topic === 'string' && typeof q.leader === 'number' && (q.stats === undefined || isObject(q.stats));
  return isQueue(schedule) && levels.every(isQueue) && retiredLevels.every(isQueue) && lateness.every((l) => isObject(l) && typeof l.brokerId === 'number');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
