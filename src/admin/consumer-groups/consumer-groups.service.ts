import { Injectable } from '@nestjs/common';
import type { ConsumerGroupListing, ListedOffset, TopicPartitionRef } from '../../client/admin/admin-types';
import { describeGroupOffsets } from '../../client/admin/group-offsets';
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

    const rows: GroupPartitionRow[] = await describeGroupOffsets(admin, group, committed);
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
