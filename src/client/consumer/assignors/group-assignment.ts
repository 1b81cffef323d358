import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription, type TopicPartitions } from '../../../protocol/consumer-protocol';
import type { TopicPartition } from '../../listener/types';
import { compareStrings, compareTopicPartitions, type MemberSubscription, type PartitionAssignor } from './partition-assignor';

/**
 * The assignors' side of JoinGroup and SyncGroup, over the "consumer" embedded protocol
 * (src/protocol/consumer-protocol.ts): what a member puts in its JoinGroup protocol
 * metadata, what the leader does with every member's, and what a member reads from
 * its SyncGroup assignment.
 */

/**
 * Java 3.x clients send subscription v3 (ownedPartitions v1+, generationId v2+, rackId
 * v3+). Older readers read the prefix they know, so this is safe with any peer.
 */
export const SUBSCRIPTION_VERSION = 3;
/** Assignment v1 is Java's; v0 has the same fields. */
export const ASSIGNMENT_VERSION = 1;

/** A member as JoinGroup's response lists it to the leader. */
export interface JoinedMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly metadata: Buffer;
}

/** What a member tells the group about itself when it (re)joins. */
export interface SubscriptionState {
  readonly topics: readonly string[];
  /** Empty under EAGER: everything was revoked before rejoining. */
  readonly ownedPartitions: readonly TopicPartition[];
  /** The generation the member last synced in, DEFAULT_GENERATION before its first. */
  readonly generationId: number;
  readonly rackId?: string | null;
}

/** JoinGroup protocol metadata for one assignor. */
export function encodeMemberSubscription(assignor: PartitionAssignor, state: SubscriptionState): Buffer {
  return encodeSubscription(
    {
      topics: [...new Set(state.topics)].sort(compareStrings),
      userData: assignor.subscriptionUserData(state.generationId),
      ownedPartitions: groupByTopic(state.ownedPartitions),
      generationId: state.generationId,
      rackId: state.rackId ?? null,
    },
    SUBSCRIPTION_VERSION,
  );
}

/** Throws ProtocolError when the member's metadata is not a consumer subscription. */
export function decodeMemberSubscription(member: JoinedMember): MemberSubscription {
  const s = decodeSubscription(member.metadata);
  return {
    memberId: member.memberId,
    groupInstanceId: member.groupInstanceId,
    topics: s.topics,
    userData: s.userData,
    ownedPartitions: flatten(s.ownedPartitions),
    generationId: s.generationId,
    rackId: s.rackId,
  };
}

/**
 * The leader's work between JoinGroup and SyncGroup: every member's assignment,
 * encoded, in the shape SyncGroup's request takes. Every member gets an entry, an
 * empty assignment if it is given nothing.
 */
export function computeGroupAssignment(
  assignor: PartitionAssignor,
  partitionsPerTopic: ReadonlyMap<string, number>,
  members: readonly JoinedMember[],
): { memberId: string; assignment: Buffer }[] {
  const assignment = assignor.assign(partitionsPerTopic, members.map(decodeMemberSubscription));
  return members.map((m) => ({
    memberId: m.memberId,
    assignment: encodeAssignment({ assignedPartitions: groupByTopic(assignment.get(m.memberId) ?? []) }, ASSIGNMENT_VERSION),
  }));
}

/**
 * A member's partitions from SyncGroup's answer. An empty answer is an empty
 * assignment: the coordinator sends one to a member the leader left out.
 */
export function decodeMemberAssignment(bytes: Buffer): TopicPartition[] {
  if (bytes.length === 0) return [];
  return flatten(decodeAssignment(bytes).assignedPartitions).sort(compareTopicPartitions);
}

/** The protocol's shape: one entry per topic, topics and partitions in order. */
export function groupByTopic(partitions: readonly TopicPartition[]): TopicPartitions[] {
  const byTopic = new Map<string, number[]>();
  for (const tp of [...partitions].sort(compareTopicPartitions)) {
    const list = byTopic.get(tp.topic) ?? [];
    list.push(tp.partition);
    byTopic.set(tp.topic, list);
  }
  return [...byTopic].map(([topic, list]) => ({ topic, partitions: list }));
}

function flatten(entries: readonly TopicPartitions[]): TopicPartition[] {
  return entries.flatMap(({ topic, partitions }) => partitions.map((partition) => ({ topic, partition })));
}
