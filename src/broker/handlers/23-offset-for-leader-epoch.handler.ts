// Api: OffsetForLeaderEpoch (key 23) v0–v4; not supported: nothing a Kafka leader answers is left out (followers and debugging clients get NOT_LEADER_OR_FOLLOWER, as from Kafka).
import { Injectable } from '@nestjs/common';
import { ApiKey } from '../../protocol/api-key';
import {
  OffsetForLeaderEpochApi,
  type OffsetForLeaderEpochRequest,
  type OffsetForLeaderEpochResponse,
} from '../../protocol/schemas/offset-for-leader-epoch.schema';
import { KafkaApi } from '../api/kafka-api.decorator';
import type { KafkaApiHandler } from '../api/kafka-api-handler';
import { ReplicaManager } from '../replica/replica-manager';

/**
 * Where each requested leader epoch ends in this leader's log: the start offset of the
 * first later epoch, or the log end for the current one, with the largest epoch at or
 * below the requested one (-1/-1 when the log knows none). Followers truncate by it after
 * a leader change; consumers (KIP-320) use it to detect truncation. currentLeaderEpoch
 * fences as in Fetch: older → FENCED_LEADER_EPOCH, newer → UNKNOWN_LEADER_EPOCH; a broker
 * that does not lead the partition → NOT_LEADER_OR_FOLLOWER.
 */
@Injectable()
@KafkaApi(ApiKey.OffsetForLeaderEpoch)
export class OffsetForLeaderEpochHandler implements KafkaApiHandler<typeof OffsetForLeaderEpochApi> {
  readonly api = OffsetForLeaderEpochApi;
  readonly versions = '0-4';

  constructor(private readonly replicas: ReplicaManager) {}

  handle(request: OffsetForLeaderEpochRequest): OffsetForLeaderEpochResponse {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({
        topic: topic.topic,
        partitions: topic.partitions.map((p) => ({
          partition: p.partition,
          ...this.replicas.lastOffsetForLeaderEpoch(topic.topic, p.partition, p.currentLeaderEpoch, p.leaderEpoch),
        })),
      })),
    };
  }
}
