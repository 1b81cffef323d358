// Leader and ISR decisions the controller makes, as pure functions (Kafka's ZK-mode
// PartitionStateMachine rules, for one partition at a time).

export interface LeaderAndIsr {
  readonly leader: number;
  readonly isr: readonly number[];
}

export interface CurrentState extends LeaderAndIsr {
  readonly leaderEpoch: number;
}

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
 * Every change bumps the leader epoch, as Kafka's controller does.
 */
export function nextLeaderAndIsr(replicas: readonly number[], state: CurrentState, live: ReadonlySet<number>, uncleanElection: boolean): CurrentState | null {
  const liveIsr = state.isr.filter((id) => live.has(id));
  if (state.leader >= 0 && live.has(state.leader)) {
    const isr = liveIsr.includes(state.leader) ? liveIsr : [state.leader, ...liveIsr];
    return sameMembers(isr, state.isr) ? null : { leader: state.leader, isr, leaderEpoch: state.leaderEpoch + 1 };
  }
  const clean = replicas.find((id) => live.has(id) && state.isr.includes(id));
  if (clean !== undefined) return { leader: clean, isr: liveIsr, leaderEpoch: state.leaderEpoch + 1 };
  const unclean = uncleanElection ? replicas.find((id) => live.has(id)) : undefined;
  if (unclean !== undefined) return { leader: unclean, isr: [unclean], leaderEpoch: state.leaderEpoch + 1 };
  if (state.leader === -1) return null;
  const lastIsr = state.isr.length > 0 ? [state.isr.includes(state.leader) ? state.leader : state.isr[0]] : [];
  return { leader: -1, isr: lastIsr, leaderEpoch: state.leaderEpoch + 1 };
}

function sameMembers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id));
}
