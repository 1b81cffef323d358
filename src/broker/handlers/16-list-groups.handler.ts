// Api: ListGroups (key 16) v0–v5; v4 filters by state, v5 by type (only "classic" groups exist here).
import { Injectable } from '@nestjs/common';
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/errors/error-codes';
import { ListGroupsApi, type ListGroupsRequest, type ListGroupsResponse } from '../../protocol/schemas/list-groups.schema';
import { GroupCoordinator } from '../../coordinator/group-coordinator.service';
import { KafkaApi } from '../api/kafka-api.decorator';
import type { KafkaApiHandler, RequestContext } from '../api/kafka-api-handler';

const CLASSIC = 'classic';

/** The groups this broker coordinates (clients ask every broker and merge). */
@Injectable()
@KafkaApi(ApiKey.ListGroups)
export class ListGroupsHandler implements KafkaApiHandler<typeof ListGroupsApi> {
  readonly api = ListGroupsApi;
  readonly versions = '0-5';

  constructor(private readonly coordinator: GroupCoordinator) {}

  async handle(request: ListGroupsRequest, ctx: RequestContext): Promise<ListGroupsResponse> {
    const types = ctx.apiVersion >= 5 ? request.typesFilter.map((t) => t.toLowerCase()) : [];
    const groups = types.length > 0 && !types.includes(CLASSIC) ? [] : await this.coordinator.listGroups(ctx.apiVersion >= 4 ? request.statesFilter : []);
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      groups: groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.state, groupType: CLASSIC })),
    };
  }
}
