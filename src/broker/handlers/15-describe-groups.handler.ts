// Api: DescribeGroups (key 15) v0–v5.
import { Injectable } from '@nestjs/common';
import { ApiKey } from '../../protocol/api-key';
import { DescribeGroupsApi, type DescribeGroupsRequest, type DescribeGroupsResponse } from '../../protocol/schemas/describe-groups.schema';
import { GroupCoordinator } from '../../coordinator/group-coordinator.service';
import { KafkaApi } from '../api/kafka-api.decorator';
import type { KafkaApiHandler } from '../api/kafka-api-handler';

/** READ, DELETE, DESCRIBE (AclOperation codes 3, 6, 8): all a group allows, with no authorizer. */
const ALL_GROUP_OPERATIONS = [3, 6, 8].reduce((bits, op) => bits | (1 << op), 0);
const NOT_REQUESTED = -2147483648;

/** State, protocol and members (with metadata and assignment once Stable) of each group asked for. */
@Injectable()
@KafkaApi(ApiKey.DescribeGroups)
export class DescribeGroupsHandler implements KafkaApiHandler<typeof DescribeGroupsApi> {
  readonly api = DescribeGroupsApi;
  readonly versions = '0-5';

  constructor(private readonly coordinator: GroupCoordinator) {}

  async handle(request: DescribeGroupsRequest): Promise<DescribeGroupsResponse> {
    const groups = await Promise.all(request.groups.map((groupId) => this.coordinator.describeGroup(groupId)));
    return {
      throttleTimeMs: 0,
      groups: groups.map((g) => ({
        errorCode: g.errorCode,
        groupId: g.groupId,
        groupState: g.state,
        protocolType: g.protocolType,
        protocolData: g.protocolName,
        members: g.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: m.metadata,
          memberAssignment: m.assignment,
        })),
        authorizedOperations: request.includeAuthorizedOperations && g.errorCode === 0 ? ALL_GROUP_OPERATIONS : NOT_REQUESTED,
      })),
    };
  }
}
