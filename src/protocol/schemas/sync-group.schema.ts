// SyncGroup (key 14) v0–v5, flexible v4+; every Kafka 3.9 version and field declared.
import { ApiKey } from '../api-key';
import { defineApi, RequestOf, ResponseOf, t } from '../codec/schema';

export const SyncGroupApi = defineApi({
  apiKey: ApiKey.SyncGroup,
  name: 'SyncGroup',
  validVersions: '0-5',
  flexibleVersions: '4+',
  request: {
    groupId: t.string(),
    generationId: t.int32(),
    memberId: t.string(),
    groupInstanceId: t.string('3+', { nullable: '3+', default: null }),
    protocolType: t.string('5+', { nullable: '5+', default: null }),
    protocolName: t.string('5+', { nullable: '5+', default: null }),
    // Sent by the leader only; followers send an empty array.
    assignments: t.array({
      memberId: t.string(),
      assignment: t.bytes(),
    }),
  },
  response: {
    throttleTimeMs: t.int32('1+'),
    errorCode: t.int16(),
    protocolType: t.string('5+', { nullable: '5+', default: null }),
    protocolName: t.string('5+', { nullable: '5+', default: null }),
    assignment: t.bytes(),
  },
});

export type SyncGroupRequest = RequestOf<typeof SyncGroupApi>;
export type SyncGroupResponse = ResponseOf<typeof SyncGroupApi>;
export type SyncGroupRequestAssignment = SyncGroupRequest['assignments'][number];
