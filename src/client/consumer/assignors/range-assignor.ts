import type { TopicPartition } from '../../listener/types';
import { compareMembers, compareTopicPartitions, emptyAssignment, partitionsOf, type MemberSubscription, type PartitionAssignor } from './partition-assignor';

/**
 * Java's RangeAssignor ("range"): topic by topic, the members subscribed to it in
 * MemberInfo order each take a contiguous range of its partitions; the first
 * `partitions % members` of them take one more. Topics are independent, so members
 * early in the order get the extra partition of every topic (the known skew of range
 * assignment, kept for compatibility). Racks are not considered.
 */
export class RangeAssignor implements PartitionAssignor {
  readonly name = 'range';
  readonly supportedProtocols = ['EAGER'] as const;

  subscriptionUserData(): Buffer | null {
    return null;
  }

  assign(partitionsPerTopic: ReadonlyMap<string, number>, subscriptions: readonly MemberSubscription[]): Map<string, TopicPartition[]> {
    const assignment = emptyAssignment(subscriptions);
    const membersByTopic = new Map<string, MemberSubscription[]>();
    for (const member of subscriptions) {
      for (const topic of new Set(member.topics)) {
        const members = membersByTopic.get(topic) ?? [];
        members.push(member);
        membersByTopic.set(topic, members);
      }
    }
    for (const [topic, members] of membersByTopic) {
      const count = partitionsPerTopic.get(topic);
      if (count === undefined) continue;
      const partitions = partitionsOf(topic, count);
      const ordered = [...members].sort(compareMembers);
      const perMember = Math.floor(count / ordered.length);
      const withExtra = count % ordered.length;
      ordered.forEach((member, i) => {
        const start = perMember * i + Math.min(i, withExtra);
        const length = perMember + (i < withExtra ? 1 : 0);
        assignment.get(member.memberId)!.push(...partitions.slice(start, start + length));
      });
    }
    for (const partitions of assignment.values()) partitions.sort(compareTopicPartitions);
    return assignment;
  }
}
