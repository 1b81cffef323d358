// FindCoordinator (key 10) v0–v6, flexible v3+; every Kafka 3.9 version and field declared (v4+ batches several keys).
import { ApiKey } from '../api-key';
import { defineApi, RequestOf, ResponseOf, t } from '../codec/schema';

export const FindCoordinatorApi = defineApi({
  apiKey: ApiKey.FindCoordinator,
  name: 'FindCoordinator',
  validVersions: '0-6',
  flexibleVersions: '3+',
  request: {
    key: t.string('0-3'),
    // 0: group, 1: transaction, 2: share group (v6+).
    keyType: t.int8('1+'),
    coordinatorKeys: t.array(t.string(), '4+'),
  },
  response: {
    throttleTimeMs: t.int32('1+'),
    errorCode: t.int16('0-3'),
    errorMessage: t.string('1-3', { nullable: '1-3' }),
    nodeId: t.int32('0-3'),
    host: t.string('0-3'),
    port: t.int32('0-3'),
    coordinators: t.array(
      {
        key: t.string('4+'),
        nodeId: t.int32('4+'),
        host: t.string('4+'),
        port: t.int32('4+'),
        errorCode: t.int16('4+'),
        errorMessage: t.string('4+', { nullable: '4+' }),
      },
      '4+',
    ),
  },
});

export type FindCoordinatorRequest = RequestOf<typeof FindCoordinatorApi>;
export type FindCoordinatorResponse = ResponseOf<typeof FindCoordinatorApi>;
export type FindCoordinatorResult = FindCoordinatorResponse['coordinators'][number];
