// JoinGroup (key 11) v0–v9, flexible v6+; every Kafka 3.9 version and field declared.
import { ApiKey } from '../api-key';
import { defineApi, RequestOf, ResponseOf, t } from '../codec/schema';

export const JoinGroupApi = defineApi({
  apiKey: ApiKey.JoinGroup,
  name: 'JoinGroup',
  validVersions: '0-9',
  flexibleVersions: '6+',
  request: {
    groupId: t.string(),
    sessionTimeoutMs: t.int32(),
    // v0 has no rebalance timeout: the session timeout serves as both.
    rebalanceTimeoutMs: t.int32('1+', { default: -1 }),
    // Empty on the first join; v4+ then gets MEMBER_ID_REQUIRED with the id to rejoin with (KIP-394).
    memberId: t.string(),
    groupInstanceId: t.string('5+', { nullable: '5+', default: null }),
    protocolType: t.string(),
    // Assignor names with opaque metadata: carried through to the leader untouched.
    protocols: t.array({
      name: t.string(),
      metadata: t.bytes(),
    }),
    reason: t.string('8+', { nullable: '8+', default: null }),
  },
  response: {
    throttleTimeMs: t.int32('2+'),
    errorCode: t.int16(),
    generationId: t.int32('0+', { default: -1 }),
    protocolType: t.string('7+', { nullable: '7+', default: null }),
    protocolName: t.string('0+', { nullable: '7+' }),
    leader: t.string(),
    // v9+: the leader is a static member rejoining; it must not re-run the assignment (KIP-814).
    skipAssignment: t.bool('9+'),
    memberId: t.string(),
    // Filled for the leader only.
    members: t.array({
      memberId: t.string(),
      groupInstanceId: t.string('5+', { nullable: '5+', default: null }),
      metadata: t.bytes(),
    }),
  },
});

export type JoinGroupRequest = RequestOf<typeof JoinGroupApi>;
export type JoinGroupResponse = ResponseOf<typeof JoinGroupApi>;
export type JoinGroupRequestProtocol = JoinGroupRequest['protocols'][number];
export type JoinGroupResponseMember = JoinGroupResponse['members'][number];
