import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { BrokerConfig } from '../../config/broker.config';
import {
  BrokerIdsAccessor,
  ClusterIdAccessor,
  ControllerAccessor,
  ensurePaths,
  PartitionStatesAccessor,
  PERSISTENT_PATHS,
  TopicAssignmentsAccessor,
  TopicConfigsAccessor,
  type BrokerRegistrationJson,
  type PartitionState,
  type TopicAssignment,
} from '../../zk/accessors';
import { METADATA_STORE, type MetadataStore } from '../../zk/metadata-store';
import { newTopicId } from '../topics/topic-id';
import { isInternalTopic } from '../topics/topic-name';
import type { BrokerInfo, MetadataChange, MetadataView, PartitionInfo, TopicInfo } from './metadata-view';

/** One topic as the cache tracks it: raw store state plus the watches that keep it current. */
interface TopicEntry {
  readonly name: string;
  topicId: string;
  replicas: number[][];
  /** Version of the assignment node applied last; older reads are ignored. */
  assignmentVersion: number;
  states: (PartitionState | null)[];
  configs: Readonly<Record<string, string>>;
  /** Unsubscribe functions: assignment, configs, one per partition state. */
  readonly unsubscribers: (() => void)[];
  stateWatched: number;
  /** Built on demand, dropped on any change of the topic or of the live brokers. */
  info: TopicInfo | null;
  removed: boolean;
}

/**
 * The broker's view of the cluster (MetadataView), read from the metadata store at start and
 * kept current by watches: /brokers/ids/*, /brokers/topics/* with every partition's state
 * node, /config/topics/*, /controller and /cluster/id. Nothing is kept anywhere else, so a
 * restart rebuilds the same view from the store (the embedded store persists under the
 * first log dir). Changes are announced to onChange listeners after the snapshot changed;
 * the initial load announces every partition too, so a listener that subscribed before the
 * load finished misses nothing.
 */
@Injectable()
export class MetadataCache implements MetadataView, OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('MetadataCache');
  readonly localBrokerId: number;
  private readonly brokerIds: BrokerIdsAccessor;
  private readonly assignments: TopicAssignmentsAccessor;
  private readonly partitionStates: PartitionStatesAccessor;
  private readonly topicConfigs: TopicConfigsAccessor;
  private readonly controllers: ControllerAccessor;
  private cluster = '';
  private controller = -1;
  private readonly brokers = new Map<number, BrokerInfo>();
  private readonly brokerUnsubscribers = new Map<number, () => void>();
  private brokerList: readonly BrokerInfo[] = [];
  private readonly byName = new Map<string, TopicEntry>();
  private readonly byId = new Map<string, TopicEntry>();
  private readonly listeners = new Set<(change: MetadataChange) => void>();
  private readonly closeWaiters = new Set<() => void>();
  private readonly unsubscribers: (() => void)[] = [];
  private started: Promise<void> | undefined;
  private closed = false;

  constructor(
    config: BrokerConfig,
    @Inject(METADATA_STORE) private readonly store: MetadataStore,
  ) {
    this.localBrokerId = config.brokerId;
    this.brokerIds = new BrokerIdsAccessor(store);
    this.assignments = new TopicAssignmentsAccessor(store);
    this.partitionStates = new PartitionStatesAccessor(store);
    this.topicConfigs = new TopicConfigsAccessor(store);
    this.controllers = new ControllerAccessor(store);
  }

  onModuleInit(): Promise<void> {
    return this.start();
  }

  /** Loads the whole view and arms the watches; idempotent. */
  start(): Promise<void> {
    this.started ??= this.load();
    return this.started;
  }

  private async load(): Promise<void> {
    await ensurePaths(this.store, PERSISTENT_PATHS);
    // Kafka creates the cluster id once, on the first broker's start, and never changes it.
    this.cluster = await new ClusterIdAccessor(this.store).getOrCreate(newTopicId());
    const controller = await this.controllers.watch((id) => {
      if (id === this.controller) return;
      this.controller = id;
      this.emit({ kind: 'controller', controllerId: id });
    });
    this.controller = controller.initial;
    this.unsubscribers.push(controller.unsubscribe);
    const ids = await this.brokerIds.watchIds((list) => void this.syncBrokers(list).catch((err) => this.fail('broker list', err)));
    this.unsubscribers.push(ids.unsubscribe);
    await this.syncBrokers(ids.initial);
    const names = await this.assignments.watchNames((list) => void this.syncTopics(list).catch((err) => this.fail('topic list', err)));
    this.unsubscribers.push(names.unsubscribe);
    await this.syncTopics(names.initial);
  }

  /** After requests drained, before the store closes (see KafkaServer for the phases). */
  beforeApplicationShutdown(): void {
    this.close();
  }

  /** Stops watching; the snapshot stays readable. Pending waitFor calls resolve false. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    for (const unsubscribe of this.brokerUnsubscribers.values()) unsubscribe();
    this.brokerUnsubscribers.clear();
    for (const entry of this.byName.values()) for (const unsubscribe of entry.unsubscribers.splice(0)) unsubscribe();
    for (const wake of [...this.closeWaiters]) wake();
    this.listeners.clear();
  }

  // ---- MetadataView ----

  clusterId(): string {
    return this.cluster;
  }

  controllerId(): number {
    return this.controller;
  }

  liveBrokers(): readonly BrokerInfo[] {
    return this.brokerList;
  }

  broker(id: number): BrokerInfo | undefined {
    return this.brokers.get(id);
  }

  *topics(): Iterable<TopicInfo> {
    for (const entry of this.byName.values()) yield this.infoOf(entry);
  }

  topic(name: string): TopicInfo | undefined {
    const entry = this.byName.get(name);
    return entry ? this.infoOf(entry) : undefined;
  }

  topicById(topicId: string): TopicInfo | undefined {
    const entry = this.byId.get(topicId);
    return entry ? this.infoOf(entry) : undefined;
  }

  partition(topic: string, partition: number): PartitionInfo | undefined {
    return this.topic(topic)?.partitions[partition];
  }

  onChange(listener: (change: MetadataChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- beyond the view: for services on this broker ----

  /** Names of every topic known, including those whose partitions have no state yet. */
  topicNames(): string[] {
    return [...this.byName.keys()];
  }

  /**
   * Resolves true as soon as `predicate` holds (checked now and after every change), false
   * after `timeoutMs` or when the cache closes.
   */
  waitFor(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
    if (predicate()) return Promise.resolve(true);
    if (this.closed || timeoutMs <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const finish = (result: boolean): void => {
        clearTimeout(timer);
        unsubscribe();
        this.closeWaiters.delete(onClose);
        resolve(result);
      };
      const onClose = (): void => finish(false);
      const timer = setTimeout(() => finish(predicate()), timeoutMs);
      const unsubscribe = this.onChange(() => {
        if (predicate()) finish(true);
      });
      this.closeWaiters.add(onClose);
    });
  }

  /**
   * Reads every partition state node again and applies what changed, as the watches would
   * have. For a broker that may have missed watch events (see SessionFence).
   */
  async refreshPartitionStates(): Promise<void> {
    const reads: Promise<void>[] = [];
    for (const entry of this.byName.values()) {
      for (let p = 0; p < entry.stateWatched; p++) {
        reads.push(
          this.partitionStates.get(entry.name, p).then((state) => {
            // A watch event may have delivered a newer version while this read was out.
            const current = entry.states[p];
            if (state && current && state.version <= current.version) return;
            this.applyState(entry, p, state);
          }),
        );
      }
    }
    await Promise.all(reads);
  }

  // ---- brokers ----

  private async syncBrokers(ids: number[]): Promise<void> {
    if (this.closed) return;
    const wanted = new Set(ids);
    let changed = false;
    for (const [id, unsubscribe] of [...this.brokerUnsubscribers]) {
      if (wanted.has(id)) continue;
      unsubscribe();
      this.brokerUnsubscribers.delete(id);
      changed = this.brokers.delete(id) || changed;
    }
    for (const id of ids) {
      if (this.brokerUnsubscribers.has(id)) continue;
      // Reserve the slot before awaiting, so a second sync for the same id does not watch twice.
      let unsubscribed = false;
      this.brokerUnsubscribers.set(id, () => (unsubscribed = true));
      const sub = await this.brokerIds.watch(id, (registration) => {
        if (this.setBroker(id, registration)) this.brokersChanged();
      });
      if (unsubscribed || this.closed) {
        sub.unsubscribe();
        continue;
      }
      this.brokerUnsubscribers.set(id, sub.unsubscribe);
      changed = this.setBroker(id, sub.initial) || changed;
    }
    if (changed) this.brokersChanged();
  }

  private setBroker(id: number, registration: BrokerRegistrationJson | null): boolean {
    if (!registration) return this.brokers.delete(id);
    this.brokers.set(id, {
      id,
      host: registration.host,
      port: registration.port,
      rack: registration.rack ?? null,
      endpoints: [...(registration.endpoints ?? [])],
      ...(typeof registration.admin_url === 'string' ? { adminUrl: registration.admin_url } : {}),
    });
    return true;
  }

  private brokersChanged(): void {
    this.brokerList = [...this.brokers.values()].sort((a, b) => a.id - b.id);
    for (const entry of this.byName.values()) entry.info = null;
    this.emit({ kind: 'brokers', brokers: this.brokerList });
  }

  // ---- topics ----

  private async syncTopics(names: string[]): Promise<void> {
    if (this.closed) return;
    const wanted = new Set(names);
    for (const entry of [...this.byName.values()]) if (!wanted.has(entry.name)) this.removeTopic(entry);
    await Promise.all(names.filter((name) => !this.byName.has(name)).map((name) => this.addTopic(name)));
  }

  private async addTopic(name: string): Promise<void> {
    const entry: TopicEntry = { name, topicId: '', replicas: [], assignmentVersion: -1, states: [], configs: {}, unsubscribers: [], stateWatched: 0, info: null, removed: false };
    this.byName.set(name, entry);
    const assignment = await this.assignments.watch(name, (next) => {
      if (next) void this.applyAssignment(entry, next).catch((err) => this.fail(`topic ${name}`, err));
      else this.replaceTopic(entry);
    });
    entry.unsubscribers.push(assignment.unsubscribe);
    const configs = await this.topicConfigs.watch(name, (next) => {
      if (entry.removed) return;
      entry.configs = next;
      entry.info = null;
      this.emit({ kind: 'topic-config', topic: name, configs: next });
    });
    entry.unsubscribers.push(configs.unsubscribe);
    entry.configs = configs.initial;
    if (entry.removed) return this.unwatch(entry);
    if (assignment.initial) await this.applyAssignment(entry, assignment.initial);
  }

  private async applyAssignment(entry: TopicEntry, assignment: TopicAssignment): Promise<void> {
    if (entry.removed) return;
    // Another id under the same name: the topic was deleted and created again faster than
    // the topic list changed (watch events merge). The old topic is gone for listeners.
    if (entry.topicId && assignment.topicId && entry.topicId !== assignment.topicId) return this.replaceTopic(entry);
    if (assignment.version < entry.assignmentVersion) return;
    entry.assignmentVersion = assignment.version;
    if (entry.topicId !== assignment.topicId) {
      entry.topicId = assignment.topicId;
      if (entry.topicId) this.byId.set(entry.topicId, entry);
    }
    entry.replicas = assignment.partitions;
    entry.info = null;
    // Partitions are only ever added, so the watched ones are a prefix.
    while (entry.stateWatched < assignment.partitions.length) {
      const p = entry.stateWatched++;
      entry.states[p] = null;
      const sub = await this.partitionStates.watch(entry.name, p, (state) => this.applyState(entry, p, state));
      entry.unsubscribers.push(sub.unsubscribe);
      if (entry.removed) return this.unwatch(entry);
      this.applyState(entry, p, sub.initial);
    }
  }

  private applyState(entry: TopicEntry, p: number, state: PartitionState | null): void {
    if (entry.removed) return;
    const before = entry.states[p];
    entry.states[p] = state;
    entry.info = null;
    if (!state) return;
    if (before && before.leader === state.leader && before.leaderEpoch === state.leaderEpoch && sameList(before.isr, state.isr)) return;
    const partition = this.infoOf(entry).partitions[p];
    if (partition) this.emit({ kind: 'partition', partition });
  }

  /** The assignment node went away (or changed identity): drop the topic, then re-read the list in case it exists again. */
  private replaceTopic(entry: TopicEntry): void {
    if (entry.removed || this.closed) return;
    this.removeTopic(entry);
    void this.assignments
      .names()
      .then((names) => this.syncTopics(names))
      .catch((err) => this.fail('topic list', err));
  }

  private removeTopic(entry: TopicEntry): void {
    entry.removed = true;
    this.byName.delete(entry.name);
    if (entry.topicId && this.byId.get(entry.topicId) === entry) this.byId.delete(entry.topicId);
    this.unwatch(entry);
    this.emit({ kind: 'topic-deleted', topic: entry.name, topicId: entry.topicId });
  }

  private unwatch(entry: TopicEntry): void {
    for (const unsubscribe of entry.unsubscribers.splice(0)) unsubscribe();
  }

  private infoOf(entry: TopicEntry): TopicInfo {
    if (entry.info) return entry.info;
    const partitions: PartitionInfo[] = entry.replicas.map((replicas, p) => {
      const state = entry.states[p];
      return {
        topic: entry.name,
        partition: p,
        replicas,
        leader: state ? state.leader : -1,
        leaderEpoch: state ? state.leaderEpoch : -1,
        isr: state ? state.isr : [],
        offlineReplicas: replicas.filter((id) => !this.brokers.has(id)),
      };
    });
    entry.info = { name: entry.name, topicId: entry.topicId, internal: isInternalTopic(entry.name), partitions, configs: entry.configs };
    return entry.info;
  }

  // ---- events ----

  private emit(change: MetadataChange): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch (err) {
        this.logger.error(`metadata change listener failed on ${change.kind}: ${err instanceof Error ? err.stack : String(err)}`);
      }
    }
  }

  private fail(what: string, err: unknown): void {
    if (this.closed) return;
    this.logger.error(`could not refresh ${what} from the metadata store: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
