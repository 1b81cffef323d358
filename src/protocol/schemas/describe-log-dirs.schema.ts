// DescribeLogDirs (key 35) v0–v4, flexible v2+; every Kafka 3.9 version and field declared.
import { ApiKey } from '../api-key';
import { defineApi, RequestOf, ResponseOf, t } from '../codec/schema';

export const DescribeLogDirsApi = defineApi({
  apiKey: ApiKey.DescribeLogDirs,
  name: 'DescribeLogDirs',
  validVersions: '0-4',
  flexibleVersions: '2+',
  request: {
    // Null describes every topic.
    topics: t.array(
      {
        topic: t.string(),
        partitions: t.array(t.int32()),
      },
      '0+',
      { nullable: '0+' },
    ),
  },
  response: {
    throttleTimeMs: t.int32(),
    errorCode: t.int16('3+'),
    results: t.array({
      errorCode: t.int16(),
      logDir: t.string(),
      topics: t.array({
        name: t.string(),
        partitions: t.array({
          partitionIndex: t.int32(),
          partitionSize: t.int64(),
          // LEO minus HW for the current log; for a future log, its lag behind the current replica's LEO.
          offsetLag: t.int64(),
          // True for a log being moved here by AlterReplicaLogDirs that will replace the current one.
          isFutureKey: t.bool(),
        }),
      }),
      // Size of the volume holding the log dir; -1 when unknown.
      totalBytes: t.int64('4+', { default: -1 }),
      usableBytes: t.int64('4+', { default: -1 }),
    }),
  },
});

export type DescribeLogDirsRequest = RequestOf<typeof DescribeLogDirsApi>;
export type DescribeLogDirsResponse = ResponseOf<typeof DescribeLogDirsApi>;
export type DescribeLogDirsResult = DescribeLogDirsResponse['results'][number];
export type DescribeLogDirsTopic = DescribeLogDirsResult['topics'][number];
export type DescribeLogDirsPartition = DescribeLogDirsTopic['partitions'][number];
