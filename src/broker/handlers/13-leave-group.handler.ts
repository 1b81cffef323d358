// Api: LeaveGroup (key 13) v0–v5; v3+ removes a batch of members (KIP-345).
import { Injectable } from '@nestjs/common';
import { ApiKey } from '../../protocol/api-key';
import { LeaveGroupApi, type LeaveGroupRequest, type LeaveGroupResponse } from '../../protocol/schemas/leave-group.schema';
import { GroupCoordinator } from '../../coordinator/group-coordinator.service';
import { KafkaApi } from '../api/kafka-api.decorator';
import type { KafkaApiHandler, RequestContext } from '../api/kafka-api-handler';

/** Members leave at once rather than waiting out their session; the group rebalances. */
@Injectable()
@KafkaApi(ApiKey.LeaveGroup)
export class LeaveGroupHandler implements KafkaApiHandler<typeof LeaveGroupApi> {
  readonly api = LeaveGroupApi;
  readonly versions = '0-5';

  constructor(private readonly coordinator: GroupCoordinator) {}

  async handle(request: LeaveGroupRequest, ctx: RequestContext): Promise<LeaveGroupResponse> {
    const batched = ctx.apiVersion >= 3;
    const leaving = batched ? request.members : [{ memberId: request.memberId, groupInstanceId: null, reason: null }];
    const { errorCode, members } = await this.coordinator.leave(request.groupId, leaving);
    return {
      throttleTimeMs: 0,
      // Before v3 the one member's outcome is the response's error.
      errorCode: batched || errorCode !== 0 ? errorCode : members[0],
      members: members.map((memberError, i) => ({ memberId: leaving[i].memberId, groupInstanceId: leaving[i].groupInstanceId, errorCode: memberError })),
    };
  }
}
