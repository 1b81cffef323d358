import type { BrokerNode, PartitionMetadata } from '../cluster/cluster-metadata';
import type { IsolationLevel } from '../consumer/consumer-options';

/**
 * What KafkaAdmin (kafka-admin.ts) answers, in the shapes of Java's Admin client where
 * they fit. Failures are thrown as KafkaAdminError carrying the Kafka error code of the
 * first failed item and the per-item codes, so callers (the REST admin, the CLI) can
 * map UNKNOWN_TOPIC_OR_PARTITION to 404 and TOPIC_ALREADY_EXISTS to 409 without parsing text.
 */

export interface ClusterDescription {
  readonly clusterId: string | null;
  /** -1 when no controller is known. */
  readonly controllerId: number;
  readonly brokers: readonly BrokerNode[];
}

export interface NewTopicSpec {
  readonly name: string;
  /** -1: the broker's num.partitions. Ignored when `assignments` is given. */
  readonly numPartitions?: number;
  /** -1: the broker's default.replication.factor. Ignored when `assignments` is given. */
  readonly replicationFactor?: number;
  /** Partition index → broker ids, for explicit placement. */
  readonly assignments?: Readonly<Record<number, readonly number[]>>;
  readonly configs?: Readonly<Record<string, string>>;
}

export interface TopicDescription {
  readonly name: string;
  readonly topicId: string;
  readonly isInternal: boolean;
  /** Indexed by partition number. */
  readonly partitions: readonly PartitionMetadata[];
}

export interface TopicConfigEntry {
  readonly name: string;
  readonly value: string | null;
  readonly isDefault: boolean;
  readonly isSensitive: boolean;
  readonly readOnly: boolean;
}

/**
 * Where ListOffsets should look: the log start; the latest offset a consumer may read (the
 * high watermark, or the last stable offset for read_committed); the leader's log end,
 * committed or not (asked as a debugging client, replica id -2, as Kafka's tools do); or
 * the first offset at or after a timestamp.
 */
export type OffsetSpec = 'earliest' | 'latest' | 'logEnd' | { readonly timestamp: number };

/** Java's ListOffsetsOptions. */
export interface ListOffsetsOptions {
  /** Which records 'latest' and timestamp lookups may reach (default read_uncommitted); ignored by 'logEnd'. */
  readonly isolationLevel?: IsolationLevel;
}

export interface TopicPartitionRef {
  readonly topic: string;
  readonly partition: number;
}

export interface ListedOffset extends TopicPartitionRef {
  /** -1 when a timestamp lookup found no record at or after it. */
  readonly offset: number;
  readonly timestamp: number;
  readonly leaderEpoch: number;
}

/** One partition's replica on one broker, from DescribeLogDirs. */
export interface ReplicaLogDirInfo extends TopicPartitionRef {
  readonly brokerId: number;
  readonly logDir: string;
  readonly sizeBytes: number;
  readonly offsetLag: number;
}

export interface ConsumerGroupListing {
  readonly groupId: string;
  /** Kafka's state names: Empty, PreparingRebalance, CompletingRebalance, Stable, Dead. */
  readonly state: string;
  /** 'consumer' for Kafka consumers; '' for groups that only commit offsets. */
  readonly protocolType: string;
  readonly coordinatorId: number;
}

export interface ConsumerGroupMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly host: string;
  /** Decoded from the consumer protocol when protocolType is 'consumer'; empty otherwise. */
  readonly assignment: readonly TopicPartitionRef[];
}

export interface ConsumerGroupDescription {
  readonly groupId: string;
  readonly state: string;
  readonly protocolType: string;
  /** The assignor the group chose ('range', 'cooperative-sticky', ...). */
  readonly protocol: string;
  readonly coordinatorId: number;
  readonly members: readonly ConsumerGroupMember[];
}

export interface CommittedOffsetInfo extends TopicPartitionRef {
  readonly offset: number;
  readonly metadata: string | null;
}

export interface AlterOffsetSpec extends TopicPartitionRef {
  readonly offset: number;
  readonly metadata?: string;
}
