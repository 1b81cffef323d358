// Api: DeleteGroups (key 42) v0–v2.
import { Injectable } from '@nestjs/common';
import { ApiKey } from '../../protocol/api-key';
import { DeleteGroupsApi, type DeleteGroupsRequest, type DeleteGroupsResponse } from '../../protocol/schemas/delete-groups.schema';
import { GroupCoordinator } from '../../coordinator/group-coordinator.service';
import { KafkaApi } from '../api/kafka-api.decorator';
import type { KafkaApiHandler } from '../api/kafka-api-handler';

/** Deletes empty groups with their offsets; a group with members gets NON_EMPTY_GROUP. */
@Injectable()
@KafkaApi(ApiKey.DeleteGroups)
export class DeleteGroupsHandler implements KafkaApiHandler<typeof DeleteGroupsApi> {
  readonly api = DeleteGroupsApi;
  readonly versions = '0-2';

  constructor(private readonly coordinator: GroupCoordinator) {}

  async handle(request: DeleteGroupsRequest): Promise<DeleteGroupsResponse> {
    const results = await Promise.all(request.groupsNames.map(async (groupId) => ({ groupId, errorCode: await this.coordinator.deleteGroup(groupId) })));
    return { throttleTimeMs: 0, results };
  }
}
