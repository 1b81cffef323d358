// OffsetFetch (key 9) v0–v9, flexible v6+; every Kafka 3.9 version and field declared (v8+ batches several groups).
import { ApiKey } from '../api-key';
import { defineApi, RequestOf, ResponseOf, t } from '../codec/schema';

export const OffsetFetchApi = defineApi({
  apiKey: ApiKey.OffsetFetch,
  name: 'OffsetFetch',
  validVersions: '0-9',
  flexibleVersions: '6+',
  request: {
    groupId: t.string('0-7'),
    // null (v2+) asks for every partition the group has committed.
    topics: t.array(
      {
        name: t.string('0-7'),
        partitionIndexes: t.array(t.int32(), '0-7'),
      },
      '0-7',
      { nullable: '2-7' },
    ),
    groups: t.array(
      {
        groupId: t.string('8+'),
        memberId: t.string('9+', { nullable: '9+', default: null }),
        memberEpoch: t.int32('9+', { default: -1 }),
        topics: t.array(
          {
            name: t.string('8+'),
            partitionIndexes: t.array(t.int32(), '8+'),
          },
          '8+',
          { nullable: '8+' },
        ),
      },
      '8+',
    ),
    // Wait for pending transactional commits (UNSTABLE_OFFSET_COMMIT) instead of returning them.
    requireStable: t.bool('7+'),
  },
  response: {
    throttleTimeMs: t.int32('3+'),
    topics: t.array(
      {
        name: t.string('0-7'),
        partitions: t.array(
          {
            partitionIndex: t.int32('0-7'),
            committedOffset: t.int64('0-7'),
            committedLeaderEpoch: t.int32('5-7', { default: -1 }),
            metadata: t.string('0-7', { nullable: '0-7' }),
            errorCode: t.int16('0-7'),
          },
          '0-7',
        ),
      },
      '0-7',
    ),
    errorCode: t.int16('2-7'),
    groups: t.array(
      {
        groupId: t.string('8+'),
        topics: t.array(
          {
            name: t.string('8+'),
            partitions: t.array(
              {
                partitionIndex: t.int32('8+'),
                committedOffset: t.int64('8+'),
                committedLeaderEpoch: t.int32('8+', { default: -1 }),
                metadata: t.string('8+', { nullable: '8+' }),
                errorCode: t.int16('8+'),
              },
              '8+',
            ),
          },
          '8+',
        ),
        errorCode: t.int16('8+'),
      },
      '8+',
    ),
  },
});

export type OffsetFetchRequest = RequestOf<typeof OffsetFetchApi>;
export type OffsetFetchResponse = ResponseOf<typeof OffsetFetchApi>;
export type OffsetFetchRequestTopic = NonNullable<OffsetFetchRequest['topics']>[number];
export type OffsetFetchRequestGroup = OffsetFetchRequest['groups'][number];
export type OffsetFetchRequestGroupTopic = NonNullable<OffsetFetchRequestGroup['topics']>[number];
export type OffsetFetchResponseTopic = OffsetFetchResponse['topics'][number];
export type OffsetFetchResponsePartition = OffsetFetchResponseTopic['partitions'][number];
export type OffsetFetchResponseGroup = OffsetFetchResponse['groups'][number];
export type OffsetFetchResponseGroupTopic = OffsetFetchResponseGroup['topics'][number];
export type OffsetFetchResponseGroupPartition = OffsetFetchResponseGroupTopic['partitions'][number];
