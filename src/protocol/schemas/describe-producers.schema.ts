// DescribeProducers (key 61) v0 only, flexible in every version; every Kafka 3.9 version and field declared.
import { ApiKey } from '../api-key';
import { defineApi, RequestOf, ResponseOf, t } from '../codec/schema';

export const DescribeProducersApi = defineApi({
  apiKey: ApiKey.DescribeProducers,
  name: 'DescribeProducers',
  validVersions: '0',
  flexibleVersions: '0+',
  request: {
    topics: t.array({
      name: t.string(),
      partitionIndexes: t.array(t.int32()),
    }),
  },
  response: {
    throttleTimeMs: t.int32(),
    topics: t.array({
      name: t.string(),
      partitions: t.array({
        partitionIndex: t.int32(),
        errorCode: t.int16(),
        errorMessage: t.string('0+', { nullable: '0+', default: null }),
        activeProducers: t.array({
          producerId: t.int64(),
          // int32 here although producer epochs are int16 everywhere else; Kafka's spec says so.
          producerEpoch: t.int32(),
          lastSequence: t.int32('0+', { default: -1 }),
          lastTimestamp: t.int64('0+', { default: -1 }),
          coordinatorEpoch: t.int32(),
          // -1 when the producer has no open transaction.
          currentTxnStartOffset: t.int64('0+', { default: -1 }),
        }),
      }),
    }),
  },
});

export type DescribeProducersRequest = RequestOf<typeof DescribeProducersApi>;
export type DescribeProducersResponse = ResponseOf<typeof DescribeProducersApi>;
export type DescribeProducersTopicResponse = DescribeProducersResponse['topics'][number];
export type DescribeProducersPartitionResponse = DescribeProducersTopicResponse['partitions'][number];
export type DescribeProducersProducerState = DescribeProducersPartitionResponse['activeProducers'][number];
