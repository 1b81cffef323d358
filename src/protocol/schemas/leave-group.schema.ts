// LeaveGroup (key 13) v0–v5, flexible v4+; every Kafka 3.9 version and field declared (v3+ removes several members at once).
import { ApiKey } from '../api-key';
import { defineApi, RequestOf, ResponseOf, t } from '../codec/schema';

export const LeaveGroupApi = defineApi({
  apiKey: ApiKey.LeaveGroup,
  name: 'LeaveGroup',
  validVersions: '0-5',
  flexibleVersions: '4+',
  request: {
    groupId: t.string(),
    memberId: t.string('0-2'),
    members: t.array(
      {
        memberId: t.string('3+'),
        groupInstanceId: t.string('3+', { nullable: '3+', default: null }),
        reason: t.string('5+', { nullable: '5+', default: null }),
      },
      '3+',
    ),
  },
  response: {
    throttleTimeMs: t.int32('1+'),
    errorCode: t.int16(),
    members: t.array(
      {
        memberId: t.string('3+'),
        groupInstanceId: t.string('3+', { nullable: '3+' }),
        errorCode: t.int16('3+'),
      },
      '3+',
    ),
  },
});

export type LeaveGroupRequest = RequestOf<typeof LeaveGroupApi>;
export type LeaveGroupResponse = ResponseOf<typeof LeaveGroupApi>;
export type LeaveGroupMemberIdentity = LeaveGroupRequest['members'][number];
export type LeaveGroupMemberResponse = LeaveGroupResponse['members'][number];
