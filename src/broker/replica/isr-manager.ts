import type { LogLogger } from '../../log/log-config';
import type { PartitionState } from '../../zk/accessors/partition-state.accessor';
import { BadVersionError } from '../../zk/metadata-store.errors';
import { sameMembers } from '../controller/partition-leader-election';
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
 * in memory only once written. One change per partition is in flight at a time, and while
 * it is the high watermark waits for the union of the old and proposed ISR (Partition).
 *
 * The proposal is dropped only when the node proves it was not written. A write whose
 * answer was lost (connection loss, timeout) may have landed, so the proposal stays pending
 * and the node is read back — at once, and again at each periodic ISR check while reads
 * fail. Showing the proposal (with our leader and epoch), it is committed. Showing anything
 * else in our epoch, the write did not land: with the old ISR there it is written again,
 * with another that ISR is taken as committed and the decision made again from it. A
 * version conflict is read back the same way, so a node already holding the proposal (our
 * own earlier write) counts as written, as in Kafka's checkLeaderAndIsrZkData.
 * When the node names another leader or epoch, the proposal is kept until the metadata
 * watch brings the new role: falling back to the smaller ISR could let the high watermark
 * pass a replica the controller may elect (Kafka's leader likewise keeps its pending ISR
 * when fenced).
 */
export class IsrManager {
  listener: IsrChangeListener | undefined;
  /** Writes whose answer was lost and whose read-back has not succeeded yet (see class comment). */
  private readonly unresolved = new WeakMap<Partition, UnresolvedWrite>();

  constructor(
    private readonly store: IsrStateStore,
    private readonly options: IsrManagerOptions,
  ) {}

  /**
   * The periodic check: reads back a write whose outcome is unknown, else removes the ISR
   * members that fell behind, if any (and no change is in flight).
   */
  maybeShrinkIsr(partition: Partition): void {
    if (!partition.isLeader) return;
    const unknown = this.unresolved.get(partition);
    if (unknown && this.stillProposing(partition, unknown.epoch, unknown.proposed)) {
      if (!unknown.reading) void this.readBack(partition, unknown);
      return;
    }
    this.unresolved.delete(partition);
    if (partition.isrChangePending) return;
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
    this.send(partition, partition.leaderEpoch, proposed, change);
  }

  private send(partition: Partition, epoch: number, proposed: readonly number[], change: IsrChange): void {
    void this.write(partition, epoch, proposed, change).catch((error) => {
      // Only failures before the write was sent (or a read after a rejected one) end here: nothing was written.
      if (partition.pendingIsr === proposed) partition.abortIsrChange();
      // The next check (shrink: periodic; expand: the follower's next fetch) tries again.
      this.options.logger.warn(`${partition.key}: could not write ISR [${proposed}]: ${errorText(error)}`);
    });
  }

  private async write(partition: Partition, epoch: number, proposed: readonly number[], change: IsrChange): Promise<void> {
    const { topic, partition: index } = partition;
    const state = await this.store.get(topic, index);
    if (!this.stillProposing(partition, epoch, proposed)) return;
    if (!this.stillLeading(partition, state, epoch)) return;
    // The compare-and-set must be against the ISR the proposal was made from: a node that
    // says otherwise in our epoch (only this leader writes it within an epoch, so an earlier
    // write of ours whose answer we missed) is decided from, never overwritten.
    if (!sameMembers(state!.isr, partition.isr)) {
      this.decideFrom(partition, state, epoch, proposed, change);
      return;
    }
    try {
      await this.store.set(topic, index, { leader: this.options.localBrokerId, leaderEpoch: epoch, isr: [...proposed], controllerEpoch: state!.controllerEpoch }, state!.version);
    } catch (error) {
      if (error instanceof BadVersionError) {
        await this.afterConflict(partition, epoch, proposed, change);
        return;
      }
      this.options.logger.warn(`${partition.key}: the answer to writing ISR [${proposed}] was lost (${errorText(error)}); keeping it pending and reading the node back`);
      const unknown: UnresolvedWrite = { epoch, proposed, change, reading: false };
      this.unresolved.set(partition, unknown);
      await this.readBack(partition, unknown);
      return;
    }
    if (!this.stillProposing(partition, epoch, proposed)) return;
    this.committed(partition, epoch, proposed, change);
  }

  /** Learns from the node whether a write whose answer was lost landed; on a failed read, the next periodic check asks again. */
  private async readBack(partition: Partition, unknown: UnresolvedWrite): Promise<void> {
    unknown.reading = true;
    let state: PartitionState | null;
    try {
      state = await this.store.get(partition.topic, partition.partition);
    } catch (error) {
      this.options.logger.warn(`${partition.key}: could not read back ISR [${unknown.proposed}] (${errorText(error)}); it stays pending until a read succeeds`);
      return;
    } finally {
      unknown.reading = false;
    }
    if (this.unresolved.get(partition) !== unknown) return;
    this.unresolved.delete(partition);
    if (!this.stillProposing(partition, unknown.epoch, unknown.proposed)) return;
    this.decideFrom(partition, state, unknown.epoch, unknown.proposed, unknown.change);
  }

  /** Someone wrote the node since we read it: read it again and decide afresh. */
  private async afterConflict(partition: Partition, epoch: number, proposed: readonly number[], change: IsrChange): Promise<void> {
    const state = await this.store.get(partition.topic, partition.partition);
    if (!this.stillProposing(partition, epoch, proposed)) return;
    this.decideFrom(partition, state, epoch, proposed, change);
  }

  /** The node as read after a lost answer or a conflict: our proposal written, or the ISR to decide again from. */
  private decideFrom(partition: Partition, state: PartitionState | null, epoch: number, proposed: readonly number[], change: IsrChange): void {
    if (!this.stillLeading(partition, state, epoch)) return;
    if (sameMembers(state!.isr, proposed)) {
      this.committed(partition, epoch, proposed, change);
      return;
    }
    if (sameMembers(state!.isr, partition.isr)) {
      // Not written, and nothing else was: write it again, the HW still waiting for the union meanwhile.
      this.options.logger.warn(`${partition.key}: ISR [${proposed}] was not written; the state node still says [${state!.isr}], writing it again`);
      this.send(partition, epoch, proposed, change);
      return;
    }
    this.options.logger.warn(`${partition.key}: ISR [${proposed}] was not written; the state node says [${state!.isr}], deciding again`);
    partition.commitIsr(state!.isr);
    if (change.kind === 'shrink') this.maybeShrinkIsr(partition);
    else this.maybeExpandIsr(partition, change.brokerId);
  }

  private committed(partition: Partition, epoch: number, proposed: readonly number[], change: IsrChange): void {
    partition.commitIsr(proposed);
    this.listener?.onIsrChange(change.kind);
    this.options.logger.log(`${partition.key}: ISR is now [${proposed}] (leader epoch ${epoch})`);
  }

  /** The partition still leads in `epoch` and this write is still the one in flight. */
  private stillProposing(partition: Partition, epoch: number, proposed: readonly number[]): boolean {
    return partition.isLeader && partition.leaderEpoch === epoch && partition.pendingIsr === proposed;
  }

  /**
   * The node still names this broker leader of `epoch`. If not, the proposal stays pending
   * (the HW keeps waiting for the union) until the metadata brings the new role, which clears it.
   */
  private stillLeading(partition: Partition, state: PartitionState | null, epoch: number): boolean {
    if (state && state.leader === this.options.localBrokerId && state.leaderEpoch === epoch) return true;
    this.options.logger.warn(
      `${partition.key}: not changing the ISR: the state node says leader ${state?.leader ?? 'none'} epoch ${state?.leaderEpoch ?? -1}, ` +
        `this broker (${this.options.localBrokerId}) led epoch ${epoch}; waiting for the metadata`,
    );
    return false;
  }
}

interface UnresolvedWrite {
  readonly epoch: number;
  readonly proposed: readonly number[];
  readonly change: IsrChange;
  /** A read-back is in flight (the periodic check does not start another). */
  reading: boolean;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
