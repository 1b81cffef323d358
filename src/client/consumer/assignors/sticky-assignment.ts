import { topicPartitionKey, type TopicPartition } from '../../listener/types';
import { compareStrings, compareTopicPartitions, partitionsOf } from './partition-assignor';

/**
 * The sticky assignment of Java's AbstractStickyAssignor: balanced, and moving as few
 * partitions away from their current owners as balance allows. Two algorithms, chosen
 * as Java chooses:
 *
 * - every member subscribes to the same topics: the quota fill (Java's
 *   constrainedAssign). Each member keeps up to its quota of what it owns
 *   (floor(P/N), or ceil(P/N) for the first P%N members that own that many), and the
 *   rest is dealt round-robin to members below the floor, then one each to members at
 *   the floor until P%N members hold the ceiling.
 * - subscriptions differ: Java's generalAssign. Unowned partitions, those with the
 *   fewest eligible members first, go to the least-loaded eligible member; then a
 *   partition moves from its owner to a least-loaded eligible member while the owner
 *   has two or more partitions more than some member that could take it. A rebalance
 *   that does not improve on keeping what members own is undone.
 *
 * Where Java iterates a HashMap (member order while keeping owned partitions), members
 * are taken in member id order, so the result is deterministic. Racks are not
 * considered, and Java's ping-pong avoidance between generations (PartitionMovements)
 * is not reproduced: the result is balanced and sticky, not always Java's partition
 * for partition in the mixed-subscription case.
 */

export interface StickyMember {
  readonly memberId: string;
  readonly topics: readonly string[];
  /** What the member says it owns, in its order. */
  readonly ownedPartitions: readonly TopicPartition[];
  /** The generation of that ownership; a higher one wins a claim on the same partition. */
  readonly generation: number;
}

export interface StickyAssignment {
  /** An entry for every member, each list sorted by topic then partition. */
  readonly assignment: Map<string, TopicPartition[]>;
  /**
   * Partitions that two members of the same generation both claimed: neither claim is
   * trusted, and whoever gets one must wait until both claimants have revoked it.
   */
  readonly contested: ReadonlySet<string>;
}

export function stickyAssign(partitionsPerTopic: ReadonlyMap<string, number>, members: readonly StickyMember[]): StickyAssignment {
  const ordered = [...members].sort((a, b) => compareStrings(a.memberId, b.memberId));
  const subscribedTopics = new Set(ordered.flatMap((m) => m.topics));
  const topics = [...subscribedTopics].filter((t) => partitionsPerTopic.has(t)).sort(compareStrings);
  const allPartitions = topics.flatMap((t) => partitionsOf(t, partitionsPerTopic.get(t)!));
  const { owned, contested } = resolveOwnership(ordered, partitionsPerTopic, subscribedTopics);

  const assignment = ordered.length === 0 ? new Map<string, TopicPartition[]>() : sameSubscriptions(ordered)
    ? constrainedAssign(allPartitions, ordered.map((m) => m.memberId), owned)
    : generalAssign(allPartitions, ordered, owned);
  for (const list of assignment.values()) list.sort(compareTopicPartitions);
  return { assignment, contested };
}

/**
 * What each member may keep, from what it claims: partitions that still exist; a
 * partition claimed twice goes to the claimant of the newer generation, and to nobody
 * when both claims are of the same generation (Java logs that as an error: one of the
 * members is confused, and trusting either could have two consumers on one partition).
 */
function resolveOwnership(members: readonly StickyMember[], partitionsPerTopic: ReadonlyMap<string, number>, subscribedTopics: ReadonlySet<string>) {
  const owned = new Map<string, TopicPartition[]>();
  const claimant = new Map<string, StickyMember>();
  const contested = new Set<string>();
  for (const member of members) {
    const keep: TopicPartition[] = [];
    owned.set(member.memberId, keep);
    for (const tp of member.ownedPartitions) {
      const count = partitionsPerTopic.get(tp.topic);
      if (!subscribedTopics.has(tp.topic) || count === undefined || tp.partition < 0 || tp.partition >= count) continue;
      const key = topicPartitionKey(tp);
      const other = claimant.get(key);
      if (other === member) continue;
      if (other === undefined) {
        keep.push(tp);
        claimant.set(key, member);
      } else if (member.generation >= other.generation) {
        dropPartition(owned.get(other.memberId)!, tp);
        claimant.set(key, member);
        if (member.generation === other.generation) contested.add(key);
        else keep.push(tp);
      }
    }
  }
  for (const list of owned.values()) {
    for (let i = list.length - 1; i >= 0; i--) if (contested.has(topicPartitionKey(list[i]))) list.splice(i, 1);
  }
  return { owned, contested };
}

function dropPartition(list: TopicPartition[], tp: TopicPartition): void {
  const i = list.findIndex((p) => p.topic === tp.topic && p.partition === tp.partition);
  if (i >= 0) list.splice(i, 1);
}

function sameSubscriptions(members: readonly StickyMember[]): boolean {
  const first = new Set(members[0].topics);
  return members.every((m) => {
    const topics = new Set(m.topics);
    return topics.size === first.size && [...topics].every((t) => first.has(t));
  });
}

function constrainedAssign(allPartitions: readonly TopicPartition[], memberIds: readonly string[], owned: ReadonlyMap<string, TopicPartition[]>): Map<string, TopicPartition[]> {
  const total = allPartitions.length;
  const minQuota = Math.floor(total / memberIds.length);
  const maxQuota = Math.ceil(total / memberIds.length);
  const expectedOverMin = total % memberIds.length;
  let overMin = 0;
  const assignment = new Map<string, TopicPartition[]>(memberIds.map((id) => [id, []]));
  const assigned = new Set<string>();
  const belowMin: string[] = [];
  let atMin: string[] = [];
  const keep = (id: string, partitions: TopicPartition[]) => {
    assignment.get(id)!.push(...partitions);
    for (const tp of partitions) assigned.add(topicPartitionKey(tp));
  };

  for (const id of memberIds) {
    const mine = owned.get(id)!;
    if (mine.length < minQuota) {
      keep(id, mine);
      belowMin.push(id);
    } else if (mine.length >= maxQuota && overMin < expectedOverMin) {
      keep(id, mine.slice(0, maxQuota));
      overMin++;
      if (overMin === expectedOverMin) atMin = [];
    } else {
      keep(id, mine.slice(0, minQuota));
      if (overMin < expectedOverMin) atMin.push(id);
    }
  }

  belowMin.sort(compareStrings);
  atMin.sort(compareStrings);
  let next = 0;
  for (const tp of allPartitions) {
    if (assigned.has(topicPartitionKey(tp))) continue;
    if (belowMin.length > 0) {
      // Round-robin over the members below the floor; one that reaches it leaves the
      // deal and becomes a candidate for the ceiling.
      if (next >= belowMin.length) next = 0;
      const id = belowMin[next];
      const list = assignment.get(id)!;
      list.push(tp);
      if (list.length === minQuota) {
        belowMin.splice(next, 1);
        atMin.push(id);
      } else {
        next++;
      }
      continue;
    }
    const id = atMin.shift();
    if (id === undefined) throw new Error(`sticky assignment: no member can take ${tp.topic}-${tp.partition} (quota ${minQuota}-${maxQuota})`);
    assignment.get(id)!.push(tp);
    overMin++;
    if (overMin === expectedOverMin) atMin = [];
  }
  return assignment;
}

function generalAssign(allPartitions: readonly TopicPartition[], members: readonly StickyMember[], owned: ReadonlyMap<string, TopicPartition[]>): Map<string, TopicPartition[]> {
  const topicsOf = new Map(members.map((m) => [m.memberId, new Set(m.topics)]));
  const eligible = new Map<string, string[]>();
  for (const tp of allPartitions) {
    eligible.set(topicPartitionKey(tp), members.filter((m) => topicsOf.get(m.memberId)!.has(tp.topic)).map((m) => m.memberId));
  }
  const potentialCount = new Map(members.map((m) => [m.memberId, allPartitions.filter((tp) => topicsOf.get(m.memberId)!.has(tp.topic)).length]));

  const current = new Map<string, TopicPartition[]>();
  const ownerOf = new Map<string, string>();
  let revocationRequired = false;
  for (const m of members) {
    const keep = owned.get(m.memberId)!.filter((tp) => topicsOf.get(m.memberId)!.has(tp.topic));
    if (keep.length < owned.get(m.memberId)!.length) revocationRequired = true;
    current.set(m.memberId, [...keep]);
    for (const tp of keep) ownerOf.set(topicPartitionKey(tp), m.memberId);
  }
  const initializing = [...current.values()].every((list) => list.length === 0);

  const size = (id: string) => current.get(id)!.length;
  // Java's SubscriptionComparator order: fewest partitions first, then member id.
  const leastLoaded = (ids: readonly string[]) => ids.reduce((best, id) => (size(id) < size(best) || (size(id) === size(best) && id < best) ? id : best));
  const move = (tp: TopicPartition, to: string) => {
    const key = topicPartitionKey(tp);
    const from = ownerOf.get(key);
    if (from !== undefined) dropPartition(current.get(from)!, tp);
    current.get(to)!.push(tp);
    ownerOf.set(key, to);
  };

  const byFewestEligible = [...allPartitions].sort(
    (a, b) => eligible.get(topicPartitionKey(a))!.length - eligible.get(topicPartitionKey(b))!.length || compareTopicPartitions(a, b),
  );
  const unowned = byFewestEligible.filter((tp) => !ownerOf.has(topicPartitionKey(tp)));
  for (const tp of unowned) move(tp, leastLoaded(eligible.get(topicPartitionKey(tp))!));

  // Java's isBalanced: no member that could take more has a partition it could take held
  // by a member with two or more partitions more. Per topic, the largest owner is what
  // matters, which keeps the check linear.
  const isBalanced = (): boolean => {
    const sizes = members.map((m) => size(m.memberId));
    if (Math.min(...sizes) >= Math.max(...sizes) - 1) return true;
    const largestOwner = new Map<string, number>();
    for (const [id, list] of current) {
      for (const tp of list) largestOwner.set(tp.topic, Math.max(largestOwner.get(tp.topic) ?? 0, size(id)));
    }
    return members.every((m) => {
      const mine = size(m.memberId);
      if (mine >= potentialCount.get(m.memberId)!) return true;
      // A member's own partitions never count against it: it is not larger than itself by two.
      return [...topicsOf.get(m.memberId)!].every((topic) => (largestOwner.get(topic) ?? 0) <= mine + 1);
    });
  };
  const rebalance = (partitions: readonly TopicPartition[]): boolean => {
    let performed = false;
    let modified: boolean;
    do {
      modified = false;
      for (const tp of partitions) {
        if (isBalanced()) break;
        const candidates = eligible.get(topicPartitionKey(tp))!;
        const owner = ownerOf.get(topicPartitionKey(tp))!;
        if (candidates.some((other) => size(owner) > size(other) + 1)) {
          move(tp, leastLoaded(candidates));
          performed = modified = true;
        }
      }
    } while (modified);
    return performed;
  };

  // A partition only one member can take never moves.
  const movable = byFewestEligible.filter((tp) => eligible.get(topicPartitionKey(tp))!.length >= 2);
  const beforeRebalance = new Map([...current].map(([id, list]) => [id, [...list]]));
  if (!revocationRequired) rebalance(unowned.filter((tp) => eligible.get(topicPartitionKey(tp))!.length >= 2));
  const moved = rebalance(movable);
  if (!initializing && moved && balanceScore(current) >= balanceScore(beforeRebalance)) return beforeRebalance;
  return current;
}

/** Java's getBalanceScore: the sum of size differences over all pairs of members; 0 is perfect. */
function balanceScore(assignment: ReadonlyMap<string, readonly TopicPartition[]>): number {
  const sizes = [...assignment.values()].map((list) => list.length);
  let score = 0;
  for (let i = 0; i < sizes.length; i++) for (let j = i + 1; j < sizes.length; j++) score += Math.abs(sizes[i] - sizes[j]);
  return score;
}
