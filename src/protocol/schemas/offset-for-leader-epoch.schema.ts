// OffsetForLeaderEpoch (key 23) v0–v4, flexible v4+; every Kafka 3.9 version and field declared.
import { ApiKey } from '../api-key';
import { defineApi, RequestOf, ResponseOf, t } from '../codec/schema';

export const OffsetForLeaderEpochApi = defineApi({
  apiKey: ApiKey.OffsetForLeaderEpoch,
  name: 'OffsetForLeaderEpoch',
  validVersions: '0-4',
  flexibleVersions: '4+',
  request: {
    // Follower's broker id, or -1 for a consumer; -2 (the default, so every pre-v3 request)
    // is Kafka's sentinel for a debugging client or a replica on an older protocol.
    replicaId: t.int32('3+', { default: -2 }),
    topics: t.array({
      topic: t.string(),
      partitions: t.array({
        partition: t.int32(),
        // Fencing epoch: newer than ours → UNKNOWN_LEADER_EPOCH, older → FENCED_LEADER_EPOCH; -1 skips the check.
        currentLeaderEpoch: t.int32('2+', { default: -1 }),
        leaderEpoch: t.int32(),
      }),
    }),
  },
  response: {
    throttleTimeMs: t.int32('2+'),
    topics: t.array({
      topic: t.string(),
      partitions: t.array({
        errorCode: t.int16(),
        partition: t.int32(),
        leaderEpoch: t.int32('1+', { default: -1 }),
        endOffset: t.int64('0+', { default: -1 }),
      }),
    }),
  },
});

export type OffsetForLeaderEpochRequest = RequestOf<typeof OffsetForLeaderEpochApi>;
export type OffsetForLeaderEpochResponse = ResponseOf<typeof OffsetForLeaderEpochApi>;
export type OffsetForLeaderTopic = OffsetForLeaderEpochRequest['topics'][number];
export type OffsetForLeaderPartition = OffsetForLeaderTopic['partitions'][number];
export type OffsetForLeaderTopicResult = OffsetForLeaderEpochResponse['topics'][number];
export type OffsetForLeaderEpochEndOffset = OffsetForLeaderTopicResult['partitions'][number];
