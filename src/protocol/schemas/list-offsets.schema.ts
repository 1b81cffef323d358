// ListOffsets (key 2) v0–v9, flexible v6+; every Kafka 3.9 version and field declared.
import { ApiKey } from '../api-key';
import { defineApi, RequestOf, ResponseOf, t } from '../codec/schema';

export const ListOffsetsApi = defineApi({
  apiKey: ApiKey.ListOffsets,
  name: 'ListOffsets',
  validVersions: '0-9',
  flexibleVersions: '6+',
  request: {
    // -1 for consumers; a broker id when a follower asks.
    replicaId: t.int32(),
    // 0: READ_UNCOMMITTED, 1: READ_COMMITTED (latest then means the last stable offset).
    isolationLevel: t.int8('2+'),
    topics: t.array({
      name: t.string(),
      partitions: t.array({
        partitionIndex: t.int32(),
        currentLeaderEpoch: t.int32('4+', { default: -1 }),
        // A timestamp, or -1 latest, -2 earliest, -3 max timestamp (v7+), -4 earliest local (v8+), -5 latest tiered (v9+).
        timestamp: t.int64(),
        maxNumOffsets: t.int32('0', { default: 1 }),
      }),
    }),
  },
  response: {
    throttleTimeMs: t.int32('2+'),
    topics: t.array({
      name: t.string(),
      partitions: t.array({
        partitionIndex: t.int32(),
        errorCode: t.int16(),
        // v0 only: a list of offsets instead of one (timestamp, offset) pair.
        oldStyleOffsets: t.array(t.int64(), '0'),
        timestamp: t.int64('1+', { default: -1 }),
        offset: t.int64('1+', { default: -1 }),
        leaderEpoch: t.int32('4+', { default: -1 }),
      }),
    }),
  },
});

export type ListOffsetsRequest = RequestOf<typeof ListOffsetsApi>;
export type ListOffsetsResponse = ResponseOf<typeof ListOffsetsApi>;
export type ListOffsetsRequestTopic = ListOffsetsRequest['topics'][number];
export type ListOffsetsRequestPartition = ListOffsetsRequestTopic['partitions'][number];
export type ListOffsetsResponseTopic = ListOffsetsResponse['topics'][number];
export type ListOffsetsResponsePartition = ListOffsetsResponseTopic['partitions'][number];
