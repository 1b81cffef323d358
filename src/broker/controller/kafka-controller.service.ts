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
    for (const [id, registeredAt] of [...this.shuttingDown]) {
      // Gone, or back with a new registration (the two watch events may have merged).
      if (!this.live.has(id) || (await this.brokerIds.get(id))?.timestamp !== registeredAt) this.shuttingDown.delete(id);
    }
    for (const topic of this.topicWatches.keys()) await this.reconcileTopic(topic);
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

  /** Creates missing partition states and re-elects where brokers came or went. */
  private async reconcileTopic(topic: string): Promise<void> {
    if (await this.deletions.isMarked(topic)) return;
    const assignment = await this.assignments.get(topic);
    if (!assignment) return;
    for (let p = 0; p < assignment.partitions.length; p++) {
      const replicas = assignment.partitions[p];
      const state = await this.states.get(topic, p);
      if (!state) {
        await this.checkEpoch();
        const initial = initialLeaderAndIsr(replicas, this.live);
        await this.states.create(topic, p, { leader: initial.leader, isr: [...initial.isr], leaderEpoch: 0, controllerEpoch: this.epoch });
        continue;
      }
      const next = nextLeaderAndIsr(replicas, state, this.live, this.config.uncleanLeaderElectionEnable);
      if (!next) continue;
      await this.checkEpoch();
      try {
        await this.states.set(topic, p, { leader: next.leader, isr: [...next.isr], leaderEpoch: next.leaderEpoch, controllerEpoch: this.epoch }, state.version);
      } catch (err) {
        // Someone (a leader shrinking its ISR) wrote in between: look again on the next event.
        if (!(err instanceof BadVersionError)) throw err;
        this.enqueue(`retry ${topic}-${p}`, () => this.reconcileTopic(topic));
      }
    }
  }

  /**
   * Kafka's ControlledShutdown, on the controller: every partition `brokerId` leads moves to
   * another live in-sync replica that is not shutting down itself, and it leaves the ISRs it
   * follows in. Resolves with the partitions it still leads although another live replica
   * could take them once in sync; the broker asks again until none is left or it gives up.
   * (Partitions no other live broker holds stay with it, as single-replica ones do.)
   */
  controlledShutdown(brokerId: number): Promise<{ errorCode: ErrorCode; remaining: Array<{ topic: string; partition: number }> }> {
    if (!this.active) return Promise.resolve({ errorCode: ErrorCode.NOT_CONTROLLER, remaining: [] });
    return new Promise((resolve) => {
      this.enqueue(`controlled shutdown of broker ${brokerId}`, async () => {
        try {
          resolve(await this.moveLeadershipOff(brokerId));
        } catch (err) {
          resolve({ errorCode: err instanceof FencedError ? ErrorCode.NOT_CONTROLLER : ErrorCode.UNKNOWN_SERVER_ERROR, remaining: [] });
          throw err;
        }
      });
      // A controller that resigned before the task ran never runs it.
      void this.queue.then(() => resolve({ errorCode: ErrorCode.NOT_CONTROLLER, remaining: [] }));
    });
  }

  private async moveLeadershipOff(brokerId: number): Promise<{ errorCode: ErrorCode; remaining: Array<{ topic: string; partition: number }> }> {
    const registration = await this.brokerIds.get(brokerId);
    if (!this.live.has(brokerId) || !registration) return { errorCode: ErrorCode.BROKER_NOT_AVAILABLE, remaining: [] };
    this.shuttingDown.set(brokerId, registration.timestamp);
    // Leadership never moves to a broker that is itself on its way out.
    const eligible = new Set([...this.live].filter((id) => !this.shuttingDown.has(id)));
    const remaining: Array<{ topic: string; partition: number }> = [];
    for (const topic of this.topicWatches.keys()) {
      const assignment = await this.assignments.get(topic);
      if (!assignment) continue;
      for (let p = 0; p < assignment.partitions.length; p++) {
        const replicas = assignment.partitions[p];
        const state = await this.states.get(topic, p);
        if (!state || !replicas.includes(brokerId)) continue;
        const next = leaderAndIsrWithout(brokerId, replicas, state, eligible);
        if (next) {
          await this.checkEpoch();
          try {
            await this.states.set(topic, p, { leader: next.leader, isr: [...next.isr], leaderEpoch: next.leaderEpoch, controllerEpoch: this.epoch }, state.version);
            continue;
          } catch (err) {
            // The leader changed its ISR meanwhile: reported as remaining, the broker asks again.
            if (!(err instanceof BadVersionError)) throw err;
          }
        }
        // Worth asking again only while another replica could still catch up and take over.
        if (state.leader === brokerId && replicas.some((id) => id !== brokerId && eligible.has(id))) remaining.push({ topic, partition: p });
      }
    }
    return { errorCode: ErrorCode.NONE, remaining };
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
