// Produce (key 0) v3–v11, flexible v9+; v0–v2 left out: they carry the legacy message sets (magic 0/1) we never store.
import { ApiKey } from '../api-key';
import { defineApi, RequestOf, ResponseOf, t } from '../codec/schema';

export const ProduceApi = defineApi({
  apiKey: ApiKey.Produce,
  name: 'Produce',
  validVersions: '3-11',
  flexibleVersions: '9+',
  request: {
    transactionalId: t.string('3+', { nullable: '3+', default: null }),
    // 0: no acknowledgement, 1: leader only, -1: the full ISR.
    acks: t.int16(),
    timeoutMs: t.int32(),
    topicData: t.array({
      name: t.string(),
      partitionData: t.array({
        index: t.int32(),
        records: t.records('0+', { nullable: '0+' }),
      }),
    }),
  },
  response: {
    responses: t.array({
      name: t.string(),
      partitionResponses: t.array({
        index: t.int32(),
        errorCode: t.int16(),
        baseOffset: t.int64(),
        // -1 unless the topic uses LogAppendTime, then the broker's append time.
        logAppendTimeMs: t.int64('2+', { default: -1 }),
        logStartOffset: t.int64('5+', { default: -1 }),
        // Which batches in the request (by index) made the partition fail (INVALID_RECORD).
        recordErrors: t.array(
          {
            batchIndex: t.int32('8+'),
            batchIndexErrorMessage: t.string('8+', { nullable: '8+', default: null }),
          },
          '8+',
        ),
        errorMessage: t.string('8+', { nullable: '8+', default: null }),
        // Sent with NOT_LEADER_OR_FOLLOWER so the client can re-route without a Metadata round trip (KIP-951).
        currentLeader: t.struct(
          {
            leaderId: t.int32('10+', { default: -1 }),
            leaderEpoch: t.int32('10+', { default: -1 }),
          },
          '10+',
          { tag: 0, taggedVersions: '10+' },
        ),
      }),
    }),
    throttleTimeMs: t.int32('1+'),
    // Endpoints of the brokers named in currentLeader (KIP-951).
    nodeEndpoints: t.array(
      {
        nodeId: t.int32('10+'),
        host: t.string('10+'),
        port: t.int32('10+'),
        rack: t.string('10+', { nullable: '10+', default: null }),
      },
      '10+',
      { tag: 0, taggedVersions: '10+' },
    ),
  },
});

export type ProduceRequest = RequestOf<typeof ProduceApi>;
export type ProduceResponse = ResponseOf<typeof ProduceApi>;
export type ProduceRequestTopic = ProduceRequest['topicData'][number];
export type ProduceRequestPartition = ProduceRequestTopic['partitionData'][number];
export type ProduceResponseTopic = ProduceResponse['responses'][number];
export type ProduceResponsePartition = ProduceResponseTopic['partitionResponses'][number];
export type ProduceRecordError = ProduceResponsePartition['recordErrors'][number];
export type ProduceNodeEndpoint = ProduceResponse['nodeEndpoints'][number];
