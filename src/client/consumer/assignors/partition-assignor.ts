import type { TopicPartition } from '../../listener/types';

/**
 * How members give up partitions in a rebalance (KIP-429). EAGER: every member revokes
 * everything before it rejoins. COOPERATIVE: a member keeps what it owns and revokes
 * only what the new assignment takes away; a partition that moves is withheld from its
 * new owner for one generation, so no partition is ever owned twice.
 */
export type RebalanceProtocol = 'EAGER' | 'COOPERATIVE';

/** Java's ConsumerPartitionAssignor DEFAULT_GENERATION: no generation known. */
export const DEFAULT_GENERATION = -1;

/** One member's JoinGroup metadata, decoded (ConsumerProtocolSubscription). */
export interface MemberSubscription {
  readonly memberId: string;
  /** group.instance.id of a static member (KIP-345), null for a dynamic one. */
  readonly groupInstanceId: string | null;
  readonly topics: readonly string[];
  readonly userData: Buffer | null;
  /** What the member owns now (subscription v1+); empty under EAGER. */
  readonly ownedPartitions: readonly TopicPartition[];
  /** The generation `ownedPartitions` belongs to (subscription v2+), DEFAULT_GENERATION if unknown. */
  readonly generationId: number;
  readonly rackId: string | null;
}

/**
 * Java's ConsumerPartitionAssignor, reduced to what the SDK needs and made stateless:
 * the group leader runs `assign` over every member's subscription; every member puts
 * `subscriptionUserData` in its own subscription.
 */
export interface PartitionAssignor {
  /** The protocol name in JoinGroup; must equal the Java assignor's so mixed groups agree. */
  readonly name: string;
  /** Preferred first. The consumer uses COOPERATIVE only if every configured assignor supports it. */
  readonly supportedProtocols: readonly RebalanceProtocol[];
  /** The member's userData for its next JoinGroup; `generationId` is the generation it last synced in. */
  subscriptionUserData(generationId: number): Buffer | null;
  /**
   * The assignment for every member of `subscriptions` (an entry for each, possibly
   * empty). `partitionsPerTopic` holds the partition count of each subscribed topic the
   * leader has metadata for; a topic missing from it is left unassigned, as in Java.
   * Each member's list is sorted by topic, then partition.
   */
  assign(partitionsPerTopic: ReadonlyMap<string, number>, subscriptions: readonly MemberSubscription[]): Map<string, TopicPartition[]>;
}

/**
 * Java's MemberInfo order: static members first, by group.instance.id, then dynamic
 * members by member id. UTF-16 code unit order, which is what String.compareTo uses.
 */
export function compareMembers(a: Pick<MemberSubscription, 'memberId' | 'groupInstanceId'>, b: Pick<MemberSubscription, 'memberId' | 'groupInstanceId'>): number {
  if (a.groupInstanceId !== null && b.groupInstanceId !== null) return compareStrings(a.groupInstanceId, b.groupInstanceId);
  if (a.groupInstanceId !== null) return -1;
  if (b.groupInstanceId !== null) return 1;
  return compareStrings(a.memberId, b.memberId);
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Topic, then partition: the order Java sorts TopicPartitions in. */
export function compareTopicPartitions(a: TopicPartition, b: TopicPartition): number {
  return compareStrings(a.topic, b.topic) || a.partition - b.partition;
}


/** Partitions 0..count-1 of a topic, in order. */
export function partitionsOf(topic: string, count: number): TopicPartition[] {
  return Array.from({ length: count }, (_, partition) => ({ topic, partition }));
}

/** Every partition of the subscribed topics that have metadata, sorted by topic then partition. */
export function allSubscribedPartitions(partitionsPerTopic: ReadonlyMap<string, number>, subscriptions: readonly MemberSubscription[]): TopicPartition[] {
  const topics = [...new Set(subscriptions.flatMap((s) => s.topics))].sort(compareStrings);
  return topics.flatMap((topic) => {
    const count = partitionsPerTopic.get(topic);
    return count === undefined ? [] : partitionsOf(topic, count);
  });
}

export function emptyAssignment(subscriptions: readonly MemberSubscription[]): Map<string, TopicPartition[]> {
  return new Map(subscriptions.map((s) => [s.memberId, []]));
}
