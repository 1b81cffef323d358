import { topicPartitionKey, type TopicPartition } from '../../listener/types';
import { DEFAULT_GENERATION, emptyAssignment, type MemberSubscription, type PartitionAssignor } from './partition-assignor';
import { stickyAssign } from './sticky-assignment';

/** Java's CooperativeStickyAssignor userData (schema v0): one int32, the member's generation. */
const USER_DATA_BYTES = 4;

/**
 * Java's CooperativeStickyAssignor ("cooperative-sticky"): the sticky assignment,
 * then KIP-429's rule for incremental rebalancing. A partition given to a member that
 * another member still owns is withheld from this assignment: the owner sees it gone
 * and revokes it, which makes it rejoin, and the next assignment hands the partition
 * to its new owner. So no partition is ever owned by two members at once, and
 * partitions that stay put are never revoked.
 *
 * The generation travels where Java puts it: in the subscription's generationId
 * (protocol v2+) and, for members on v1, in the userData.
 */
export class CooperativeStickyAssignor implements PartitionAssignor {
  readonly name = 'cooperative-sticky';
  readonly supportedProtocols = ['COOPERATIVE', 'EAGER'] as const;

  subscriptionUserData(generationId: number): Buffer {
    const userData = Buffer.alloc(USER_DATA_BYTES);
    userData.writeInt32BE(generationId, 0);
    return userData;
  }

  assign(partitionsPerTopic: ReadonlyMap<string, number>, subscriptions: readonly MemberSubscription[]): Map<string, TopicPartition[]> {
    if (subscriptions.length === 0) return emptyAssignment(subscriptions);
    const { assignment, contested } = stickyAssign(
      partitionsPerTopic,
      subscriptions.map((s) => ({ memberId: s.memberId, topics: s.topics, ownedPartitions: s.ownedPartitions, generation: memberGeneration(s) })),
    );
    const withheld = partitionsChangingOwner(subscriptions, assignment, contested);
    for (const [memberId, partitions] of assignment) {
      assignment.set(memberId, partitions.filter((tp) => !withheld.has(topicPartitionKey(tp))));
    }
    return assignment;
  }
}

/** The generation a member's ownedPartitions are from, read as Java's memberData reads it. */
export function memberGeneration(subscription: Pick<MemberSubscription, 'generationId' | 'userData'>): number {
  if (subscription.generationId >= 0) return subscription.generationId;
  const userData = subscription.userData;
  return userData !== null && userData.length >= USER_DATA_BYTES ? userData.readInt32BE(0) : DEFAULT_GENERATION;
}

/**
 * Partitions the assignment gives a member that did not own them while some member
 * (by its own claim, whatever its generation) did and is losing them — or that two
 * members claimed at once. Those must be revoked before anyone gets them.
 */
function partitionsChangingOwner(
  subscriptions: readonly MemberSubscription[],
  assignment: ReadonlyMap<string, readonly TopicPartition[]>,
  contested: ReadonlySet<string>,
): Set<string> {
  const added = new Set<string>();
  const revoked = new Set<string>();
  const withheld = new Set<string>();
  for (const s of subscriptions) {
    const owned = new Set(s.ownedPartitions.map(topicPartitionKey));
    const assigned = new Set((assignment.get(s.memberId) ?? []).map(topicPartitionKey));
    for (const key of assigned) {
      if (!owned.has(key)) added.add(key);
      if (contested.has(key)) withheld.add(key);
    }
    for (const key of owned) if (!assigned.has(key)) revoked.add(key);
  }
  for (const key of added) if (revoked.has(key)) withheld.add(key);
  return withheld;
}
