import { topicPartitionKey, type TopicPartition } from '../../listener/types';
import { compareTopicPartitions, DEFAULT_GENERATION, type MemberSubscription, type PartitionAssignor } from './partition-assignor';

/** `tp('t0', 1)` */
export function tp(topic: string, partition: number): TopicPartition {
  return { topic, partition };
}

/** Parses 't0-0 t0-1 t1-0' into partitions, sorted. */
export function tps(text: string): TopicPartition[] {
  if (text.trim() === '') return [];
  return text
    .trim()
    .split(/\s+/)
    .map((s) => {
      const dash = s.lastIndexOf('-');
      return tp(s.slice(0, dash), Number(s.slice(dash + 1)));
    })
    .sort(compareTopicPartitions);
}

export function member(
  memberId: string,
  topics: string[],
  extra: Partial<Omit<MemberSubscription, 'memberId' | 'topics'>> = {},
): MemberSubscription {
  return { memberId, topics, groupInstanceId: null, userData: null, ownedPartitions: [], generationId: DEFAULT_GENERATION, rackId: null, ...extra };
}

export function counts(entries: Record<string, number>): Map<string, number> {
  return new Map(Object.entries(entries));
}

/** An assignment as `{ member: 't0-0 t0-1' }`, for readable expectations. */
export function render(assignment: ReadonlyMap<string, readonly TopicPartition[]>): Record<string, string> {
  return Object.fromEntries(
    [...assignment].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([id, list]) => [id, list.map((p) => `${p.topic}-${p.partition}`).join(' ')]),
  );
}

export function sizes(assignment: ReadonlyMap<string, readonly TopicPartition[]>): number[] {
  return [...assignment.values()].map((list) => list.length);
}

/** Every partition key handed out, with how many members got it. */
export function ownership(assignment: ReadonlyMap<string, readonly TopicPartition[]>): Map<string, number> {
  const seen = new Map<string, number>();
  for (const list of assignment.values()) for (const p of list) seen.set(topicPartitionKey(p), (seen.get(topicPartitionKey(p)) ?? 0) + 1);
  return seen;
}

/** Deterministic PRNG (mulberry32) so property runs repeat exactly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export interface GroupMemberState {
  topics: string[];
  owned: TopicPartition[];
  generation: number;
}

export interface RoundReport {
  generation: number;
  assignment: Map<string, TopicPartition[]>;
  /** Per member, what the assignment took away from what it owned. */
  revoked: Map<string, TopicPartition[]>;
}

/**
 * Drives KIP-429's incremental protocol the way consumers do: each round every member
 * joins with what it owns and its generation; it then keeps only what it is assigned
 * (revoking the rest); if anyone revoked something, everyone rejoins. Stops when a
 * round revokes nothing. Checks the protocol's safety rule on every round: a
 * partition is handed to a member only when no other member still claims it.
 */
export function runCooperativeRebalances(
  assignor: PartitionAssignor,
  partitionsPerTopic: ReadonlyMap<string, number>,
  members: Map<string, GroupMemberState>,
  startGeneration: number,
  maxRounds = 5,
): RoundReport[] {
  const rounds: RoundReport[] = [];
  for (let generation = startGeneration; rounds.length < maxRounds; generation++) {
    const subscriptions = [...members].map(([id, m]) =>
      member(id, m.topics, { ownedPartitions: m.owned, generationId: m.generation, userData: assignor.subscriptionUserData(m.generation) }),
    );
    const assignment = assignor.assign(partitionsPerTopic, subscriptions);
    const claimedBy = new Map<string, string>();
    for (const [id, m] of members) for (const p of m.owned) claimedBy.set(topicPartitionKey(p), id);
    for (const [id, list] of assignment) {
      for (const p of list) {
        const claimant = claimedBy.get(topicPartitionKey(p));
        if (claimant !== undefined && claimant !== id) {
          throw new Error(`generation ${generation}: ${p.topic}-${p.partition} given to ${id} while ${claimant} still owns it`);
        }
      }
    }
    const duplicates = [...ownership(assignment)].filter(([, n]) => n > 1);
    if (duplicates.length > 0) throw new Error(`generation ${generation}: assigned twice: ${duplicates.map(([k]) => k).join(', ')}`);

    const revoked = new Map<string, TopicPartition[]>();
    for (const [id, m] of members) {
      const mine = new Set((assignment.get(id) ?? []).map(topicPartitionKey));
      const lost = m.owned.filter((p) => !mine.has(topicPartitionKey(p)));
      if (lost.length > 0) revoked.set(id, lost);
      m.owned = assignment.get(id) ?? [];
      m.generation = generation;
    }
    rounds.push({ generation, assignment, revoked });
    if (revoked.size === 0) return rounds;
  }
  throw new Error(`no stable assignment after ${maxRounds} rounds`);
}
