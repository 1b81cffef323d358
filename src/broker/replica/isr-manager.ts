import type { LogLogger } from '../../log/log-config';
import type { PartitionState } from '../../zk/accessors/partition-state.accessor';
import { BadVersionError } from '../../zk/metadata-store.errors';
import type { Partition } from './partition';

/** The partition state nodes, as far as a leader changing its ISR needs them (PartitionStatesAccessor). */
export interface IsrStateStore {
  get(topic: string, partition: number): Promise<PartitionState | null>;
  /** Compare-and-set on the node's version; throws BadVersionError when someone wrote in between. */
  set(topic: string, partition: number, state: Omit<PartitionState, 'version'>, expectedVersion: number): Promise<number>;
}

export interface IsrManagerOptions {
  readonly localBrokerId: number;
  /** replica.lag.time.max.ms: a follower not caught up for this long leaves the ISR. */
  readonly replicaLagTimeMaxMs: number;
  readonly logger: LogLogger;
}

/** Told of every ISR change this leader wrote (metrics count them). */
export interface IsrChangeListener {
  onIsrChange(kind: 'shrink' | 'expand'): void;
}

type IsrChange = { readonly kind: 'shrink' } | { readonly kind: 'expand'; readonly brokerId: number };

/**
 * The leader's side of the ISR (Kafka's ZooKeeper-mode Partition.maybeShrinkIsr /
 * maybeExpandIsr): a follower that has not caught up for replica.lag.time.max.ms leaves the
 * ISR (checked periodically by the ReplicaManager); a follower whose fetches reach the high
 * watermark and the start of this leader's epoch joins it.
 *
 * Each change is written to the partition state node with a compare-and-set on the node's
 * version, keeping leader and leader epoch (only the controller changes those), and applied
 * in memory only once written. One change per partition is in flight at a time. On a
 * version conflict the node is read again: if the controller moved leadership or bumped the
 * epoch, this leader stops (the metadata watch brings the new role); if not, the ISR read
 * back is taken as the committed one and the decision is made again from it.
 */
export class IsrManager {
  listener: IsrChangeListener | undefined;

  constructor(
    private readonly store: IsrStateStore,
    private readonly options: IsrManagerOptions,
  ) {}

  /** Removes the ISR members that fell behind, if any (and no change is in flight). */
  maybeShrinkIsr(partition: Partition): void {
    if (!partition.isLeader || partition.isrChangePending) return;
    const outOfSync = partition.outOfSyncReplicas(this.options.replicaLagTimeMaxMs);
    if (outOfSync.length === 0) return;
    const proposed = partition.isr.filter((id) => !outOfSync.includes(id));
    const lag = outOfSync.map((id) => `${id} at ${partition.followerLogEnd(id)}`).join(', ');
    this.options.logger.log(
      `${partition.key}: shrinking the ISR from [${partition.isr}] to [${proposed}]: leader log end ${partition.log.logEndOffset}, ` +
        `high watermark ${partition.highWatermark}, not caught up within ${this.options.replicaLagTimeMaxMs} ms: ${lag}`,
    );
    this.submit(partition, proposed, { kind: 'shrink' });
  }

  /** Adds `brokerId` to the ISR when its last fetch made it eligible (and no change is in flight). */
  maybeExpandIsr(partition: Partition, brokerId: number): void {
    if (partition.isrChangePending || !partition.isIsrEligible(brokerId)) return;
    const proposed = [...partition.isr, brokerId];
    this.options.logger.log(
      `${partition.key}: expanding the ISR from [${partition.isr}] to [${proposed}]: follower ${brokerId} reached ${partition.followerLogEnd(brokerId)} ` +
        `(high watermark ${partition.highWatermark})`,
    );
    this.submit(partition, proposed, { kind: 'expand', brokerId });
  }

  private submit(partition: Partition, proposed: readonly number[], change: IsrChange): void {
    partition.beginIsrChange(proposed);
    void this.write(partition, partition.leaderEpoch, proposed, change).catch((error) => {
      if (partition.pendingIsr === proposed) partition.abortIsrChange();
      // The next check (shrink: periodic; expand: the follower's next fetch) tries again.
      this.options.logger.warn(`${partition.key}: could not write ISR [${proposed}]: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  private async write(partition: Partition, epoch: number, proposed: readonly number[], change: IsrChange): Promise<void> {
    const { topic, partition: index } = partition;
    const state = await this.store.get(topic, index);
    if (!this.stillProposing(partition, epoch, proposed)) return;
    if (!this.stillLeading(partition, state, epoch)) return;
    try {
      await this.store.set(topic, index, { leader: this.options.localBrokerId, leaderEpoch: epoch, isr: [...proposed], controllerEpoch: state!.controllerEpoch }, state!.version);
    } catch (error) {
      if (!(error instanceof BadVersionError)) throw error;
      await this.afterConflict(partition, epoch, proposed, change);
      return;
    }
    if (!this.stillProposing(partition, epoch, proposed)) return;
    partition.commitIsr(proposed);
    this.listener?.onIsrChange(change.kind);
    this.options.logger.log(`${partition.key}: ISR is now [${proposed}] (leader epoch ${epoch})`);
  }

  /** Someone wrote the node since we read it: read it again and decide afresh. */
  private async afterConflict(partition: Partition, epoch: number, proposed: readonly number[], change: IsrChange): Promise<void> {
    const state = await this.store.get(partition.topic, partition.partition);
    if (!this.stillProposing(partition, epoch, proposed)) return;
    if (!this.stillLeading(partition, state, epoch)) return;
    this.options.logger.warn(`${partition.key}: the state node changed under an ISR update; ISR there is [${state!.isr}], deciding again`);
    partition.commitIsr(state!.isr);
    if (change.kind === 'shrink') this.maybeShrinkIsr(partition);
    else this.maybeExpandIsr(partition, change.brokerId);
  }

  /** The partition still leads in `epoch` and this write is still the one in flight. */
  private stillProposing(partition: Partition, epoch: number, proposed: readonly number[]): boolean {
    return partition.isLeader && partition.leaderEpoch === epoch && partition.pendingIsr === proposed;
  }

  /** The node still names this broker leader of `epoch`; if not, the change is dropped and the metadata will follow. */
  private stillLeading(partition: Partition, state: PartitionState | null, epoch: number): boolean {
    if (state && state.leader === this.options.localBrokerId && state.leaderEpoch === epoch) return true;
    partition.abortIsrChange();
    this.options.logger.warn(
      `${partition.key}: not changing the ISR: the state node says leader ${state?.leader ?? 'none'} epoch ${state?.leaderEpoch ?? -1}, ` +
        `this broker (${this.options.localBrokerId}) led epoch ${epoch}`,
    );
    return false;
  }
}
