// Api: DeleteRecords (key 21) v0–v2; not supported: waiting for followers' log start offsets (the cluster issue; on one node the leader's is the low watermark).
import { Injectable } from '@nestjs/common';
import { ApiKey } from '../../protocol/api-key';
import { DeleteRecordsApi, type DeleteRecordsRequest, type DeleteRecordsResponse } from '../../protocol/schemas/delete-records.schema';
import { KafkaApi } from '../api/kafka-api.decorator';
import type { KafkaApiHandler } from '../api/kafka-api-handler';
import { ReplicaManager } from '../replica/replica-manager';

/** Moves each partition's log start offset up to the given offset (-1: the high watermark). */
@Injectable()
@KafkaApi(ApiKey.DeleteRecords)
export class DeleteRecordsHandler implements KafkaApiHandler<typeof DeleteRecordsApi> {
  readonly api = DeleteRecordsApi;
  readonly versions = '0-2';

  constructor(private readonly replicas: ReplicaManager) {}

  handle(request: DeleteRecordsRequest): DeleteRecordsResponse {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((p) => ({ partitionIndex: p.partitionIndex, ...this.replicas.deleteRecords(topic.name, p.partitionIndex, p.offset) })),
      })),
    };
  }
}
