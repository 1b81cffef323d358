// Api: ListOffsets (key 2) v0–v9; not supported: tiered storage (-5 latest tiered answers offset -1), v0's list of segment offsets (v0 answers one offset).
import { Injectable } from '@nestjs/common';
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/errors/error-codes';
import { ListOffsetsApi, type ListOffsetsRequest, type ListOffsetsResponse } from '../../protocol/schemas/list-offsets.schema';
import { KafkaApi } from '../api/kafka-api.decorator';
import type { KafkaApiHandler, RequestContext } from '../api/kafka-api-handler';
import { ReplicaManager } from '../replica/replica-manager';

/**
 * Earliest (-2, and -4 earliest local), latest (-1: the high watermark for consumers, the
 * last stable offset for READ_COMMITTED — the same without transactions), max timestamp
 * (-3) and by timestamp, per partition. v0 answers in its old form, a list holding the one
 * offset (empty when none).
 */
@Injectable()
@KafkaApi(ApiKey.ListOffsets)
export class ListOffsetsHandler implements KafkaApiHandler<typeof ListOffsetsApi> {
  readonly api = ListOffsetsApi;
  readonly versions = '0-9';

  constructor(private readonly replicas: ReplicaManager) {}

  handle(request: ListOffsetsRequest, context: RequestContext): ListOffsetsResponse {
    const version = context.apiVersion;
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((p) => {
          const result = this.replicas.listOffset({
            topic: topic.name,
            partition: p.partitionIndex,
            timestamp: p.timestamp,
            currentLeaderEpoch: version >= 4 ? p.currentLeaderEpoch : -1,
            replicaId: request.replicaId,
            isolationLevel: version >= 2 ? request.isolationLevel : undefined,
          });
          return {
            partitionIndex: p.partitionIndex,
            errorCode: result.errorCode,
            oldStyleOffsets: result.errorCode === ErrorCode.NONE && result.offset >= 0 ? [result.offset] : [],
            timestamp: result.timestamp,
            offset: result.offset,
            leaderEpoch: result.leaderEpoch,
          };
        }),
      })),
    };
  }
}
