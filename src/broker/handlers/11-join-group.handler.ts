// Api: JoinGroup (key 11) v0–v9.
import { Injectable } from '@nestjs/common';
import { ApiKey } from '../../protocol/api-key';
import { JoinGroupApi, type JoinGroupRequest, type JoinGroupResponse } from '../../protocol/schemas/join-group.schema';
import { GroupCoordinator } from '../../coordinator/group-coordinator.service';
import { KafkaApi } from '../api/kafka-api.decorator';
import type { KafkaApiHandler, RequestContext } from '../api/kafka-api-handler';

/** A member (re)joins its group; the answer waits for the rebalance to complete. */
@Injectable()
@KafkaApi(ApiKey.JoinGroup)
export class JoinGroupHandler implements KafkaApiHandler<typeof JoinGroupApi> {
  readonly api = JoinGroupApi;
  readonly versions = '0-9';

  constructor(private readonly coordinator: GroupCoordinator) {}

  async handle(request: JoinGroupRequest, ctx: RequestContext): Promise<JoinGroupResponse> {
    const outcome = await this.coordinator.join({
      groupId: request.groupId,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId,
      clientId: ctx.clientId ?? '',
      clientHost: `/${ctx.connection.remoteAddress}`,
      sessionTimeoutMs: request.sessionTimeoutMs,
      // v0 has no rebalance timeout: the session timeout serves for both, as in Kafka.
      rebalanceTimeoutMs: ctx.apiVersion >= 1 ? request.rebalanceTimeoutMs : request.sessionTimeoutMs,
      protocolType: request.protocolType,
      protocols: request.protocols,
      requireKnownMemberId: ctx.apiVersion >= 4,
      supportsSkipAssignment: ctx.apiVersion >= 9,
    });
    return {
      throttleTimeMs: 0,
      errorCode: outcome.errorCode,
      generationId: outcome.generationId,
      protocolType: outcome.protocolType,
      // Before v7 the protocol name is not nullable.
      protocolName: ctx.apiVersion >= 7 ? outcome.protocolName : (outcome.protocolName ?? ''),
      leader: outcome.leader,
      skipAssignment: outcome.skipAssignment,
      memberId: outcome.memberId,
      members: outcome.members,
    };
  }
}
