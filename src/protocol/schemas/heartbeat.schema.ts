// Heartbeat (key 12) v0–v4, flexible v4+; every Kafka 3.9 version and field declared.
import { ApiKey } from '../api-key';
import { defineApi, RequestOf, ResponseOf, t } from '../codec/schema';

export const HeartbeatApi = defineApi({
  apiKey: ApiKey.Heartbeat,
  name: 'Heartbeat',
  validVersions: '0-4',
  flexibleVersions: '4+',
  request: {
    groupId: t.string(),
    generationId: t.int32(),
    memberId: t.string(),
    groupInstanceId: t.string('3+', { nullable: '3+', default: null }),
  },
  response: {
    throttleTimeMs: t.int32('1+'),
    errorCode: t.int16(),
  },
});

export type HeartbeatRequest = RequestOf<typeof HeartbeatApi>;
export type HeartbeatResponse = ResponseOf<typeof HeartbeatApi>;
