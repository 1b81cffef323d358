// ControlledShutdown (key 7) v0–v3, flexible v3+; every Kafka 3.9 version and field declared.
// v0 used a request header without the client id; brokers since Kafka 0.10 send v1+.
import { ApiKey } from '../api-key';
import { defineApi, RequestOf, ResponseOf, t } from '../codec/schema';

export const ControlledShutdownApi = defineApi({
  apiKey: ApiKey.ControlledShutdown,
  name: 'ControlledShutdown',
  validVersions: '0-3',
  flexibleVersions: '3+',
  request: {
    brokerId: t.int32(),
    brokerEpoch: t.int64('2+', { default: -1 }),
  },
  response: {
    errorCode: t.int16(),
    /** Partitions the broker still leads: their leadership could not move (no other in-sync replica). */
    remainingPartitions: t.array({
      topicName: t.string(),
      partitionIndex: t.int32(),
    }),
  },
});

export type ControlledShutdownRequest = RequestOf<typeof ControlledShutdownApi>;
export type ControlledShutdownResponse = ResponseOf<typeof ControlledShutdownApi>;
