// The consumer protocol as the coordinator reads it: only to publish /consumers/{group}
// (subscriptions, owners) and to know which topics a group subscribes to. The broker never
// depends on it, so metadata or assignments it cannot read are allowed and skipped.
import { CONSUMER_PROTOCOL_TYPE, decodeAssignment, decodeSubscription } from '../protocol/consumer-protocol';
import type { ConsumerGroup, GroupMember } from './consumer-group';
import type { GroupRegistry } from './consumer-registry-publisher';

/** The union of the members' subscriptions; null unless every member's is readable consumer-protocol metadata. */
export function subscribedTopics(group: ConsumerGroup): Set<string> | null {
  if (group.protocolType !== CONSUMER_PROTOCOL_TYPE || group.protocolName === null) return null;
  const topics = new Set<string>();
  for (const member of group.members.values()) {
    const subscription = subscriptionOf(member, group.protocolName);
    if (subscription === null) return null;
    for (const topic of subscription) topics.add(topic);
  }
  return topics;
}

/** The group's members and partition owners as /consumers/{group} shows them. */
export function registryOf(group: ConsumerGroup): GroupRegistry {
  const consumer = group.protocolType === CONSUMER_PROTOCOL_TYPE;
  const members = new Map();
  const owners = new Map<string, Map<number, string>>();
  for (const m of group.members.values()) {
    const topics = (consumer && subscriptionOf(m, group.protocolName!)) || [];
    members.set(m.memberId, { subscription: Object.fromEntries(topics.map((t) => [t, 1])), clientId: m.clientId, host: m.clientHost });
    for (const { topic, partitions } of consumer ? assignmentOf(m) : []) {
      let byPartition = owners.get(topic);
      if (!byPartition) owners.set(topic, (byPartition = new Map()));
      for (const p of partitions) byPartition.set(p, m.memberId);
    }
  }
  return { members, owners };
}

function subscriptionOf(member: GroupMember, protocolName: string): string[] | null {
  try {
    return decodeSubscription(member.metadataFor(protocolName)).topics;
  } catch {
    return null; // Opaque to us, and that is allowed: the broker does not depend on it.
  }
}

function assignmentOf(member: GroupMember): { topic: string; partitions: number[] }[] {
  if (member.assignment.length === 0) return [];
  try {
    return decodeAssignment(member.assignment).assignedPartitions;
  } catch {
    return [];
  }
}
