// OffsetCommit (key 8) v0–v9, flexible v8+; every Kafka 3.9 version and field declared.
import { ApiKey } from '../api-key';
import { defineApi, RequestOf, ResponseOf, t } from '../codec/schema';

export const OffsetCommitApi = defineApi({
  apiKey: ApiKey.OffsetCommit,
  name: 'OffsetCommit',
  validVersions: '0-9',
  flexibleVersions: '8+',
  request: {
    groupId: t.string(),
    // The generation for classic groups; the member epoch for consumer-protocol groups (KIP-848, v9+).
    generationIdOrMemberEpoch: t.int32('1+', { default: -1 }),
    memberId: t.string('1+'),
    groupInstanceId: t.string('7+', { nullable: '7+', default: null }),
    // -1 means the broker's offsets.retention.minutes; dropped in v5 when retention became broker-side only.
    retentionTimeMs: t.int64('2-4', { default: -1 }),
    topics: t.array({
      name: t.string(),
      partitions: t.array({
        partitionIndex: t.int32(),
        committedOffset: t.int64(),
        committedLeaderEpoch: t.int32('6+', { default: -1 }),
        commitTimestamp: t.int64('1', { default: -1 }),
        committedMetadata: t.string('0+', { nullable: '0+' }),
      }),
    }),
  },
  response: {
    throttleTimeMs: t.int32('3+'),
    topics: t.array({
      name: t.string(),
      partitions: t.array({
        partitionIndex: t.int32(),
        errorCode: t.int16(),
      }),
    }),
  },
});

export type OffsetCommitRequest = RequestOf<typeof OffsetCommitApi>;
export type OffsetCommitResponse = ResponseOf<typeof OffsetCommitApi>;
export type OffsetCommitRequestTopic = OffsetCommitRequest['topics'][number];
export type OffsetCommitRequestPartition = OffsetCommitRequestTopic['partitions'][number];
export type OffsetCommitResponseTopic = OffsetCommitResponse['topics'][number];
export type OffsetCommitResponsePartition = OffsetCommitResponseTopic['partitions'][number];
