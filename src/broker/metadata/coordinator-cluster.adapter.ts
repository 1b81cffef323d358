import { Inject, Injectable } from '@nestjs/common';
import { coordinatorOf, type CoordinatorCluster, type CoordinatorClusterChange } from '../../coordinator/coordinator-cluster';
import { MetadataCache } from './metadata-cache.service';
import { LEADERSHIP_FENCE, NEVER_FENCED, type LeadershipFence } from './session-fence';

/** The group coordinator's view of the cluster, over the metadata cache. */
@Injectable()
export class MetadataCoordinatorCluster implements CoordinatorCluster {
  constructor(
    private readonly cache: MetadataCache,
    @Inject(LEADERSHIP_FENCE) private readonly fence: LeadershipFence = NEVER_FENCED,
  ) {}

  /** The broker coordinating the group among the live brokers (this one counts as live before its registration shows). */
  coordinatorOf(groupId: string): number | undefined {
    const ids = new Set(this.cache.liveBrokers().map((b) => b.id));
    ids.add(this.cache.localBrokerId);
    return coordinatorOf(groupId, [...ids].sort((a, b) => a - b));
  }

  /** False while fenced: a broker that may have lost its session answers NOT_COORDINATOR until it knows. */
  isLocalCoordinator(groupId: string): boolean {
    return !this.fence.fenced && this.coordinatorOf(groupId) === this.cache.localBrokerId;
  }

  partitionCount(topic: string): number {
    return this.cache.topic(topic)?.partitions.length ?? 0;
  }

  onChange(listener: (change: CoordinatorClusterChange) => void): () => void {
    return this.cache.onChange((change) => {
      if (change.kind === 'brokers') listener({ kind: 'coordinators' });
      else if (change.kind === 'partition') listener({ kind: 'partitions', topic: change.partition.topic });
      else if (change.kind === 'topic-deleted') listener({ kind: 'topic-deleted', topic: change.topic });
    });
  }
}
