import { Injectable } from '@nestjs/common';
import type { ConsumerGroupListing, ListedOffset, TopicPartitionRef } from '../../client/admin/admin-types';
import type { KafkaAdmin } from '../../client/admin/kafka-admin';
import { KafkaClientError } from '../../client/errors';
import { ErrorCode } from '../../protocol/errors/error-codes';
import { AdminKafkaClients } from '../kafka/admin-kafka-clients';
import type { ResetOffsetsDto } from './consumer-group.dto';
import type { GroupDetails, GroupPartitionRow, ResetResult } from './consumer-group.views';

/**
 * Consumer groups at their coordinators, whichever broker is asked: described with
 * committed offsets and lag per partition as kafka-consumer-groups.sh does, offsets reset
 * the way its --reset-offsets does (only while nobody consumes), groups deleted.
 */
@Injectable()
export class ConsumerGroupsService {
  constructor(private readonly clients: AdminKafkaClients) {}

  async list(): Promise<ConsumerGroupListing[]> {
    const admin = await this.clients.admin();
    return (await admin.listConsumerGroups()).sort((a, b) => a.groupId.localeCompare(b.groupId));
  }

  async describe(groupId: string): Promise<GroupDetails> {
    const admin = await this.clients.admin();
    const [group] = await admin.describeConsumerGroups([groupId]);
    const committed = await admin.listConsumerGroupOffsets(groupId);
    // Kafka describes a group it has never heard of as Dead, with no members and no offsets.
    if (group.state === 'Dead' && committed.length === 0) throw new KafkaClientError(ErrorCode.GROUP_ID_NOT_FOUND, `consumer group '${groupId}' does not exist`);

    const owners = new Map<string, (typeof group.members)[number]>();
    for (const member of group.members) for (const tp of member.assignment) owners.set(key(tp), member);
    const partitions = new Map<string, TopicPartitionRef>();
    for (const tp of [...committed, ...group.members.flatMap((m) => m.assignment)]) partitions.set(key(tp), { topic: tp.topic, partition: tp.partition });
    const ends = await this.offsetsAt(admin, [...partitions.values()], 'latest');

    const rows = [...partitions.values()]
      .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
      .map((tp): GroupPartitionRow => {
        const current = committed.find((c) => c.topic === tp.topic && c.partition === tp.partition)?.offset ?? null;
        const end = ends.get(key(tp)) ?? null;
        const owner = owners.get(key(tp));
        return {
          topic: tp.topic,
          partition: tp.partition,
          currentOffset: current !== null && current >= 0 ? current : null,
          logEndOffset: end,
          lag: current !== null && current >= 0 && end !== null ? Math.max(0, end - current) : null,
          consumerId: owner?.memberId ?? null,
          host: owner?.host ?? null,
          clientId: owner?.clientId ?? null,
        };
      });
    return {
      groupId,
      state: group.state,
      protocolType: group.protocolType,
      protocol: group.protocol,
      coordinatorId: group.coordinatorId,
      members: group.members,
      partitions: rows,
    };
  }

  async resetOffsets(groupId: string, dto: ResetOffsetsDto): Promise<ResetResult> {
    const admin = await this.clients.admin();
    const targets = await this.resetTargets(admin, groupId, dto);
    const offsets = await this.targetOffsets(admin, targets, dto);
    const resolved = targets.map((tp) => ({ topic: tp.topic, partition: tp.partition, offset: offsets.get(key(tp))! }));
    await admin.alterConsumerGroupOffsets(groupId, resolved);
    return { groupId, offsets: resolved };
  }

  async delete(groupId: string): Promise<void> {
    const admin = await this.clients.admin();
    await admin.deleteConsumerGroups([groupId]);
  }

  /** The partitions a reset applies to: the named topic (or some of its partitions), else every partition the group has offsets for. */
  private async resetTargets(admin: KafkaAdmin, groupId: string, dto: ResetOffsetsDto): Promise<TopicPartitionRef[]> {
    if (dto.topic !== undefined) {
      const [topic] = await admin.describeTopics([dto.topic]);
      const count = topic.partitions.length;
      const missing = (dto.partitions ?? []).filter((p) => p >= count);
      if (missing.length > 0) {
        throw new KafkaClientError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic '${dto.topic}' has ${count} partition(s): no partition ${missing.join(', ')}`);
      }
      const partitions = dto.partitions ?? topic.partitions.map((p) => p.partition);
      return [...new Set(partitions)].sort((a, b) => a - b).map((partition) => ({ topic: dto.topic!, partition }));
    }
    const committed = await admin.listConsumerGroupOffsets(groupId);
    if (committed.length === 0) {
      throw new KafkaClientError(ErrorCode.GROUP_ID_NOT_FOUND, `consumer group '${groupId}' has no committed offsets to reset; name a topic to start it at one`);
    }
    return committed.map(({ topic, partition }) => ({ topic, partition }));
  }

  /** Where each partition goes, by kafka-consumer-groups' rules: an offset is clamped to the log, a timestamp after the last record means the log end. */
  private async targetOffsets(admin: KafkaAdmin, targets: readonly TopicPartitionRef[], dto: ResetOffsetsDto): Promise<Map<string, number>> {
    if (dto.to === 'earliest' || dto.to === 'latest') return this.offsetsAt(admin, targets, dto.to);
    if (dto.to === 'timestamp') {
      const [found, ends] = await Promise.all([this.offsetsAt(admin, targets, { timestamp: dto.timestamp! }), this.offsetsAt(admin, targets, 'latest')]);
      return new Map([...ends].map(([tp, end]) => [tp, (found.get(tp) ?? -1) >= 0 ? found.get(tp)! : end]));
    }
    const [starts, ends] = await Promise.all([this.offsetsAt(admin, targets, 'earliest'), this.offsetsAt(admin, targets, 'latest')]);
    return new Map([...ends].map(([tp, end]) => [tp, Math.min(Math.max(dto.offset!, starts.get(tp)!), end)]));
  }

  private async offsetsAt(admin: KafkaAdmin, partitions: readonly TopicPartitionRef[], spec: Parameters<KafkaAdmin['listOffsets']>[1]): Promise<Map<string, number>> {
    if (partitions.length === 0) return new Map();
    const listed: ListedOffset[] = await admin.listOffsets(partitions, spec);
    return new Map(listed.map((o) => [key(o), o.offset]));
  }
}

function key(tp: TopicPartitionRef): string {
  return `${tp.topic}\u0000${tp.partition}`;
}
