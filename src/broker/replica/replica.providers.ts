import type { Provider } from '@nestjs/common';
import { BrokerConfig } from '../../config/broker.config';
import { LogManager } from '../../log/log-manager';
import { PartitionStatesAccessor } from '../../zk/accessors/partition-state.accessor';
import { ProducerIdBlockAccessor } from '../../zk/accessors/producer-id-block.accessor';
import { METADATA_STORE, type MetadataStore } from '../../zk/metadata-store';
import { METADATA_VIEW, type MetadataView } from '../metadata/metadata-view';
import { LEADERSHIP_FENCE, type LeadershipFence } from '../metadata/session-fence';
import { ProducerIdManager } from './producer-id-manager';
import { ReplicaManager } from './replica-manager';

/**
 * The data path's services for BrokerModule: ReplicaManager over the metadata view, the log
 * and the partition state nodes (ISR changes), with its replica fetchers configured from
 * replica.*; and the producer-id allocator over the metadata store. Factories, because both are
 * plain classes that unit tests build by hand.
 */
export const REPLICA_PROVIDERS: Provider[] = [
  {
    provide: ReplicaManager,
    inject: [METADATA_VIEW, LogManager, BrokerConfig, METADATA_STORE, LEADERSHIP_FENCE],
    useFactory: (metadata: MetadataView, logManager: LogManager, config: BrokerConfig, store: MetadataStore, fence: LeadershipFence) =>
      new ReplicaManager(metadata, logManager, {
        fence,
        messageMaxBytes: config.messageMaxBytes,
        minInsyncReplicas: config.minInsyncReplicas,
        replicaLagTimeMaxMs: config.replicaLagTimeMaxMs,
        isrStore: new PartitionStatesAccessor(store),
        fetcher: {
          localBrokerId: config.brokerId,
          fetchWaitMaxMs: config.replicaFetchWaitMaxMs,
          fetchMinBytes: config.replicaFetchMinBytes,
          fetchMaxBytes: config.replicaFetchMaxBytes,
          fetchResponseMaxBytes: config.replicaFetchResponseMaxBytes,
          fetchBackoffMs: config.replicaFetchBackoffMs,
          socketTimeoutMs: config.replicaSocketTimeoutMs,
        },
      }),
  },
  {
    provide: ProducerIdManager,
    inject: [BrokerConfig, METADATA_STORE],
    useFactory: (config: BrokerConfig, store: MetadataStore) => new ProducerIdManager(config.brokerId, new ProducerIdBlockAccessor(store)),
  },
];
