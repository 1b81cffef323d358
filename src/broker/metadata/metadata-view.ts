/**
 * What every broker knows of the cluster: brokers, topics, each partition's replicas,
 * leader, ISR and leader epoch, and topic configs — a read-only snapshot fed from the
 * metadata store (/brokers/ids, /brokers/topics/..., partition state nodes, topic
 * configs) by MetadataCache, and updated as those nodes change.
 *
 * Handlers answer Metadata/DescribeCluster from it; ReplicaManager learns from it
 * which partitions this broker leads or follows. On one node with the embedded store
 * the same code runs: the store is just local.
 */
export interface BrokerInfo {
  readonly id: number;
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
  /** Advertised endpoints, `NAME://host:port`. */
  readonly endpoints: readonly string[];
  /** Its REST admin (`http://host:port`) once it listens; absent without an admin server. */
  readonly adminUrl?: string;
}

export interface PartitionInfo {
  readonly topic: string;
  readonly partition: number;
  /** Broker ids in preference order (the first is the preferred leader). */
  readonly replicas: readonly number[];
  /** -1 when the partition has no leader. */
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  /** Replicas on brokers that are not alive. */
  readonly offlineReplicas: readonly number[];
}

export interface TopicInfo {
  readonly name: string;
  /** Kafka's base64url UUID, assigned at creation and kept in /brokers/topics/{topic}. */
  readonly topicId: string;
  readonly internal: boolean;
  /** Indexed by partition number. */
  readonly partitions: readonly PartitionInfo[];
  /** Topic-level overrides only (retention.ms, segment.bytes, ...). */
  readonly configs: Readonly<Record<string, string>>;
}

export type MetadataChange =
  | { readonly kind: 'partition'; readonly partition: PartitionInfo }
  | { readonly kind: 'topic-deleted'; readonly topic: string; readonly topicId: string }
  | { readonly kind: 'topic-config'; readonly topic: string; readonly configs: Readonly<Record<string, string>> }
  | { readonly kind: 'brokers'; readonly brokers: readonly BrokerInfo[] }
  /** A controller was elected (or -1: none is, for the moment). */
  | { readonly kind: 'controller'; readonly controllerId: number };

export interface MetadataView {
  readonly localBrokerId: number;
  clusterId(): string;
  /** The controller's broker id, -1 when none is elected. */
  controllerId(): number;
  liveBrokers(): readonly BrokerInfo[];
  broker(id: number): BrokerInfo | undefined;
  topics(): Iterable<TopicInfo>;
  topic(name: string): TopicInfo | undefined;
  topicById(topicId: string): TopicInfo | undefined;
  partition(topic: string, partition: number): PartitionInfo | undefined;
  /** Called after the snapshot changed; returns an unsubscribe function. */
  onChange(listener: (change: MetadataChange) => void): () => void;
}

/** Nest injection token for the MetadataView implementation. */
export const METADATA_VIEW = Symbol('METADATA_VIEW');
