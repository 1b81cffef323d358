import type { CommittedOffsetInfo, ConsumerGroupDescription, TopicPartitionRef } from './admin-types';
import type { KafkaAdmin } from './kafka-admin';

/** One row of kafka-consumer-groups --describe; null where the tool prints '-'. */
export interface GroupPartitionOffsets extends TopicPartitionRef {
  readonly currentOffset: number | null;
  /** The high watermark, as Kafka's tool shows it under LOG-END-OFFSET. */
  readonly logEndOffset: number | null;
  readonly lag: number | null;
  readonly consumerId: string | null;
  readonly host: string | null;
  readonly clientId: string | null;
}

/**
 * What kafka-consumer-groups --describe shows of a group: a row per partition a member
 * owns or the group has an offset for, by topic and partition, with the lag against the
 * high watermark. A partition of a topic deleted since keeps its row (its offset is still
 * stored) without a log end or lag, instead of failing the whole description.
 */
export async function describeGroupOffsets(admin: KafkaAdmin, group: ConsumerGroupDescription, committed: readonly CommittedOffsetInfo[]): Promise<GroupPartitionOffsets[]> {
  const owners = new Map<string, ConsumerGroupDescription['members'][number]>();
  for (const member of group.members) for (const tp of member.assignment) owners.set(key(tp), member);
  const current = new Map(committed.filter((c) => c.offset >= 0).map((c) => [key(c), c.offset]));
  const partitions = new Map<string, TopicPartitionRef>();
  for (const tp of [...committed, ...group.members.flatMap((m) => m.assignment)]) partitions.set(key(tp), { topic: tp.topic, partition: tp.partition });
  const refs = [...partitions.values()].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));

  const existing = refs.length > 0 ? new Set(await admin.listTopics({ includeInternal: true })) : new Set<string>();
  const live = refs.filter((r) => existing.has(r.topic));
  const ends = new Map((live.length > 0 ? await admin.listOffsets(live, 'latest') : []).map((o) => [key(o), o.offset]));
  return refs.map((tp) => {
    const offset = current.get(key(tp)) ?? null;
    const end = ends.get(key(tp)) ?? null;
    const owner = owners.get(key(tp));
    return {
      topic: tp.topic,
      partition: tp.partition,
      currentOffset: offset,
      logEndOffset: end,
      lag: offset !== null && end !== null ? Math.max(0, end - offset) : null,
      consumerId: owner?.memberId ?? null,
      host: owner?.host ?? null,
      clientId: owner?.clientId ?? null,
    };
  });
}

function key(tp: TopicPartitionRef): string {
  return `${tp.topic}\u0000${tp.partition}`;
}
