// Api: OffsetFetch (key 9) v0–v9; v8+ asks for several groups at once (KIP-709).
import { Injectable } from '@nestjs/common';
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/errors/error-codes';
import { OffsetFetchApi, type OffsetFetchRequest, type OffsetFetchResponse } from '../../protocol/schemas/offset-fetch.schema';
import { GroupCoordinator } from '../../coordinator/group-coordinator.service';
import { KafkaApi } from '../api/kafka-api.decorator';
import type { KafkaApiHandler, RequestContext } from '../api/kafka-api-handler';

type Wanted = { name: string; partitionIndexes: number[] }[] | null;

/** Committed offsets: -1 with no error for partitions the group never committed. */
@Injectable()
@KafkaApi(ApiKey.OffsetFetch)
export class OffsetFetchHandler implements KafkaApiHandler<typeof OffsetFetchApi> {
  readonly api = OffsetFetchApi;
  readonly versions = '0-9';

  constructor(private readonly coordinator: GroupCoordinator) {}

  async handle(request: OffsetFetchRequest, ctx: RequestContext): Promise<OffsetFetchResponse> {
    if (ctx.apiVersion >= 8) {
      const groups = await Promise.all(request.groups.map(async (g) => ({ groupId: g.groupId, ...(await this.fetch(g.groupId, g.topics, false)) })));
      return { throttleTimeMs: 0, topics: [], errorCode: ErrorCode.NONE, groups };
    }
    // Before v2 there is no top-level error: a group-level one goes on every partition asked for.
    const { errorCode, topics } = await this.fetch(request.groupId, request.topics, ctx.apiVersion < 2);
    if (ctx.apiVersion === 0) {
      // v0 (ZooKeeper-era) reports a partition without a committed offset as unknown.
      for (const p of topics.flatMap((t) => t.partitions)) if (p.committedOffset < 0 && p.errorCode === 0) p.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    }
    return { throttleTimeMs: 0, topics, errorCode, groups: [] };
  }

  private async fetch(groupId: string, wanted: Wanted, errorPerPartition: boolean) {
    const result = await this.coordinator.fetchOffsets(groupId, wanted && wanted.map((t) => ({ name: t.name, partitions: t.partitionIndexes })));
    const failed = result.errorCode !== ErrorCode.NONE;
    const topics =
      failed && errorPerPartition && wanted
        ? wanted.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partition) => ({ partition, offset: -1, metadata: '', errorCode: result.errorCode })) }))
        : result.topics;
    return {
      errorCode: result.errorCode,
      topics: topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partition,
          committedOffset: p.offset,
          committedLeaderEpoch: -1,
          metadata: p.metadata,
          errorCode: p.errorCode,
        })),
      })),
    };
  }
}
