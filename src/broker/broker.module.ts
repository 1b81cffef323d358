import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ApiRegistry } from './api/api-registry';
import { RequestRouter } from './api/request-router';
import { ControlledShutdown } from './controller/controlled-shutdown.service';
import { KafkaController } from './controller/kafka-controller.service';
import { ControlledShutdownHandler } from './handlers/07-controlled-shutdown.handler';
import { COORDINATOR_CLUSTER } from '../coordinator/coordinator-cluster';
import { COORDINATOR_PROVIDERS } from '../coordinator/coordinator.providers';
import { GroupCoordinator } from '../coordinator/group-coordinator.service';
import { DELAY_CLUSTER, DelayService } from '../coordinator/delay/delay.service';
import { BrokerDelayCluster } from './delay/broker-delay-cluster';
import { DelayPeerCheck } from './delay/delay-peer-check';
import { DelayedRecords } from './handlers/produce/delayed-records';
import { ProduceHandler } from './handlers/00-produce.handler';
import { FetchHandler } from './handlers/01-fetch.handler';
import { ListOffsetsHandler } from './handlers/02-list-offsets.handler';
import { MetadataHandler } from './handlers/03-metadata.handler';
import { OffsetCommitHandler } from './handlers/08-offset-commit.handler';
import { OffsetFetchHandler } from './handlers/09-offset-fetch.handler';
import { FindCoordinatorHandler } from './handlers/10-find-coordinator.handler';
import { JoinGroupHandler } from './handlers/11-join-group.handler';
import { HeartbeatHandler } from './handlers/12-heartbeat.handler';
import { LeaveGroupHandler } from './handlers/13-leave-group.handler';
import { SyncGroupHandler } from './handlers/14-sync-group.handler';
import { DescribeGroupsHandler } from './handlers/15-describe-groups.handler';
import { ListGroupsHandler } from './handlers/16-list-groups.handler';
import { DeleteGroupsHandler } from './handlers/42-delete-groups.handler';
import { OffsetDeleteHandler } from './handlers/47-offset-delete.handler';
import { ApiVersionsHandler } from './handlers/18-api-versions.handler';
import { DeleteRecordsHandler } from './handlers/21-delete-records.handler';
import { InitProducerIdHandler } from './handlers/22-init-producer-id.handler';
import { OffsetForLeaderEpochHandler } from './handlers/23-offset-for-leader-epoch.handler';
import { CreateTopicsHandler } from './handlers/19-create-topics.handler';
import { DeleteTopicsHandler } from './handlers/20-delete-topics.handler';
import { DescribeConfigsHandler } from './handlers/32-describe-configs.handler';
import { AlterConfigsHandler } from './handlers/33-alter-configs.handler';
import { DescribeLogDirsHandler } from './handlers/35-describe-log-dirs.handler';
import { CreatePartitionsHandler } from './handlers/37-create-partitions.handler';
import { IncrementalAlterConfigsHandler } from './handlers/44-incremental-alter-configs.handler';
import { DescribeClusterHandler } from './handlers/60-describe-cluster.handler';
import { KafkaServer } from './kafka-server.service';
import { BrokerMetrics } from './metrics/broker-metrics';
import { BrokerRegistration } from './metadata/broker-registration.service';
import { MetadataCache } from './metadata/metadata-cache.service';
import { MetadataCoordinatorCluster } from './metadata/coordinator-cluster.adapter';
import { METADATA_VIEW } from './metadata/metadata-view';
import { SESSION_FENCE_PROVIDER } from './metadata/session-fence';
import { ConfigAdmin } from './topics/config-admin.service';
import { TopicAdmin } from './topics/topic-admin.service';
import { ReplicaManager } from './replica/replica-manager';
import { REPLICA_PROVIDERS } from './replica/replica.providers';

/** The data path: ReplicaManager, producer ids, and the APIs that read and write records. */
const DATA_PATH = [...REPLICA_PROVIDERS, ProduceHandler, FetchHandler, ListOffsetsHandler, DeleteRecordsHandler, InitProducerIdHandler, OffsetForLeaderEpochHandler];

/** Delayed messages: the Produce path's turn-off, the schedulers (src/coordinator/delay) over the broker's replicas. */
const DELAYS = [DelayedRecords, DelayPeerCheck, DelayService, BrokerDelayCluster, { provide: DELAY_CLUSTER, useExisting: BrokerDelayCluster }];

/** Cluster metadata and topic administration: the view, the controller, registration, admin services. */
const METADATA_PROVIDERS = [
  MetadataCache,
  { provide: METADATA_VIEW, useExisting: MetadataCache },
  SESSION_FENCE_PROVIDER,
  KafkaController,
  ControlledShutdown,
  BrokerRegistration,
  TopicAdmin,
  ConfigAdmin,
];

/** Consumer groups: the coordinator (src/coordinator) over the broker's view of the cluster, and its APIs. */
const GROUPS = [
  ...COORDINATOR_PROVIDERS,
  MetadataCoordinatorCluster,
  { provide: COORDINATOR_CLUSTER, useExisting: MetadataCoordinatorCluster },
  OffsetCommitHandler,
  OffsetFetchHandler,
  JoinGroupHandler,
  HeartbeatHandler,
  LeaveGroupHandler,
  SyncGroupHandler,
  DescribeGroupsHandler,
  ListGroupsHandler,
  DeleteGroupsHandler,
  OffsetDeleteHandler,
];

const METADATA_HANDLERS = [
  MetadataHandler,
  ControlledShutdownHandler,
  CreateTopicsHandler,
  DeleteTopicsHandler,
  DescribeConfigsHandler,
  AlterConfigsHandler,
  CreatePartitionsHandler,
  DescribeLogDirsHandler,
  IncrementalAlterConfigsHandler,
  DescribeClusterHandler,
  FindCoordinatorHandler,
];

/**
 * The Kafka broker: socket server, request router and one handler per API. Handlers
 * are found by their @KafkaApi decorator; adding an API is adding its handler here.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [ApiRegistry, RequestRouter, KafkaServer, BrokerMetrics, ApiVersionsHandler, ...METADATA_PROVIDERS, ...METADATA_HANDLERS, ...DATA_PATH, ...GROUPS, ...DELAYS],
  exports: [ApiRegistry, RequestRouter, KafkaServer, BrokerMetrics, METADATA_VIEW, MetadataCache, BrokerRegistration, TopicAdmin, ReplicaManager, GroupCoordinator, DelayService],
})
export class BrokerModule {}
