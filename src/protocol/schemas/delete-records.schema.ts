// DeleteRecords (key 21) v0–v2, flexible v2+; every Kafka 3.9 version and field declared.
import { ApiKey } from '../api-key';
import { defineApi, RequestOf, ResponseOf, t } from '../codec/schema';

export const DeleteRecordsApi = defineApi({
  apiKey: ApiKey.DeleteRecords,
  name: 'DeleteRecords',
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: {
    topics: t.array({
      name: t.string(),
      partitions: t.array({
        partitionIndex: t.int32(),
        // Records below this offset are deleted; -1 means the high watermark.
        offset: t.int64(),
      }),
    }),
    timeoutMs: t.int32(),
  },
  response: {
    throttleTimeMs: t.int32(),
    topics: t.array({
      name: t.string(),
      partitions: t.array({
        partitionIndex: t.int32(),
        lowWatermark: t.int64(),
        errorCode: t.int16(),
      }),
    }),
  },
});

export type DeleteRecordsRequest = RequestOf<typeof DeleteRecordsApi>;
export type DeleteRecordsResponse = ResponseOf<typeof DeleteRecordsApi>;
export type DeleteRecordsTopic = DeleteRecordsRequest['topics'][number];
export type DeleteRecordsPartition = DeleteRecordsTopic['partitions'][number];
export type DeleteRecordsTopicResult = DeleteRecordsResponse['topics'][number];
export type DeleteRecordsPartitionResult = DeleteRecordsTopicResult['partitions'][number];
