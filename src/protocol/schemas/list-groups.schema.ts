// ListGroups (key 16) v0–v5, flexible v3+; every Kafka 3.9 version and field declared.
import { ApiKey } from '../api-key';
import { defineApi, RequestOf, ResponseOf, t } from '../codec/schema';

export const ListGroupsApi = defineApi({
  apiKey: ApiKey.ListGroups,
  name: 'ListGroups',
  validVersions: '0-5',
  flexibleVersions: '3+',
  request: {
    // Empty filters match every group.
    statesFilter: t.array(t.string(), '4+'),
    typesFilter: t.array(t.string(), '5+'),
  },
  response: {
    throttleTimeMs: t.int32('1+'),
    errorCode: t.int16(),
    groups: t.array({
      groupId: t.string(),
      protocolType: t.string(),
      groupState: t.string('4+'),
      groupType: t.string('5+'),
    }),
  },
});

export type ListGroupsRequest = RequestOf<typeof ListGroupsApi>;
export type ListGroupsResponse = ResponseOf<typeof ListGroupsApi>;
export type ListedGroup = ListGroupsResponse['groups'][number];
