// Api: OffsetDelete (key 47) v0.
import { Injectable } from '@nestjs/common';
import { ApiKey } from '../../protocol/api-key';
import { OffsetDeleteApi, type OffsetDeleteRequest, type OffsetDeleteResponse } from '../../protocol/schemas/offset-delete.schema';
import { GroupCoordinator } from '../../coordinator/group-coordinator.service';
import { KafkaApi } from '../api/kafka-api.decorator';
import type { KafkaApiHandler } from '../api/kafka-api-handler';

/** Deletes a group's committed offsets, except for topics the group still subscribes to. */
@Injectable()
@KafkaApi(ApiKey.OffsetDelete)
export class OffsetDeleteHandler implements KafkaApiHandler<typeof OffsetDeleteApi> {
  readonly api = OffsetDeleteApi;
  readonly versions = '0';

  constructor(private readonly coordinator: GroupCoordinator) {}

  async handle(request: OffsetDeleteRequest): Promise<OffsetDeleteResponse> {
    const wanted = request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => p.partitionIndex) }));
    const { errorCode, partitions } = await this.coordinator.deleteOffsets(request.groupId, wanted);
    return {
      errorCode,
      throttleTimeMs: 0,
      topics:
        errorCode === 0
          ? request.topics.map((t, i) => ({ name: t.name, partitions: t.partitions.map((p, j) => ({ partitionIndex: p.partitionIndex, errorCode: partitions[i][j] })) }))
          : [],
    };
  }
}
