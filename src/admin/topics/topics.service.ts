import { Injectable } from '@nestjs/common';
import type { ListedOffset, OffsetSpec, ReplicaLogDirInfo, TopicDescription } from '../../client/admin/admin-types';
import type { KafkaAdmin } from '../../client/admin/kafka-admin';
import { AdminKafkaClients } from '../kafka/admin-kafka-clients';
import type { TopicDetails, TopicSummary } from './topic.views';
import type { CreatePartitionsDto, CreateTopicDto } from './topic.dto';

/** How long create/delete/add-partitions wait for the controller to apply the change, as kafka-topics.sh does. */
const TOPIC_CHANGE_TIMEOUT_MS = 10_000;

/**
 * Topics as an admin tool sees them, whichever broker is asked: metadata from any broker,
 * creation and deletion at the controller, offsets at each partition's leader, sizes from
 * every broker's log dirs (all through KafkaAdmin).
 */
@Injectable()
export class TopicsService {
  constructor(private readonly clients: AdminKafkaClients) {}

  async list(): Promise<TopicSummary[]> {
    const admin = await this.clients.admin();
    const names = await admin.listTopics({ includeInternal: true });
    if (names.length === 0) return [];
    const topics = await admin.describeTopics(names);
    return topics.map(summaryOf).sort((a, b) => a.name.localeCompare(b.name));
  }

  async create(dto: CreateTopicDto): Promise<TopicDetails> {
    const admin = await this.clients.admin();
    await admin.createTopics(
      [{ name: dto.name, numPartitions: dto.partitions ?? -1, replicationFactor: dto.replicationFactor ?? -1, configs: dto.configs ?? {} }],
      { timeoutMs: TOPIC_CHANGE_TIMEOUT_MS },
    );
    return this.describeWith(admin, dto.name);
  }

  async describe(name: string): Promise<TopicDetails> {
    return this.describeWith(await this.clients.admin(), name);
  }

  async delete(name: string): Promise<void> {
    const admin = await this.clients.admin();
    await admin.deleteTopics([name], { timeoutMs: TOPIC_CHANGE_TIMEOUT_MS });
  }

  async addPartitions(name: string, dto: CreatePartitionsDto): Promise<TopicDetails> {
    const admin = await this.clients.admin();
    await admin.createPartitions(name, dto.count, { timeoutMs: TOPIC_CHANGE_TIMEOUT_MS });
    return this.describeWith(admin, name);
  }

  private async describeWith(admin: KafkaAdmin, name: string): Promise<TopicDetails> {
    const [topic] = await admin.describeTopics([name]);
    // Offsets only come from a leader; a leaderless partition is still described.
    const led = topic.partitions.filter((p) => p.leader >= 0).map((p) => ({ topic: name, partition: p.partition }));
    const offsets = (spec: OffsetSpec): Promise<ListedOffset[]> => (led.length > 0 ? admin.listOffsets(led, spec) : Promise.resolve([]));
    const [configs, earliest, latest, logEnd, logDirs] = await Promise.all([
      admin.describeTopicConfigs(name),
      offsets('earliest'),
      offsets('latest'),
      offsets('logEnd'),
      this.replicaLogDirs(admin, topic),
    ]);
    return {
      name: topic.name,
      topicId: topic.topicId,
      internal: topic.isInternal,
      configs,
      partitions: topic.partitions.map((p) => {
        const replicaLogs = logDirs
          .filter((r) => r.partition === p.partition)
          .map(({ brokerId, logDir, sizeBytes }) => ({ brokerId, logDir, sizeBytes }))
          .sort((a, b) => a.brokerId - b.brokerId);
        return {
          partition: p.partition,
          leader: p.leader,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicas,
          isr: p.isr,
          offlineReplicas: p.offlineReplicas,
          logStartOffset: offsetOf(earliest, p.partition),
          highWatermark: offsetOf(latest, p.partition),
          logEndOffset: offsetOf(logEnd, p.partition),
          sizeBytes: replicaLogs.find((r) => r.brokerId === p.leader)?.sizeBytes ?? null,
          replicaLogs,
        };
      }),
    };
  }

  /**
   * The log dirs of the brokers holding the topic's online replicas, each asked on its own
   * so one that fails leaves only its own replicas without a size.
   */
  private async replicaLogDirs(admin: KafkaAdmin, topic: TopicDescription): Promise<ReplicaLogDirInfo[]> {
    const brokers = new Set(topic.partitions.flatMap((p) => p.replicas.filter((id) => !p.offlineReplicas.includes(id))));
    const perBroker = await Promise.all([...brokers].map((id) => admin.describeLogDirs([id]).catch((): ReplicaLogDirInfo[] => [])));
    return perBroker.flat().filter((r) => r.topic === topic.name);
  }
}

function summaryOf(topic: TopicDescription): TopicSummary {
  return {
    name: topic.name,
    topicId: topic.topicId,
    internal: topic.isInternal,
    partitions: topic.partitions.length,
    replicationFactor: topic.partitions[0]?.replicas.length ?? 0,
    underReplicatedPartitions: topic.partitions.filter((p) => p.isr.length < p.replicas.length).length,
  };
}

function offsetOf(offsets: readonly ListedOffset[], partition: number): number | null {
  return offsets.find((o) => o.partition === partition)?.offset ?? null;
}

