import type { TopicPartition } from '../../listener/types';
import { allSubscribedPartitions, compareMembers, emptyAssignment, type MemberSubscription, type PartitionAssignor } from './partition-assignor';

/**
 * Java's RoundRobinAssignor ("roundrobin"): every subscribed partition, sorted by
 * topic then partition, is dealt to the members in MemberInfo order in turn; a member
 * not subscribed to a partition's topic is skipped and the deal continues with the
 * next. With identical subscriptions the sizes differ by at most one.
 */
export class RoundRobinAssignor implements PartitionAssignor {
  readonly name = 'roundrobin';
  readonly supportedProtocols = ['EAGER'] as const;

  subscriptionUserData(): Buffer | null {
    return null;
  }

  assign(partitionsPerTopic: ReadonlyMap<string, number>, subscriptions: readonly MemberSubscription[]): Map<string, TopicPartition[]> {
    const assignment = emptyAssignment(subscriptions);
    const members = [...subscriptions].sort(compareMembers).map((s) => ({ memberId: s.memberId, topics: new Set(s.topics) }));
    let next = 0;
    for (const tp of allSubscribedPartitions(partitionsPerTopic, subscriptions)) {
      // Some member subscribes to every listed topic, so this stops within one lap.
      while (!members[next].topics.has(tp.topic)) next = (next + 1) % members.length;
      assignment.get(members[next].memberId)!.push(tp);
      next = (next + 1) % members.length;
    }
    return assignment;
  }
}
