// CreatePartitions (key 37) v0–v3, flexible v2+; every Kafka 3.9 version and field declared.
import { ApiKey } from '../api-key';
import { defineApi, RequestOf, ResponseOf, t } from '../codec/schema';

export const CreatePartitionsApi = defineApi({
  apiKey: ApiKey.CreatePartitions,
  name: 'CreatePartitions',
  validVersions: '0-3',
  flexibleVersions: '2+',
  request: {
    topics: t.array({
      name: t.string(),
      // The new total partition count, not the number to add.
      count: t.int32(),
      // One entry per new partition, or null for automatic placement.
      assignments: t.array({ brokerIds: t.array(t.int32()) }, '0+', { nullable: '0+' }),
    }),
    timeoutMs: t.int32(),
    validateOnly: t.bool(),
  },
  response: {
    throttleTimeMs: t.int32(),
    results: t.array({
      name: t.string(),
      errorCode: t.int16(),
      errorMessage: t.string('0+', { nullable: '0+', default: null }),
    }),
  },
});

export type CreatePartitionsRequest = RequestOf<typeof CreatePartitionsApi>;
export type CreatePartitionsResponse = ResponseOf<typeof CreatePartitionsApi>;
export type CreatePartitionsTopic = CreatePartitionsRequest['topics'][number];
export type CreatePartitionsTopicResult = CreatePartitionsResponse['results'][number];
