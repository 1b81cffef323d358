import { ErrorCode, type MetadataResponse } from '../../protocol';

export interface BrokerNode {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
}

export interface PartitionMetadata {
  readonly topic: string;
  readonly partition: number;
  /** -1 while the partition has no leader. */
  readonly leader: number;
  /** -1 when the broker does not say (Metadata before v7). */
  readonly leaderEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly offlineReplicas: readonly number[];
  readonly errorCode: number;
}

export interface TopicMetadata {
  readonly name: string;
  /** Kafka's UUID string form; the zero UUID from brokers before Metadata v10. */
  readonly topicId: string;
  readonly isInternal: boolean;
  /** Indexed by partition number. */
  readonly partitions: readonly PartitionMetadata[];
}

/** Topic errors after which waiting for the topic cannot help. */
const FATAL_TOPIC_ERRORS: ReadonlySet<number> = new Set([ErrorCode.INVALID_TOPIC_EXCEPTION, ErrorCode.TOPIC_AUTHORIZATION_FAILED]);

export function addressOf(node: { host: string; port: number }): string {
  return `${node.host}:${node.port}`;
}

/**
 * What the client knows of the cluster: live brokers, and the topics it asked about
 * with their partitions' leaders. Updated only from Metadata responses, merged rather
 * than replaced: a response that did not ask about a topic says nothing about it.
 *
 * A partition whose new leader epoch is older than the one cached is kept as cached:
 * the answer came from a broker that has not caught up yet, and following it would
 * send produce requests back to a former leader (Kafka's Metadata does the same).
 */
export class ClusterMetadata {
  private brokerMap = new Map<number, BrokerNode>();
  private readonly topicMap = new Map<string, TopicMetadata>();
  /** The last error a Metadata response gave for a topic it did not describe. */
  private readonly topicErrors = new Map<string, number>();
  clusterId: string | null = null;
  controllerId = -1;
  /** When the last response was merged (epoch ms); 0 before the first. */
  updatedAt = 0;
  /** Increases with every merged response. */
  version = 0;

  broker(nodeId: number): BrokerNode | undefined {
    return this.brokerMap.get(nodeId);
  }

  brokers(): BrokerNode[] {
    return [...this.brokerMap.values()];
  }

  topic(name: string): TopicMetadata | undefined {
    return this.topicMap.get(name);
  }

  topicNames(): string[] {
    return [...this.topicMap.keys()];
  }

  /** The topic's error from the last response that named it without describing it. */
  topicError(name: string): number | undefined {
    return this.topicErrors.get(name);
  }

  /** Whether `topicError` means the topic will not appear by waiting. */
  static isFatalTopicError(code: number | undefined): boolean {
    return code !== undefined && FATAL_TOPIC_ERRORS.has(code);
  }

  /**
   * Merges a Metadata response. `requested` is the topic list the request named, or null
   * when it asked for every topic: then topics missing from the answer were deleted.
   */
  update(response: MetadataResponse, requested: readonly string[] | null, now = Date.now()): void {
    const brokers = new Map<number, BrokerNode>();
    for (const b of response.brokers) brokers.set(b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack ?? null });
    this.brokerMap = brokers;
    this.clusterId = response.clusterId ?? null;
    this.controllerId = response.controllerId ?? -1;

    const seen = new Set<string>();
    for (const t of response.topics) {
      const name = t.name;
      if (name === null) continue;
      seen.add(name);
      if (t.errorCode !== ErrorCode.NONE) {
        this.topicErrors.set(name, t.errorCode);
        // LEADER_NOT_AVAILABLE while a topic is being auto-created carries no partitions yet.
        if (t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION || t.partitions.length === 0) this.topicMap.delete(name);
        if (t.partitions.length === 0) continue;
      } else {
        this.topicErrors.delete(name);
      }
      const cached = this.topicMap.get(name);
      const partitions: PartitionMetadata[] = [];
      for (const p of t.partitions) {
        const previous = cached?.partitions[p.partitionIndex];
        const epoch = p.leaderEpoch ?? -1;
        if (previous && previous.leaderEpoch >= 0 && epoch >= 0 && epoch < previous.leaderEpoch) {
          partitions[p.partitionIndex] = previous;
          continue;
        }
        partitions[p.partitionIndex] = {
          topic: name,
          partition: p.partitionIndex,
          leader: p.leaderId,
          leaderEpoch: epoch,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
          offlineReplicas: p.offlineReplicas ?? [],
          errorCode: p.errorCode,
        };
      }
      if (hasGaps(partitions)) continue;
      this.topicMap.set(name, { name, topicId: t.topicId, isInternal: t.isInternal, partitions });
    }
    if (requested === null) {
      for (const name of this.topicMap.keys()) if (!seen.has(name)) this.topicMap.delete(name);
    }
    this.updatedAt = now;
    this.version++;
  }
}

/** A partition list with holes is a broken answer; the previous view stays until a whole one arrives. */
function hasGaps(partitions: PartitionMetadata[]): boolean {
  for (let i = 0; i < partitions.length; i++) if (partitions[i] === undefined) return true;
  return false;
}
