// Api: Heartbeat (key 12) v0–v4.
import { Injectable } from '@nestjs/common';
import { ApiKey } from '../../protocol/api-key';
import { HeartbeatApi, type HeartbeatRequest, type HeartbeatResponse } from '../../protocol/schemas/heartbeat.schema';
import { GroupCoordinator } from '../../coordinator/group-coordinator.service';
import { KafkaApi } from '../api/kafka-api.decorator';
import type { KafkaApiHandler } from '../api/kafka-api-handler';

/** Keeps a member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin. */
@Injectable()
@KafkaApi(ApiKey.Heartbeat)
export class HeartbeatHandler implements KafkaApiHandler<typeof HeartbeatApi> {
  readonly api = HeartbeatApi;
  readonly versions = '0-4';

  constructor(private readonly coordinator: GroupCoordinator) {}

  async handle(request: HeartbeatRequest): Promise<HeartbeatResponse> {
    const errorCode = await this.coordinator.heartbeat(request.groupId, request.generationId, request);
    return { throttleTimeMs: 0, errorCode };
  }
}
