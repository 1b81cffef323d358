import { ConsumerRegistryPublisher } from './consumer-registry-publisher';
import { GroupCoordinator } from './group-coordinator.service';
import { GroupStateStore } from './group-state-store';
import { OffsetStore } from './offset-store';

/**
 * The coordinator's services. They are mounted in BrokerModule rather than a module of
 * their own because they need the broker's view of the cluster (COORDINATOR_CLUSTER,
 * provided there over the metadata cache) while the broker's handlers need them: one
 * module avoids a cycle, and the narrow interface keeps the code itself one-way.
 */
export const COORDINATOR_PROVIDERS = [GroupCoordinator, OffsetStore, GroupStateStore, ConsumerRegistryPublisher];
