// DescribeGroups (key 15) v0–v5, flexible v5+; every Kafka 3.9 version and field declared.
import { ApiKey } from '../api-key';
import { defineApi, RequestOf, ResponseOf, t } from '../codec/schema';

export const DescribeGroupsApi = defineApi({
  apiKey: ApiKey.DescribeGroups,
  name: 'DescribeGroups',
  validVersions: '0-5',
  flexibleVersions: '5+',
  request: {
    groups: t.array(t.string()),
    includeAuthorizedOperations: t.bool('3+'),
  },
  response: {
    throttleTimeMs: t.int32('1+'),
    groups: t.array({
      errorCode: t.int16(),
      groupId: t.string(),
      groupState: t.string(),
      protocolType: t.string(),
      // The chosen assignor's name once the group is stable.
      protocolData: t.string(),
      members: t.array({
        memberId: t.string(),
        groupInstanceId: t.string('4+', { nullable: '4+', default: null }),
        clientId: t.string(),
        clientHost: t.string(),
        memberMetadata: t.bytes(),
        memberAssignment: t.bytes(),
      }),
      // INT32_MIN when the request did not ask for authorized operations.
      authorizedOperations: t.int32('3+', { default: -2147483648 }),
    }),
  },
});

export type DescribeGroupsRequest = RequestOf<typeof DescribeGroupsApi>;
export type DescribeGroupsResponse = ResponseOf<typeof DescribeGroupsApi>;
export type DescribedGroup = DescribeGroupsResponse['groups'][number];
export type DescribedGroupMember = DescribedGroup['members'][number];
