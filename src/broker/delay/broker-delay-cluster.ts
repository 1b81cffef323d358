import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { BrokerConfig } from '../../config/broker.config';
import type { DelayCluster, ProduceResult, QueueReplica } from '../../coordinator/delay/delay-cluster';
import { ErrorCode } from '../../protocol/errors/error-codes';
import { ProduceApi } from '../../protocol/schemas/produce.schema';
import { interBrokerEndpoint } from '../metadata/broker-endpoints';
import { MetadataCache } from '../metadata/metadata-cache.service';
import { TcpBrokerChannel, type BrokerChannel } from '../replica/broker-channel';
import { ReplicaManager } from '../replica/replica-manager';
import { TopicAdmin } from '../topics/topic-admin.service';
import { DELAY_CLIENT_ID_PREFIX } from './delay-peer-check';

const PRODUCE_VERSION = 8;
const CONNECT_TIMEOUT_MS = 10_000;
const INTERNAL_TOPIC_CONFIGS = [
  { name: 'retention.ms', value: '-1' },
  { name: 'segment.bytes', value: String(100 * 1024 * 1024) },
];

/**
 * The delay scheduler's view of the broker: the local leader replicas of the delay topics,
 * and one way to append a batch to any partition — straight through the ReplicaManager when
 * this broker leads it, else as a Produce request to the leader over a broker channel (one
 * per broker, reopened after a failure).
 */
@Injectable()
export class BrokerDelayCluster implements DelayCluster, OnModuleDestroy {
  private readonly logger = new Logger('BrokerDelayCluster');
  private readonly channels = new Map<number, Promise<BrokerChannel>>();

  constructor(
    private readonly config: BrokerConfig,
    private readonly cache: MetadataCache,
    private readonly replicas: ReplicaManager,
    private readonly topicAdmin: TopicAdmin,
  ) {}

  onModuleDestroy(): void {
    for (const channel of this.channels.values()) void channel.then((c) => c.close(), () => undefined);
    this.channels.clear();
  }

  ledQueue(topic: string): QueueReplica | undefined {
    const info = this.cache.partition(topic, 0);
    if (!info || info.leader !== this.cache.localBrokerId) return undefined;
    const partition = this.replicas.getPartition(topic, 0);
    if (!partition?.isLeader || partition.leaderEpoch !== info.leaderEpoch) return undefined;
    const log = partition.log;
    return {
      leaderEpoch: partition.leaderEpoch,
      get isLeader() {
        return partition.isLeader;
      },
      get logStartOffset() {
        return log.logStartOffset;
      },
      get logEndOffset() {
        return log.logEndOffset;
      },
      get highWatermark() {
        return log.highWatermark;
      },
      read: (offset, maxBytes, maxOffset) => log.read(offset, maxBytes, { maxOffset, minOneBatch: true }).records,
      deleteRecordsBefore: (offset) => {
        const result = this.replicas.deleteRecords(topic, 0, offset);
        if (result.errorCode !== ErrorCode.NONE) this.logger.warn(`${topic}: log start not moved to ${offset}: error ${result.errorCode}`);
      },
    };
  }

  leaderOf(topic: string): number {
    return this.cache.partition(topic, 0)?.leader ?? -1;
  }

  partitionCount(topic: string): number {
    return this.cache.topic(topic)?.partitions.length ?? 0;
  }

  onChange(listener: () => void): () => void {
    return this.cache.onChange((change) => {
      if (change.kind === 'partition' || change.kind === 'brokers' || change.kind === 'topic-deleted') listener();
    });
  }

  async ensureTopics(topics: readonly string[]): Promise<void> {
    const missing = topics.filter((t) => !this.cache.topic(t));
    if (missing.length === 0) return;
    // As Kafka does for __consumer_offsets: creation waits (fails, and is tried again) until
    // enough brokers are alive for the configured factor. One node on the embedded store has one.
    const factor = this.config.usesEmbeddedStore ? 1 : this.config.delayTopicReplicationFactor;
    const outcomes = await this.topicAdmin.createTopics(
      // Held records must outlive any delay: never trimmed by age, only by their scheduler once
      // delivered; segments of 100 MiB (as __consumer_offsets) so trimmed space is freed soon.
      missing.map((name) => ({ name, numPartitions: 1, replicationFactor: factor, assignments: [], configs: INTERNAL_TOPIC_CONFIGS })),
      { timeoutMs: 0, anyBroker: true },
    );
    const failed = outcomes.filter((o) => o.errorCode !== ErrorCode.NONE && o.errorCode !== ErrorCode.TOPIC_ALREADY_EXISTS);
    if (failed.length > 0) throw new Error(failed.map((o) => `${o.name}: ${o.errorMessage ?? o.errorCode}`).join('; '));
  }

  async produce(topic: string, partition: number, batch: Buffer, acks: number, timeoutMs: number): Promise<ProduceResult> {
    const info = this.cache.partition(topic, partition);
    if (!info) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `${topic}-${partition} does not exist`, baseOffset: -1 };
    if (info.leader < 0) return { errorCode: ErrorCode.LEADER_NOT_AVAILABLE, baseOffset: -1 };
    // The log writes the offsets into the bytes it is given: every attempt gets its own copy.
    const records = Buffer.from(batch);
    if (info.leader === this.cache.localBrokerId) {
      // As the Produce handler appends what another broker's delay path sends (ProduceHandler.appendFromBroker).
      const outcome = await this.replicas.appendBrokerBuilt(topic, partition, acks, timeoutMs, records);
      return { errorCode: outcome.errorCode, errorMessage: outcome.errorMessage, baseOffset: outcome.baseOffset };
    }
    try {
      const channel = await this.channel(info.leader);
      const response = await channel.request(
        ProduceApi,
        PRODUCE_VERSION,
        // acks=0 gets no answer to wait for; a forwarded record is confirmed by its leader at least.
        { transactionalId: null, acks: acks === 0 ? 1 : acks, timeoutMs, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] },
        timeoutMs + CONNECT_TIMEOUT_MS,
      );
      const answer = response.responses[0]?.partitionResponses[0];
      if (!answer) return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: 'empty produce response', baseOffset: -1 };
      return { errorCode: answer.errorCode, errorMessage: answer.errorMessage, baseOffset: answer.baseOffset };
    } catch (error) {
      this.channels.delete(info.leader);
      return { errorCode: ErrorCode.NETWORK_EXCEPTION, errorMessage: error instanceof Error ? error.message : String(error), baseOffset: -1 };
    }
  }

  private channel(brokerId: number): Promise<BrokerChannel> {
    const open = this.channels.get(brokerId);
    if (open) {
      return open.then((channel) => {
        if (!channel.isClosed) return channel;
        this.channels.delete(brokerId);
        return this.channel(brokerId);
      });
    }
    const broker = this.cache.broker(brokerId);
    if (!broker) return Promise.reject(new Error(`broker ${brokerId} is not registered`));
    const endpoint = interBrokerEndpoint(broker);
    const connecting = TcpBrokerChannel.connect(endpoint.host, endpoint.port, CONNECT_TIMEOUT_MS, `${DELAY_CLIENT_ID_PREFIX}${this.cache.localBrokerId}`);
    connecting.catch((error: unknown) => {
      this.channels.delete(brokerId);
      this.logger.warn(`cannot reach broker ${brokerId} at ${endpoint.host}:${endpoint.port}: ${error instanceof Error ? error.message : error}`);
    });
    this.channels.set(brokerId, connecting);
    return connecting;
  }
}
