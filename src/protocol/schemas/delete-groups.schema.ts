// DeleteGroups (key 42) v0–v2, flexible v2+; every Kafka 3.9 version and field declared.
import { ApiKey } from '../api-key';
import { defineApi, RequestOf, ResponseOf, t } from '../codec/schema';

export const DeleteGroupsApi = defineApi({
  apiKey: ApiKey.DeleteGroups,
  name: 'DeleteGroups',
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: {
    // Kafka's spelling ("GroupsNames"), kept so the field maps one-to-one.
    groupsNames: t.array(t.string()),
  },
  response: {
    throttleTimeMs: t.int32(),
    results: t.array({
      groupId: t.string(),
      errorCode: t.int16(),
    }),
  },
});

export type DeleteGroupsRequest = RequestOf<typeof DeleteGroupsApi>;
export type DeleteGroupsResponse = ResponseOf<typeof DeleteGroupsApi>;
export type DeletableGroupResult = DeleteGroupsResponse['results'][number];
