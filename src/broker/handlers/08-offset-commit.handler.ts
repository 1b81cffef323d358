// Api: OffsetCommit (key 8) v0–v9; v0 is ZooKeeper-era and commits without a generation, as then.
import { Injectable } from '@nestjs/common';
import { ApiKey } from '../../protocol/api-key';
import { OffsetCommitApi, type OffsetCommitRequest, type OffsetCommitResponse } from '../../protocol/schemas/offset-commit.schema';
import { GroupCoordinator } from '../../coordinator/group-coordinator.service';
import type { OffsetCommitEntry } from '../../coordinator/offset-store';
import { KafkaApi } from '../api/kafka-api.decorator';
import type { KafkaApiHandler, RequestContext } from '../api/kafka-api-handler';

/** Commits consumed positions; answered once they are durable in the metadata store. */
@Injectable()
@KafkaApi(ApiKey.OffsetCommit)
export class OffsetCommitHandler implements KafkaApiHandler<typeof OffsetCommitApi> {
  readonly api = OffsetCommitApi;
  readonly versions = '0-9';

  constructor(private readonly coordinator: GroupCoordinator) {}

  async handle(request: OffsetCommitRequest, ctx: RequestContext): Promise<OffsetCommitResponse> {
    const entries: OffsetCommitEntry[] = [];
    for (const topic of request.topics) {
      for (const p of topic.partitions) {
        entries.push({ topic: topic.name, partition: p.partitionIndex, offset: p.committedOffset, metadata: p.committedMetadata ?? '' });
      }
    }
    const generationId = ctx.apiVersion >= 1 ? request.generationIdOrMemberEpoch : -1;
    const memberId = ctx.apiVersion >= 1 ? request.memberId : '';
    const errors = await this.coordinator.commitOffsets(request.groupId, generationId, { memberId, groupInstanceId: request.groupInstanceId }, entries);
    let next = 0;
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: errors[next++] })),
      })),
    };
  }
}
