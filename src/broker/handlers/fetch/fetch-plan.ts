import { ErrorCode } from '../../../protocol/errors/error-codes';
import type { FetchRequest } from '../../../protocol/schemas/fetch.schema';
import type { MetadataView } from '../../metadata/metadata-view';
import type { FetchPartitionData, FetchPartitionRequest } from '../../replica/replica-manager';

export interface PlannedPartition {
  readonly partition: number;
  /** Index into FetchPlan.readable, or -1 when `error` answers it. */
  readonly readIndex: number;
  readonly error?: FetchPartitionData;
}

export interface PlannedTopic {
  /** As the request named it (empty from v13, where topics go by id). */
  readonly name: string;
  readonly topicId: string;
  readonly partitions: readonly PlannedPartition[];
}

/** The request's topics in order, and the partitions that go to the ReplicaManager. */
export interface FetchPlan {
  readonly topics: readonly PlannedTopic[];
  readonly readable: FetchPartitionRequest[];
}

const EMPTY = Buffer.alloc(0);

/**
 * Maps a Fetch request onto partition reads. From v13 topics are named by id: an id the
 * metadata does not know answers UNKNOWN_TOPIC_ID for its partitions, as Kafka does.
 */
export function buildFetchPlan(request: FetchRequest, apiVersion: number, metadata: MetadataView): FetchPlan {
  const byId = apiVersion >= 13;
  const readable: FetchPartitionRequest[] = [];
  const topics = request.topics.map((topic): PlannedTopic => {
    const name = byId ? metadata.topicById(topic.topicId)?.name : topic.topic;
    const partitions = topic.partitions.map((p): PlannedPartition => {
      if (name === undefined) {
        return { partition: p.partition, readIndex: -1, error: { errorCode: ErrorCode.UNKNOWN_TOPIC_ID, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, records: EMPTY } };
      }
      readable.push({
        topic: name,
        partition: p.partition,
        fetchOffset: p.fetchOffset,
        partitionMaxBytes: p.partitionMaxBytes,
        currentLeaderEpoch: apiVersion >= 9 ? p.currentLeaderEpoch : -1,
        lastFetchedEpoch: apiVersion >= 12 ? p.lastFetchedEpoch : -1,
      });
      return { partition: p.partition, readIndex: readable.length - 1 };
    });
    return { name: topic.topic ?? '', topicId: topic.topicId, partitions };
  });
  return { topics, readable };
}
