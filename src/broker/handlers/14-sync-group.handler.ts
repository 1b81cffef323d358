// Api: SyncGroup (key 14) v0–v5.
import { Injectable } from '@nestjs/common';
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/errors/error-codes';
import { SyncGroupApi, type SyncGroupRequest, type SyncGroupResponse } from '../../protocol/schemas/sync-group.schema';
import { GroupCoordinator } from '../../coordinator/group-coordinator.service';
import { KafkaApi } from '../api/kafka-api.decorator';
import type { KafkaApiHandler, RequestContext } from '../api/kafka-api-handler';

/** The leader hands in the assignment; every member gets its own share back. */
@Injectable()
@KafkaApi(ApiKey.SyncGroup)
export class SyncGroupHandler implements KafkaApiHandler<typeof SyncGroupApi> {
  readonly api = SyncGroupApi;
  readonly versions = '0-5';

  constructor(private readonly coordinator: GroupCoordinator) {}

  async handle(request: SyncGroupRequest, ctx: RequestContext): Promise<SyncGroupResponse> {
    // From v5 the client must say which protocol it synced on (KIP-559).
    if (ctx.apiVersion >= 5 && (request.protocolType === null || request.protocolName === null)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
    }
    const outcome = await this.coordinator.sync(request);
    return { throttleTimeMs: 0, ...outcome };
  }
}
