import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { BrokerConfig } from '../../config/broker.config';
import {
  BrokerIdsAccessor,
  ControllerAccessor,
  PartitionStatesAccessor,
  TopicAssignmentsAccessor,
  TopicConfigsAccessor,
  TopicDeletionsAccessor,
  type WatchedValue,
} from '../../zk/accessors';
import { METADATA_STORE, type MetadataStore } from '../../zk/metadata-store';
import { BadVersionError } from '../../zk/metadata-store.errors';
import { ControllerElection } from './controller-election';
import { imbalancedBrokers, initialLeaderAndIsr, leaderAndIsrWithout, nextLeaderAndIsr, preferredLeaderAndIsr, type PartitionLeadership } from './partition-leader-election';
import { ErrorCode } from '../../protocol/errors/error-codes';
import type { PartitionState } from '../../zk/accessors/partition-state.accessor';

/**
 * The controller, Kafka's ZooKeeper-mode design in miniature. Elected through /controller
 * (ControllerElection) and fenced by /controller_epoch, it turns what admins write into
 * partition states:
 *  - a topic assignment (/brokers/topics/{topic}) with partitions that have no state node
 *    gets one per new partition: leader = first live replica, ISR = live replicas;
 *  - a change of the live brokers moves leadership off dead brokers and shrinks ISRs;
 *  - a topic marked at /admin/delete_topics/{topic} loses its states, assignment and config
 *    node, then the mark;
 *  - a broker's ControlledShutdown request moves the leadership of its partitions to other
 *    in-sync replicas and takes it out of the ISRs it follows in, before it goes;
 *  - every leader.imbalance.check.interval.seconds (auto.leader.rebalance.enable), brokers
 *    leading too small a share of the partitions they are the preferred replica of get those
 *    back, so that leadership spreads out again after brokers died and returned.
 * Work runs one event at a time, in arrival order, like Kafka's ControllerEventManager; each
 * event re-reads what it needs from the store, so a missed or merged watch event costs nothing.
 * Before writing, an event checks the epoch it won is still the newest; if not it resigns.
 */
@Injectable()
export class KafkaController implements BeforeApplicationShutdown {
  private readonly logger = new Logger('KafkaController');
  private readonly brokerIds: BrokerIdsAccessor;
  private readonly assignments: TopicAssignmentsAccessor;
  private readonly states: PartitionStatesAccessor;
  private readonly configs: TopicConfigsAccessor;
  private readonly deletions: TopicDeletionsAccessor;
  private readonly controllers: ControllerAccessor;
  private readonly election: ControllerElection;
  private epoch = 0;
  private active = false;
  private live = new Set<number>();
  private readonly duties: WatchedValue<unknown>[] = [];
  private readonly topicWatches = new Map<string, WatchedValue<unknown>>();
  private queue: Promise<void> = Promise.resolve();
  private started = false;
  private rebalanceTimer: NodeJS.Timeout | undefined;
  /** Brokers that asked for a controlled shutdown, with the registration they asked from: no leadership goes back to them. */
  private readonly shuttingDown = new Map<number, string>();
  /** Each live broker's registration timestamp: a new one under the same id is a restart (Kafka's broker epoch). */
  private readonly registrations = new Map<number, string>();

  constructor(
    private readonly config: BrokerConfig,
    @Inject(METADATA_STORE) store: MetadataStore,
  ) {
    this.brokerIds = new BrokerIdsAccessor(store);
    this.assignments = new TopicAssignmentsAccessor(store);
    this.states = new PartitionStatesAccessor(store);
    this.configs = new TopicConfigsAccessor(store);
    this.deletions = new TopicDeletionsAccessor(store);
    this.controllers = new ControllerAccessor(store);
    this.election = new ControllerElection(config.brokerId, this.controllers, store, { elected: () => this.onElected(), resigned: () => this.onResigned() }, this.logger);
  }

  /** Joins the election (after this broker registered); resolves once decided and, if won, once pending work is done. */
  async startup(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.election.start();
    await this.queue;
  }

  get isActive(): boolean {
    return this.active;
  }

  get controllerEpoch(): number {
    return this.epoch;
  }

  /** Hands the role over while the store is still open (it closes in the last shutdown phase). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.election.stop();
    await this.queue;
  }

  // ---- election callbacks ----

  private async onElected(): Promise<void> {
    this.epoch = await this.controllers.incrementEpoch();
    this.active = true;
    this.logger.log(`controller epoch ${this.epoch}`);
    const brokers = await this.brokerIds.watchIds((ids) => this.enqueue('broker change', () => this.onBrokersChanged(ids)));
    this.duties.push(brokers);
    this.live = new Set(brokers.initial);
    await this.noteRestartedBrokers();
    const topics = await this.assignments.watchNames((names) => this.enqueue('topic change', () => this.onTopicsChanged(names)));
    this.duties.push(topics);
    const deletions = await this.deletions.watch((names) => this.enqueue('topic deletion', () => this.deleteTopics(names)));
    this.duties.push(deletions);
    if (this.config.autoLeaderRebalanceEnable) {
      this.rebalanceTimer = setInterval(() => this.enqueue('auto leader rebalance', () => this.rebalanceLeaders()), this.config.leaderImbalanceCheckIntervalSeconds * 1000);
      this.rebalanceTimer.unref();
    }
    this.enqueue('failover', async () => {
      await this.deleteTopics(deletions.initial);
      await this.onTopicsChanged(topics.initial);
      // Partitions whose leader died while no controller was watching.
      for (const topic of this.topicWatches.keys()) await this.reconcileTopic(topic);
    });
    await this.queue;
  }

  private onResigned(): void {
    this.active = false;
    clearInterval(this.rebalanceTimer);
    for (const duty of this.duties.splice(0)) duty.unsubscribe();
    for (const watch of this.topicWatches.values()) watch.unsubscribe();
    this.topicWatches.clear();
  }

  private enqueue(what: string, task: () => Promise<void>): void {
    this.queue = this.queue.then(async () => {
      if (!this.active) return;
      try {
        await task();
      } catch (err) {
        if (err instanceof FencedError) {
          this.election.resign(err.message);
          return;
        }
        this.logger.error(`controller event '${what}' failed: ${err instanceof Error ? err.stack : String(err)}`);
      }
    });
  }

  /** Throws when another controller has won a newer epoch since this one. */
  private async checkEpoch(): Promise<void> {
    const current = await this.controllers.epoch();
    if (current !== this.epoch) throw new FencedError(`controller epoch is now ${current}, this broker won ${this.epoch}`);
  }

  // ---- events ----

  private async onBrokersChanged(ids: number[]): Promise<void> {
    this.live = new Set(ids);
    const restarted = await this.noteRestartedBrokers();
    for (const [id, registeredAt] of [...this.shuttingDown]) {
      if (!this.live.has(id) || this.registrations.get(id) !== registeredAt) this.shuttingDown.delete(id);
    }
    // Kafka's onBrokerFailure then onBrokerStartup for a broker that restarted between two
    // looks (its removal and return merged into one watch event): it may have lost the tail
    // of its log, so it is first taken out of every ISR and leadership as if dead, and then
    // let back in as a follower that catches up.
    if (restarted.size > 0) {
      this.logger.log(`brokers ${[...restarted]} registered again: handled as failed, then started`);
      for (const topic of this.topicWatches.keys()) await this.reconcileTopic(topic, restarted);
    }
    for (const topic of this.topicWatches.keys()) await this.reconcileTopic(topic);
  }

  /** Records each live broker's registration; returns those whose registration changed since the last look. */
  private async noteRestartedBrokers(): Promise<Set<number>> {
    const restarted = new Set<number>();
    for (const id of [...this.registrations.keys()]) if (!this.live.has(id)) this.registrations.delete(id);
    for (const id of this.live) {
      const timestamp = (await this.brokerIds.get(id))?.timestamp;
      if (timestamp === undefined) continue;
      const known = this.registrations.get(id);
      if (known !== undefined && known !== timestamp) restarted.add(id);
      this.registrations.set(id, timestamp);
    }
    return restarted;
  }

  private async onTopicsChanged(names: string[]): Promise<void> {
    const wanted = new Set(names);
    for (const [topic, watch] of [...this.topicWatches]) {
      if (wanted.has(topic)) continue;
      watch.unsubscribe();
      this.topicWatches.delete(topic);
    }
    for (const topic of names) {
      if (this.topicWatches.has(topic)) continue;
      // Partitions added later rewrite the assignment node: watch it for new partitions.
      const watch = await this.assignments.watch(topic, (assignment) => {
        if (assignment) this.enqueue(`partitions of ${topic}`, () => this.reconcileTopic(topic));
      });
      this.topicWatches.set(topic, watch);
      await this.reconcileTopic(topic);
    }
  }

  /**
   * Creates missing partition states and re-elects where brokers came or went. Brokers in
   * `asDead` count as gone for this pass (a restarted broker, see onBrokersChanged).
   */
  private async reconcileTopic(topic: string, asDead: ReadonlySet<number> = NO_BROKERS): Promise<void> {
    if (await this.deletions.isMarked(topic)) return;
    const assignment = await this.assignments.get(topic);
    if (!assignment) return;
    const live = asDead.size === 0 ? this.live : new Set([...this.live].filter((id) => !asDead.has(id)));
    const shuttingDown = new Set(this.shuttingDown.keys());
    const unclean = await this.uncleanElectionEnabled(topic);
    for (let p = 0; p < assignment.partitions.length; p++) {
      const replicas = assignment.partitions[p];
      try {
        const state = await this.states.get(topic, p);
        // No state yet, or one written while none of its replicas was alive: a new partition.
        if (!state || (state.leader === -1 && state.isr.length === 0)) {
          const initial = initialLeaderAndIsr(replicas.filter((id) => !shuttingDown.has(id)), live);
          // Kafka leaves a partition with no live replica in NewPartition: a broker's return creates it.
          if (initial.leader === -1) continue;
          await this.checkEpoch();
          const fields = { leader: initial.leader, isr: [...initial.isr], controllerEpoch: this.epoch };
          if (state) await this.states.set(topic, p, { ...fields, leaderEpoch: state.leaderEpoch + 1 }, state.version);
          else await this.states.create(topic, p, { ...fields, leaderEpoch: 0 });
          continue;
        }
        const next = nextLeaderAndIsr(replicas, state, live, unclean, shuttingDown);
        if (!next) continue;
        await this.checkEpoch();
        await this.states.set(topic, p, { leader: next.leader, isr: [...next.isr], leaderEpoch: next.leaderEpoch, controllerEpoch: this.epoch }, state.version);
      } catch (err) {
        if (err instanceof FencedError) throw err;
        if (err instanceof BadVersionError) {
          // Someone (a leader changing its ISR) wrote in between: look again at once.
          this.enqueue(`retry ${topic}-${p}`, () => this.reconcileTopic(topic));
          continue;
        }
        // A lost connection or a store error: the other partitions go on, this one is looked at
        // again shortly instead of waiting for an unrelated event (Kafka retries until connected).
        this.logger.warn(`controller could not update ${topic}-${p}: ${err instanceof Error ? err.message : String(err)}; retrying`);
        const timer = setTimeout(() => this.enqueue(`retry ${topic}-${p}`, () => this.reconcileTopic(topic)), STORE_RETRY_MS);
        timer.unref();
      }
    }
  }

  /** unclean.leader.election.enable for the topic: its own override, else the broker's. */
  private async uncleanElectionEnabled(topic: string): Promise<boolean> {
    const override = (await this.configs.get(topic))['unclean.leader.election.enable'];
    return override === undefined ? this.config.uncleanLeaderElectionEnable : override === 'true';
  }

  /**
   * Kafka's ControlledShutdown, on the controller: every partition `brokerId` leads moves to
   * another live in-sync replica that is not shutting down itself, and it leaves the ISRs it
   * follows in. Resolves with the partitions it still leads although another live replica
   * could take them once in sync; the broker asks again until none is left or it gives up.
   * (Partitions no other live broker holds stay with it, as single-replica ones do.)
   */
  controlledShutdown(brokerId: number, brokerEpoch = -1): Promise<{ errorCode: ErrorCode; remaining: Array<{ topic: string; partition: number }> }> {
    if (!this.active) return Promise.resolve({ errorCode: ErrorCode.NOT_CONTROLLER, remaining: [] });
    return new Promise((resolve) => {
      this.enqueue(`controlled shutdown of broker ${brokerId}`, async () => {
        try {
          resolve(await this.moveLeadershipOff(brokerId, brokerEpoch));
        } catch (err) {
          resolve({ errorCode: err instanceof FencedError ? ErrorCode.NOT_CONTROLLER : ErrorCode.UNKNOWN_SERVER_ERROR, remaining: [] });
          throw err;
        }
      });
      // A controller that resigned before the task ran never runs it.
      void this.queue.then(() => resolve({ errorCode: ErrorCode.NOT_CONTROLLER, remaining: [] }));
    });
  }

  private async moveLeadershipOff(brokerId: number, brokerEpoch: number): Promise<{ errorCode: ErrorCode; remaining: Array<{ topic: string; partition: number }> }> {
    const registration = await this.brokerIds.get(brokerId);
    if (!this.live.has(brokerId) || !registration) return { errorCode: ErrorCode.BROKER_NOT_AVAILABLE, remaining: [] };
    // -1: a request before v2, or from a broker that does not know its epoch.
    if (brokerEpoch >= 0 && String(brokerEpoch) !== registration.timestamp) return { errorCode: ErrorCode.STALE_BROKER_EPOCH, remaining: [] };
    this.shuttingDown.set(brokerId, registration.timestamp);
    // Leadership never moves to a broker that is itself on its way out.
    const eligible = new Set([...this.live].filter((id) => !this.shuttingDown.has(id)));
    const remaining: Array<{ topic: string; partition: number }> = [];
    for (const topic of this.topicWatches.keys()) {
      const assignment = await this.assignments.get(topic);
      if (!assignment) continue;
      for (let p = 0; p < assignment.partitions.length; p++) {
        const replicas = assignment.partitions[p];
        if (!replicas.includes(brokerId)) continue;
        const state = await this.moveOff(brokerId, topic, p, replicas, eligible);
        // Worth asking again only while another replica could still catch up and take over.
        if (state?.leader === brokerId && replicas.some((id) => id !== brokerId && eligible.has(id))) remaining.push({ topic, partition: p });
      }
    }
    return { errorCode: ErrorCode.NONE, remaining };
  }

  /**
   * One partition of a controlled shutdown; a leader changing its ISR meanwhile (a version
   * conflict) is answered by reading again. Resolves with the state as left.
   */
  private async moveOff(brokerId: number, topic: string, partition: number, replicas: readonly number[], eligible: ReadonlySet<number>): Promise<PartitionState | null> {
    for (let attempt = 0; ; attempt++) {
      const state = await this.states.get(topic, partition);
      const next = state && leaderAndIsrWithout(brokerId, replicas, state, eligible);
      if (!state || !next) return state;
      await this.checkEpoch();
      try {
        await this.states.set(topic, partition, { leader: next.leader, isr: [...next.isr], leaderEpoch: next.leaderEpoch, controllerEpoch: this.epoch }, state.version);
        return { ...state, leader: next.leader, isr: [...next.isr], leaderEpoch: next.leaderEpoch };
      } catch (err) {
        if (!(err instanceof BadVersionError) || attempt >= MOVE_OFF_ATTEMPTS) throw err;
      }
    }
  }

  /** Kafka's checkAndTriggerAutoLeaderRebalance: preferred replicas of imbalanced brokers lead again. */
  private async rebalanceLeaders(): Promise<void> {
    const partitions: Array<PartitionLeadership & { topic: string; partition: number; state: PartitionState }> = [];
    for (const topic of this.topicWatches.keys()) {
      if (await this.deletions.isMarked(topic)) continue;
      const assignment = await this.assignments.get(topic);
      if (!assignment) continue;
      for (let p = 0; p < assignment.partitions.length; p++) {
        const state = await this.states.get(topic, p);
        if (state) partitions.push({ topic, partition: p, replicas: assignment.partitions[p], leader: state.leader, state });
      }
    }
    const imbalanced = imbalancedBrokers(partitions, this.config.leaderImbalancePerBrokerPercentage);
    for (const { topic, partition, replicas, state } of partitions) {
      if (!imbalanced.has(replicas[0]) || this.shuttingDown.has(replicas[0])) continue;
      const next = preferredLeaderAndIsr(replicas, state, this.live);
      if (!next) continue;
      await this.checkEpoch();
      try {
        await this.states.set(topic, partition, { leader: next.leader, isr: [...next.isr], leaderEpoch: next.leaderEpoch, controllerEpoch: this.epoch }, state.version);
        this.logger.log(`${topic}-${partition}: leadership back to its preferred replica ${next.leader} (epoch ${next.leaderEpoch})`);
      } catch (err) {
        // The leader changed its ISR meanwhile: the next check looks again.
        if (!(err instanceof BadVersionError)) throw err;
      }
    }
  }

  private async deleteTopics(names: string[]): Promise<void> {
    for (const topic of names) {
      await this.checkEpoch();
      if (this.config.deleteTopicEnable) {
        this.topicWatches.get(topic)?.unsubscribe();
        this.topicWatches.delete(topic);
        // Recursive: the partition state nodes go first, then the assignment.
        await this.assignments.delete(topic);
        await this.configs.delete(topic);
        this.logger.log(`deleted topic ${topic}`);
      } else {
        this.logger.warn(`topic ${topic} was marked for deletion but delete.topic.enable is false; clearing the mark`);
      }
      await this.deletions.clear(topic);
    }
  }
}

class FencedError extends Error {}

const NO_BROKERS: ReadonlySet<number> = new Set();
/** Pause before a controller write that failed for a reason other than a version conflict is tried again. */
const STORE_RETRY_MS = 500;
/** Reads and writes of one partition during a controlled shutdown before a version conflict is given up on. */
const MOVE_OFF_ATTEMPTS = 5;
