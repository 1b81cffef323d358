// Api: SyncGroup (key 14) v0–v5.
import { Injectable } from '@nestjs/common';
import { ApiKey } from '../../protocol/api-key';
import { SyncGroupApi, type SyncGroupRequest, type SyncGroupResponse } from '../../protocol/schemas/sync-group.schema';
import { GroupCoordinator } from '../../coordinator/group-coordinator.service';
import { KafkaApi } from '../api/kafka-api.decorator';
import type { KafkaApiHandler } from '../api/kafka-api-handler';

/** The leader hands in the assignment; every member gets its own share back. */
@Injectable()
@KafkaApi(ApiKey.SyncGroup)
export class SyncGroupHandler implements KafkaApiHandler<typeof SyncGroupApi> {
  readonly api = SyncGroupApi;
  readonly versions = '0-5';

  constructor(private readonly coordinator: GroupCoordinator) {}

  async handle(request: SyncGroupRequest): Promise<SyncGroupResponse> {
    const outcome = await this.coordinator.sync(request);
    return { throttleTimeMs: 0, ...outcome };
  }
}
