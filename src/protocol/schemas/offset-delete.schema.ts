// OffsetDelete (key 47) v0 only, never flexible; every Kafka 3.9 version and field declared.
import { ApiKey } from '../api-key';
import { defineApi, RequestOf, ResponseOf, t } from '../codec/schema';

export const OffsetDeleteApi = defineApi({
  apiKey: ApiKey.OffsetDelete,
  name: 'OffsetDelete',
  validVersions: '0',
  flexibleVersions: 'none',
  request: {
    groupId: t.string(),
    topics: t.array({
      name: t.string(),
      partitions: t.array({ partitionIndex: t.int32() }),
    }),
  },
  response: {
    // Unusually, the error code comes before throttleTimeMs.
    errorCode: t.int16(),
    throttleTimeMs: t.int32(),
    topics: t.array({
      name: t.string(),
      partitions: t.array({
        partitionIndex: t.int32(),
        errorCode: t.int16(),
      }),
    }),
  },
});

export type OffsetDeleteRequest = RequestOf<typeof OffsetDeleteApi>;
export type OffsetDeleteResponse = ResponseOf<typeof OffsetDeleteApi>;
export type OffsetDeleteRequestTopic = OffsetDeleteRequest['topics'][number];
export type OffsetDeleteResponseTopic = OffsetDeleteResponse['topics'][number];
