import type { ApiSpec } from '../codec/schema';
import { ProduceApi } from './produce.schema';
import { FetchApi } from './fetch.schema';
import { ListOffsetsApi } from './list-offsets.schema';
import { MetadataApi } from './metadata.schema';
import { ControlledShutdownApi } from './controlled-shutdown.schema';
import { OffsetCommitApi } from './offset-commit.schema';
import { OffsetFetchApi } from './offset-fetch.schema';
import { FindCoordinatorApi } from './find-coordinator.schema';
import { JoinGroupApi } from './join-group.schema';
import { HeartbeatApi } from './heartbeat.schema';
import { LeaveGroupApi } from './leave-group.schema';
import { SyncGroupApi } from './sync-group.schema';
import { DescribeGroupsApi } from './describe-groups.schema';
import { ListGroupsApi } from './list-groups.schema';
import { SaslHandshakeApi } from './sasl-handshake.schema';
import { ApiVersionsApi } from './api-versions.schema';
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

export * from './produce.schema';
export * from './fetch.schema';
export * from './list-offsets.schema';
export * from './metadata.schema';
export * from './controlled-shutdown.schema';
export * from './offset-commit.schema';
export * from './offset-fetch.schema';
export * from './find-coordinator.schema';
export * from './join-group.schema';
export * from './heartbeat.schema';
export * from './leave-group.schema';
export * from './sync-group.schema';
export * from './describe-groups.schema';
export * from './list-groups.schema';
export * from './sasl-handshake.schema';
export * from './api-versions.schema';
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
  ProduceApi,
  FetchApi,
  ListOffsetsApi,
  MetadataApi,
  ControlledShutdownApi,
  OffsetCommitApi,
  OffsetFetchApi,
  FindCoordinatorApi,
  JoinGroupApi,
  HeartbeatApi,
  LeaveGroupApi,
  SyncGroupApi,
  DescribeGroupsApi,
  ListGroupsApi,
  SaslHandshakeApi,
  ApiVersionsApi,
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
