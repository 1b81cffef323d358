import type { ApiSpec } from '../codec/schema';
import { CreateTopicsApi } from './create-topics.schema';
import { DeleteTopicsApi } from './delete-topics.schema';
import { DeleteRecordsApi } from './delete-records.schema';
import { InitProducerIdApi } from './init-producer-id.schema';
import { OffsetForLeaderEpochApi } from './offset-for-leader-epoch.schema';
import { DescribeConfigsApi } from './describe-configs.schema';
import { AlterConfigsApi } from './alter-configs.schema';
import { DescribeLogDirsApi } from './describe-log-dirs.schema';
import { SaslAuthenticateApi } from './sasl-authenticate.schema';
import { CreatePartitionsApi } from './create-partitions.schema';
import { DeleteGroupsApi } from './delete-groups.schema';
import { IncrementalAlterConfigsApi } from './incremental-alter-configs.schema';
import { OffsetDeleteApi } from './offset-delete.schema';
import { DescribeClusterApi } from './describe-cluster.schema';
import { DescribeProducersApi } from './describe-producers.schema';

export * from './create-topics.schema';
export * from './delete-topics.schema';
export * from './delete-records.schema';
export * from './init-producer-id.schema';
export * from './offset-for-leader-epoch.schema';
export * from './describe-configs.schema';
export * from './alter-configs.schema';
export * from './describe-log-dirs.schema';
export * from './sasl-authenticate.schema';
export * from './create-partitions.schema';
export * from './delete-groups.schema';
export * from './incremental-alter-configs.schema';
export * from './offset-delete.schema';
export * from './describe-cluster.schema';
export * from './describe-producers.schema';

/** Every API we declare, in api-key order. */
export const ALL_APIS: readonly ApiSpec<any, any>[] = [
  CreateTopicsApi,
  DeleteTopicsApi,
  DeleteRecordsApi,
  InitProducerIdApi,
  OffsetForLeaderEpochApi,
  DescribeConfigsApi,
  AlterConfigsApi,
  DescribeLogDirsApi,
  SaslAuthenticateApi,
  CreatePartitionsApi,
  DeleteGroupsApi,
  IncrementalAlterConfigsApi,
  OffsetDeleteApi,
  DescribeClusterApi,
  DescribeProducersApi,
];
