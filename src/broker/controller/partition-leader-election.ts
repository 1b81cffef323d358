// Leader and ISR decisions the controller makes, as pure functions (Kafka's ZK-mode
// PartitionStateMachine rules, for one partition at a time).

export interface LeaderAndIsr {
  readonly leader: number;
  readonly isr: readonly number[];
}

export interface CurrentState extends LeaderAndIsr {
  readonly leaderEpoch: number;
}

const NONE: ReadonlySet<number> = new Set();

/** A new partition: the first live replica leads and the live replicas form the ISR (-1/[] when none is live). */
export function initialLeaderAndIsr(replicas: readonly number[], live: ReadonlySet<number>): LeaderAndIsr {
  const isr = replicas.filter((id) => live.has(id));
  return { leader: isr[0] ?? -1, isr };
}

/**
 * The state a partition should move to after brokers came or went, or null when it stays.
 *  - Its leader is live: replicas that died leave the ISR (the leader stays in it).
 *  - Its leader is dead or absent: the first replica, in assignment order, that is live and
 *    in the ISR leads; the ISR shrinks to its live members. With unclean election allowed and
 *    no such replica, the first live replica leads with an ISR of itself (data may be lost).
 *  - Nobody can lead: leader -1, and the ISR keeps its last member so that a clean election
 *    stays possible when that broker returns.
 * Brokers in `shuttingDown` (controlled shutdown) are never chosen as a new leader.
 * Every change bumps the leader epoch, as Kafka's controller does.
 */
export function nextLeaderAndIsr(
  replicas: readonly number[],
  state: CurrentState,
  live: ReadonlySet<number>,
  uncleanElection: boolean,
  shuttingDown: ReadonlySet<number> = NONE,
): CurrentState | null {
  const liveIsr = state.isr.filter((id) => live.has(id));
  if (state.leader >= 0 && live.has(state.leader)) {
    const isr = liveIsr.includes(state.leader) ? liveIsr : [state.leader, ...liveIsr];
    return sameMembers(isr, state.isr) ? null : { leader: state.leader, isr, leaderEpoch: state.leaderEpoch + 1 };
  }
  // A broker in controlled shutdown is about to go: it keeps what it leads but takes nothing new.
  const eligible = (id: number): boolean => live.has(id) && !shuttingDown.has(id);
  const clean = replicas.find((id) => eligible(id) && state.isr.includes(id));
  if (clean !== undefined) return { leader: clean, isr: liveIsr, leaderEpoch: state.leaderEpoch + 1 };
  const unclean = uncleanElection ? replicas.find(eligible) : undefined;
  if (unclean !== undefined) return { leader: unclean, isr: [unclean], leaderEpoch: state.leaderEpoch + 1 };
  if (state.leader === -1) return null;
  const lastIsr = state.isr.length > 0 ? [state.isr.includes(state.leader) ? state.leader : state.isr[0]] : [];
  return { leader: -1, isr: lastIsr, leaderEpoch: state.leaderEpoch + 1 };
}

/** The same replica ids, in any order (an ISR's order carries no meaning). */
export function sameMembers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id));
}

/**
 * Kafka's preferred replica election for one partition: the first assigned replica leads
 * again when it is live, in the ISR and not leading already; the ISR stays, the epoch is
 * bumped. Null when nothing changes.
 */
export function preferredLeaderAndIsr(replicas: readonly number[], state: CurrentState, live: ReadonlySet<number>): CurrentState | null {
  const preferred = replicas[0];
  if (preferred === undefined || state.leader === preferred || !live.has(preferred) || !state.isr.includes(preferred)) return null;
  return { leader: preferred, isr: state.isr, leaderEpoch: state.leaderEpoch + 1 };
}

export interface PartitionLeadership {
  readonly replicas: readonly number[];
  readonly leader: number;
}

/**
 * The brokers whose share of leadership is off, as Kafka's auto leader rebalance judges it:
 * of the partitions a broker is the preferred replica of, the fraction it does not lead is
 * above `thresholdPercent`. Only those brokers' partitions are moved back, so a single
 * partition out of place on a broker with many does not make the controller churn.
 */
export function imbalancedBrokers(partitions: Iterable<PartitionLeadership>, thresholdPercent: number): Set<number> {
  const preferredFor = new Map<number, { total: number; notLed: number }>();
  for (const { replicas, leader } of partitions) {
    const preferred = replicas[0];
    if (preferred === undefined) continue;
    const counts = preferredFor.get(preferred) ?? { total: 0, notLed: 0 };
    counts.total++;
    if (leader !== preferred) counts.notLed++;
    preferredFor.set(preferred, counts);
  }
  const imbalanced = new Set<number>();
  for (const [broker, { total, notLed }] of preferredFor) if (notLed * 100 > thresholdPercent * total) imbalanced.add(broker);
  return imbalanced;
}

/**
 * Controlled shutdown of `broker`, for one partition: if it leads, the first other replica
 * (assignment order) that is live and in sync takes over; if it follows, it leaves the ISR
 * so acks=all does not wait for it. Null when nothing changes — including when it leads and
 * no other in-sync replica is live: that partition stays with it until it is gone (Kafka
 * reports it as remaining). Single-replica partitions are never touched.
 */
export function leaderAndIsrWithout(broker: number, replicas: readonly number[], state: CurrentState, live: ReadonlySet<number>): CurrentState | null {
  if (replicas.length < 2 || !state.isr.includes(broker)) return null;
  const isr = state.isr.filter((id) => id !== broker);
  if (state.leader !== broker) return isr.length > 0 ? { leader: state.leader, isr, leaderEpoch: state.leaderEpoch + 1 } : null;
  const successor = replicas.find((id) => id !== broker && live.has(id) && isr.includes(id));
  return successor === undefined ? null : { leader: successor, isr, leaderEpoch: state.leaderEpoch + 1 };
}
