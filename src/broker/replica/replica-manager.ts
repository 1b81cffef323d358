import { Logger, type OnModuleDestroy } from '@nestjs/common';
import type { LogLogger } from '../../log/log-config';
import { LogError } from '../../log/log-errors';
import type { LogManager } from '../../log/log-manager';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, MAX_TIMESTAMP } from '../../log/partition-log';
import { ErrorCode } from '../../protocol/errors/error-codes';
import { interBrokerEndpoint, type HostPort } from '../metadata/broker-endpoints';
import type { MetadataChange, MetadataView, PartitionInfo, TopicInfo } from '../metadata/metadata-view';
import type { LeadershipFence } from '../metadata/session-fence';
import { TcpBrokerChannel, type BrokerChannelFactory } from './broker-channel';
import { DelayedFetchPurgatory } from './delayed-fetch-purgatory';
import { IsrManager, type IsrChangeListener, type IsrStateStore } from './isr-manager';
import { failedAppend, Partition, type AppendOutcome } from './partition';
import type { ProducerBatch } from './producer-state-manager';
import type { FetcherSettings } from './replica-fetcher';
import { ReplicaFetcherManager } from './replica-fetcher-manager';
import { topicDataConfig, topicLogOverrides, type BrokerDataDefaults } from './topic-data-config';

/** ListOffsets' timestamps beyond Kafka's classic three (no tiered storage here). */
const EARLIEST_LOCAL_TIMESTAMP = -4;
const LATEST_TIERED_TIMESTAMP = -5;
/** ListOffsets from a consumer: bounded by the high watermark (or the LSO). */
const CONSUMER_REPLICA_ID = -1;
/** ListOffsets from a debugging consumer may be answered by a follower. */
const DEBUGGING_REPLICA_ID = -2;
const READ_COMMITTED = 1;
const EMPTY = Buffer.alloc(0);

export interface ReplicaManagerOptions extends BrokerDataDefaults {
  /** Injected clock (LogAppendTime stamps, followers' catch-up times). */
  now?: () => number;
  logger?: LogLogger;
  /** replica.lag.time.max.ms (30000): a follower not caught up for this long leaves the ISR. */
  replicaLagTimeMaxMs?: number;
  /** Where a leader writes its ISR changes (the partition state nodes); without it the ISR changes only through the controller. */
  isrStore?: IsrStateStore;
  /** Follower fetching; without it a followed partition keeps its log as it is (unit tests of the leader side). */
  fetcher?: FetcherSettings & { connect?: BrokerChannelFactory };
  /** While fenced (a session that may have expired, see SessionFence), produce answers NOT_LEADER_OR_FOLLOWER. */
  fence?: LeadershipFence;
}

export interface ProduceEntry {
  readonly topic: string;
  readonly partition: number;
  readonly records: Buffer | null;
}

export interface FetchPartitionRequest {
  readonly topic: string;
  readonly partition: number;
  readonly fetchOffset: number;
  readonly partitionMaxBytes: number;
  /** -1 when the client does not know it (Fetch < v9). */
  readonly currentLeaderEpoch: number;
  /** Followers (Fetch v12+): the epoch of the last batch in their log, checked against ours; -1 or absent skips the check. */
  readonly lastFetchedEpoch?: number;
}

export interface FetchParams {
  /** -1 for consumers; a broker id for a follower. */
  readonly replicaId: number;
  readonly maxWaitMs: number;
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly isolationLevel: number;
  readonly partitions: readonly FetchPartitionRequest[];
}

export interface FetchPartitionData {
  errorCode: ErrorCode;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  /** Whole batches as stored: a byte range of the log, never re-encoded. */
  records: Buffer;
  /** To a follower whose log diverged from ours: the last epoch we share and where it ends in our log. */
  divergingEpoch?: { epoch: number; endOffset: number };
}

export interface EpochEndOffsetResult {
  errorCode: ErrorCode;
  /** The largest epoch <= the requested one that the log knows, -1 when none. */
  leaderEpoch: number;
  /** Where that epoch ends in the leader's log, -1 when unknown. */
  endOffset: number;
}

export interface ListOffsetRequest {
  readonly topic: string;
  readonly partition: number;
  readonly timestamp: number;
  readonly currentLeaderEpoch: number;
  readonly replicaId: number;
  /** Undefined for ListOffsets v0-1 (no isolation level): as READ_UNCOMMITTED. */
  readonly isolationLevel: number | undefined;
}

export interface ListOffsetResult {
  errorCode: ErrorCode;
  timestamp: number;
  offset: number;
  leaderEpoch: number;
}

export interface DeleteRecordsResult {
  errorCode: ErrorCode;
  lowWatermark: number;
}

type Lookup = { partition: Partition; errorCode?: undefined } | { partition?: undefined; errorCode: ErrorCode };

/**
 * Owns the partitions this broker holds a replica of, as the MetadataView assigns them:
 * the leader's partitions take appends and serve fetches, a follower's partitions are fed
 * by the replica fetchers (ReplicaFetcherManager), deleted topics' logs are deleted, topic
 * config changes reach the logs.
 *
 * Data path: appendRecords (Produce, with acks and idempotence), fetch (with the
 * delayed-fetch purgatory for long polls; a follower's fetch also reports its progress,
 * which moves the high watermark and may add it to the ISR), listOffset, deleteRecords,
 * lastOffsetForLeaderEpoch. Handlers stay thin around these.
 *
 * Replication: every replica.lag.time.max.ms / 2 the partitions this broker leads drop
 * followers that fell behind from their ISR (IsrManager writes the change).
 */
export class ReplicaManager implements OnModuleDestroy {
  private readonly partitions = new Map<string, Partition>();
  private readonly purgatory = new DelayedFetchPurgatory();
  private readonly now: () => number;
  private readonly logger: LogLogger;
  private readonly lagTimeMaxMs: number;
  private readonly isr: IsrManager | undefined;
  private readonly fetchers: ReplicaFetcherManager | undefined;
  private isrTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    readonly metadata: MetadataView,
    private readonly logManager: LogManager,
    private readonly options: ReplicaManagerOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? new Logger('ReplicaManager');
    this.lagTimeMaxMs = options.replicaLagTimeMaxMs ?? 30_000;
    if (options.isrStore) {
      this.isr = new IsrManager(options.isrStore, { localBrokerId: metadata.localBrokerId, replicaLagTimeMaxMs: this.lagTimeMaxMs, logger: this.logger });
    }
    const fetcher = options.fetcher;
    if (fetcher) {
      const clientId = `broker-${metadata.localBrokerId}-fetcher`;
      this.fetchers = new ReplicaFetcherManager({
        settings: fetcher,
        endpointOf: (id) => this.interBrokerEndpoint(id),
        connect: fetcher.connect ?? ((host, port, timeoutMs) => TcpBrokerChannel.connect(host, port, timeoutMs, clientId)),
        logger: this.logger,
        now: this.now,
      });
    }
  }

  get localBrokerId(): number {
    return this.metadata.localBrokerId;
  }

  /** Loads the logs (if the LogManager has not yet) and takes the roles the metadata assigns. */
  start(): void {
    this.logManager.startup();
    this.unsubscribe ??= this.metadata.onChange((change) => this.onMetadataChange(change));
    if (this.isr && !this.isrTimer) {
      this.isrTimer = setInterval(() => this.maybeShrinkIsrs(), Math.max(1, Math.floor(this.lagTimeMaxMs / 2)));
      this.isrTimer.unref();
    }
    this.syncAll();
  }

  /** Nest lifecycle: the metadata view may fill in after our onModuleInit; look again before serving. */
  onModuleInit(): void {
    this.start();
  }

  onApplicationBootstrap(): void {
    this.syncAll();
  }

  /** Alongside the socket server's drain (see KafkaServer): fetchers stop, parked fetches answer, acks=-1 waiters are released. */
  onModuleDestroy(): Promise<void> {
    return this.stop();
  }

  /**
   * Controlled shutdown: stops following (no fetcher runs again), so a leader cannot take
   * this broker back into an ISR the controller just dropped it from. Leading goes on.
   */
  stopFollowing(): Promise<void> {
    return this.fetchers?.shutdown() ?? Promise.resolve();
  }

  stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.isrTimer) clearInterval(this.isrTimer);
    this.isrTimer = undefined;
    const fetchersStopped = this.fetchers?.shutdown() ?? Promise.resolve();
    this.purgatory.close();
    for (const partition of this.partitions.values()) partition.close();
    return fetchersStopped;
  }

  /** Parked fetches (for tests and metrics). */
  get parkedFetches(): number {
    return this.purgatory.size;
  }

  // ---- metadata → roles -------------------------------------------------------------

  syncAll(): void {
    for (const topic of this.metadata.topics()) {
      for (const info of topic.partitions) this.applyPartition(topic, info);
    }
  }

  private onMetadataChange(change: MetadataChange): void {
    try {
      switch (change.kind) {
        case 'partition': {
          const topic = this.metadata.topic(change.partition.topic);
          if (topic) this.applyPartition(topic, change.partition);
          break;
        }
        case 'topic-deleted':
          this.deleteTopic(change.topic);
          break;
        case 'topic-config':
          this.updateTopicConfig(change.topic, change.configs);
          break;
        case 'brokers':
          break;
      }
    } catch (error) {
      this.logger.error(`metadata change ${change.kind} could not be applied: ${error instanceof Error ? error.stack : error}`);
    }
  }

  private applyPartition(topic: TopicInfo, info: PartitionInfo): void {
    const local = this.localBrokerId;
    const key = `${info.topic}-${info.partition}`;
    let partition = this.partitions.get(key);
    if (partition && partition.topicId !== topic.topicId) {
      // The topic was deleted and created again under the same name while we looked away.
      this.deleteTopic(topic.name);
      partition = undefined;
    }
    const hosted = info.leader === local || info.replicas.includes(local);
    if (!hosted) {
      if (partition) {
        // Reassigned away: stop serving it. The log stays on disk; removing replicas is
        // the cluster issue's (Kafka's StopReplica with delete).
        this.fetchers?.unfollow(key);
        partition.close();
        this.partitions.delete(key);
        this.purgatory.partitionChanged(key, true);
      }
      return;
    }
    if (!partition) {
      const log = this.logManager.getOrCreateLog({ topic: info.topic, partition: info.partition }, topicLogOverrides(topic.configs));
      partition = new Partition(info.topic, info.partition, topic.topicId, log, local, topicDataConfig(topic.configs, this.options), this.now, (p) =>
        this.purgatory.partitionChanged(p.key),
      );
      partition.rebuildProducerState();
      this.partitions.set(key, partition);
    }
    const wasLeader = partition.isLeader;
    const epochChanged = partition.leaderEpoch !== info.leaderEpoch;
    if (info.leader === local) {
      this.fetchers?.unfollow(key);
      if (partition.makeLeader(info.leaderEpoch, info.isr, info.replicas)) {
        this.logger.log(`${key}: leader in epoch ${info.leaderEpoch} from offset ${partition.log.logEndOffset}, ISR [${info.isr}]`);
      }
    } else {
      partition.makeFollower(info.leader, info.leaderEpoch, info.isr, info.replicas);
      if (info.leader >= 0 && info.replicas.includes(local)) this.fetchers?.follow(partition, info.leader, info.leaderEpoch);
      else this.fetchers?.unfollow(key);
    }
    if (wasLeader !== partition.isLeader || epochChanged) this.purgatory.partitionChanged(key, true);
  }

  /** The address another broker listens on for brokers; undefined while it is not registered. */
  private interBrokerEndpoint(brokerId: number): HostPort | undefined {
    const broker = this.metadata.broker(brokerId);
    if (!broker) return undefined;
    return interBrokerEndpoint(broker);
  }

  /** The ISR shrink check over the partitions this broker leads; runs every replica.lag.time.max.ms / 2. */
  maybeShrinkIsrs(): void {
    if (!this.isr) return;
    for (const partition of this.partitions.values()) {
      // A one-member ISR has no one to drop, but its pending expansion may need reading back.
      if (!partition.isLeader || (partition.isr.length <= 1 && !partition.isrChangePending)) continue;
      try {
        this.isr.maybeShrinkIsr(partition);
      } catch (error) {
        this.logger.error(`${partition.key}: ISR check failed: ${error instanceof Error ? error.stack : error}`);
      }
    }
  }

  private deleteTopic(topic: string): void {
    for (const [key, partition] of this.partitions) {
      if (partition.topic !== topic) continue;
      this.fetchers?.unfollow(key);
      partition.close();
      this.partitions.delete(key);
      this.purgatory.partitionChanged(key, true);
    }
    this.logManager.deleteTopic(topic);
  }

  private updateTopicConfig(topic: string, configs: Readonly<Record<string, string>>): void {
    this.logManager.updateTopicConfig(topic, topicLogOverrides(configs));
    const dataConfig = topicDataConfig(configs, this.options);
    for (const partition of this.partitions.values()) if (partition.topic === topic) partition.config = dataConfig;
  }

  // ---- lookups ------------------------------------------------------------------------

  /** Every partition this broker holds a replica of, leader or follower (metrics read them at scrape time). */
  hostedPartitions(): IterableIterator<Partition> {
    return this.partitions.values();
  }

  /** Who hears of the ISR changes this broker writes as leader. */
  setIsrChangeListener(listener: IsrChangeListener): void {
    if (this.isr) this.isr.listener = listener;
  }

  /** The partition object, if this broker holds a replica of it. */
  getPartition(topic: string, partition: number): Partition | undefined {
    const key = `${topic}-${partition}`;
    const found = this.partitions.get(key);
    if (found) return found;
    // A metadata event may not have reached us yet (start-up order): look it up directly.
    const info = this.metadata.partition(topic, partition);
    const topicInfo = info && this.metadata.topic(topic);
    if (info && topicInfo && (info.leader === this.localBrokerId || info.replicas.includes(this.localBrokerId))) {
      this.applyPartition(topicInfo, info);
      return this.partitions.get(key);
    }
    return undefined;
  }

  /** Kafka's getPartitionOrError for a leader-only operation. */
  private leaderPartition(topic: string, partition: number, currentLeaderEpoch = -1): Lookup {
    const found = this.getPartition(topic, partition);
    if (!found) {
      return { errorCode: this.metadata.partition(topic, partition) ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
    }
    const epochError = this.checkLeaderEpoch(found, currentLeaderEpoch);
    if (epochError !== ErrorCode.NONE) return { errorCode: epochError };
    if (!found.isLeader) return { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
    return { partition: found };
  }

  private checkLeaderEpoch(partition: Partition, currentLeaderEpoch: number): ErrorCode {
    if (currentLeaderEpoch < 0) return ErrorCode.NONE;
    if (currentLeaderEpoch < partition.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
    if (currentLeaderEpoch > partition.leaderEpoch) return ErrorCode.UNKNOWN_LEADER_EPOCH;
    return ErrorCode.NONE;
  }

  // ---- produce ------------------------------------------------------------------------

  /**
   * Appends each partition's records (failures are per partition) and answers once the
   * acks are met: acks 0 and 1 right after the write, acks -1 when the high watermark
   * passes each appended batch, or at timeoutMs.
   */
  appendRecords(acks: number, timeoutMs: number, entries: readonly ProduceEntry[]): AppendOutcome[] | Promise<AppendOutcome[]> {
    if (acks !== 0 && acks !== 1 && acks !== -1) {
      return entries.map(() => failedAppend(ErrorCode.INVALID_REQUIRED_ACKS, `acks must be -1, 0 or 1, not ${acks}`));
    }
    if (this.options.fence?.fenced) return entries.map(() => failedAppend(ErrorCode.NOT_LEADER_OR_FOLLOWER, 'this broker is fenced until its metadata session is confirmed'));
    const outcomes = entries.map((entry) => this.appendOne(acks, entry));
    if (acks !== -1) return outcomes;
    let waits: Array<Promise<void>> | undefined;
    outcomes.forEach((outcome, i) => {
      if (outcome.errorCode !== ErrorCode.NONE) return;
      const partition = this.partitions.get(`${entries[i].topic}-${entries[i].partition}`);
      const acked = partition ? partition.waitForHighWatermark(outcome.nextOffset, timeoutMs) : ErrorCode.NOT_LEADER_OR_FOLLOWER;
      if (typeof acked === 'number') {
        outcome.errorCode = acked;
        return;
      }
      (waits ??= []).push(acked.then((code) => void (outcome.errorCode = code)));
    });
    return waits ? Promise.all(waits).then(() => outcomes) : outcomes;
  }

  private appendOne(acks: number, entry: ProduceEntry): AppendOutcome {
    const lookup = this.leaderPartition(entry.topic, entry.partition);
    if (!lookup.partition) return failedAppend(lookup.errorCode);
    const outcome = lookup.partition.appendAsLeader(entry.records, acks);
    // Followers' fetches parked at their log end wait for exactly this.
    if (outcome.errorCode === ErrorCode.NONE) this.purgatory.partitionChanged(lookup.partition.key);
    return outcome;
  }

  /**
   * Delayed messages: appends one batch a broker built (Partition.appendBrokerBuilt: a due
   * record, or an idempotent producer's held sequence range), answering by the acks.
   */
  appendBrokerBuilt(topic: string, partition: number, acks: number, timeoutMs: number, records: Buffer, replacing?: ProducerBatch): AppendOutcome | Promise<AppendOutcome> {
    if (acks !== 0 && acks !== 1 && acks !== -1) return failedAppend(ErrorCode.INVALID_REQUIRED_ACKS, `acks must be -1, 0 or 1, not ${acks}`);
    if (this.options.fence?.fenced) return failedAppend(ErrorCode.NOT_LEADER_OR_FOLLOWER, 'this broker is fenced until its metadata session is confirmed');
    const lookup = this.leaderPartition(topic, partition);
    if (!lookup.partition) return failedAppend(lookup.errorCode);
    const outcome = lookup.partition.appendBrokerBuilt(records, acks, replacing);
    if (outcome.errorCode !== ErrorCode.NONE) return outcome;
    this.purgatory.partitionChanged(lookup.partition.key);
    if (acks !== -1) return outcome;
    const acked = lookup.partition.waitForHighWatermark(outcome.nextOffset, timeoutMs);
    return typeof acked === 'number' ? { ...outcome, errorCode: acked } : acked.then((errorCode) => ({ ...outcome, errorCode }));
  }

  // ---- fetch --------------------------------------------------------------------------

  /**
   * Kafka's fetch: reads every partition now; answers at once when minBytes are there, a
   * partition failed, or maxWaitMs is 0 — otherwise parks the request until appends bring
   * enough bytes (or its partitions change), at the latest for maxWaitMs.
   */
  fetch(params: FetchParams): FetchPartitionData[] | Promise<FetchPartitionData[]> {
    const replica = params.replicaId >= 0;
    if (replica && !this.metadata.broker(params.replicaId)) {
      // CVE-2018-1288: replica fetches only from registered brokers.
      return params.partitions.map(() => errorData(ErrorCode.NOT_LEADER_OR_FOLLOWER));
    }
    const first = this.readAll(params, true);
    if (params.maxWaitMs <= 0 || params.partitions.length === 0 || first.bytes >= params.minBytes || first.errored) return first.results;
    return new Promise<FetchPartitionData[]>((resolve) => {
      const watched = params.partitions.map((p, i) => {
        const partition = this.partitions.get(`${p.topic}-${p.partition}`)!;
        return {
          partition,
          maxBytes: p.partitionMaxBytes,
          initialBytes: first.results[i].records.length,
          baseline: replica ? partition.appendedBytesTotal : partition.committedBytes,
        };
      });
      this.purgatory.park({
        keys: params.partitions.map((p) => `${p.topic}-${p.partition}`),
        maxWaitMs: params.maxWaitMs,
        ready: () => {
          let available = 0;
          for (const w of watched) {
            const now = replica ? w.partition.appendedBytesTotal : w.partition.committedBytes;
            available += Math.min(w.maxBytes, w.initialBytes + now - w.baseline);
          }
          return available >= params.minBytes;
        },
        // The follower's progress was recorded when the fetch arrived; recording it again now
        // would pair its old fetch offset with today's log end (Kafka's readFromPurgatory).
        complete: () => resolve(this.readAll(params, false).results),
      });
    });
  }

  /** Reads every requested partition; `recordFollowerFetch`: a follower's fetch offset counts as its progress (only when the fetch arrives). */
  private readAll(params: FetchParams, recordFollowerFetch: boolean): { results: FetchPartitionData[]; bytes: number; errored: boolean } {
    let limitBytes = params.maxBytes;
    // Kafka (Fetch v3+): the first batch of the first partition with data is returned even
    // when it exceeds maxBytes or partitionMaxBytes, so a consumer is never stuck behind it.
    let minOneBatch = true;
    let bytes = 0;
    let errored = false;
    const results = params.partitions.map((request) => {
      const data = this.readPartition(params, request, Math.max(0, Math.min(request.partitionMaxBytes, limitBytes)), minOneBatch, recordFollowerFetch);
      if (data.errorCode !== ErrorCode.NONE) errored = true;
      const size = data.records.length;
      if (size > 0) {
        minOneBatch = false;
        limitBytes = Math.max(0, limitBytes - size);
        bytes += size;
      }
      return data;
    });
    return { results, bytes, errored };
  }

  private readPartition(params: FetchParams, request: FetchPartitionRequest, maxBytes: number, minOneBatch: boolean, recordFollowerFetch: boolean): FetchPartitionData {
    const replica = params.replicaId >= 0;
    const lookup = this.leaderPartition(request.topic, request.partition, request.currentLeaderEpoch);
    if (!lookup.partition) return errorData(lookup.errorCode);
    const partition = lookup.partition;
    if (replica && !partition.replicas.includes(params.replicaId)) return errorData(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    try {
      if (replica) {
        const diverging = this.divergence(partition, request);
        if (diverging) return diverging;
      }
      // The log end before the read: appends that race with this fetch must not keep the follower out of sync.
      const leaderEnd = partition.log.logEndOffset;
      // Consumers see only committed data; READ_COMMITTED reads to the last stable offset,
      // which equals the high watermark without transactions.
      const maxOffset = replica ? undefined : params.isolationLevel === READ_COMMITTED ? partition.lastStableOffset : partition.highWatermark;
      const read = partition.log.read(request.fetchOffset, maxBytes, { maxOffset, minOneBatch });
      if (replica && recordFollowerFetch) {
        partition.updateFollowerFetchState(params.replicaId, request.fetchOffset, leaderEnd);
        this.isr?.maybeExpandIsr(partition, params.replicaId);
      }
      return {
        errorCode: ErrorCode.NONE,
        highWatermark: partition.highWatermark,
        lastStableOffset: partition.lastStableOffset,
        logStartOffset: read.logStartOffset,
        records: read.records,
      };
    } catch (error) {
      if (error instanceof LogError) return errorData(error.errorCode as ErrorCode);
      throw error;
    }
  }

  /**
   * Kafka's check of a follower's lastFetchedEpoch: when our log ends that epoch before the
   * follower's fetch offset, or knows only older epochs, the follower's log diverged from
   * ours there and it must truncate (the answer carries no records).
   */
  private divergence(partition: Partition, request: FetchPartitionRequest): FetchPartitionData | undefined {
    const lastFetchedEpoch = request.lastFetchedEpoch ?? -1;
    if (lastFetchedEpoch < 0) return undefined;
    const ours = partition.log.endOffsetForEpoch(lastFetchedEpoch);
    if (!ours) return errorData(ErrorCode.OFFSET_OUT_OF_RANGE);
    if (ours.epoch >= lastFetchedEpoch && ours.endOffset >= request.fetchOffset) return undefined;
    return {
      errorCode: ErrorCode.NONE,
      highWatermark: partition.highWatermark,
      lastStableOffset: partition.lastStableOffset,
      logStartOffset: partition.log.logStartOffset,
      records: EMPTY,
      divergingEpoch: { epoch: ours.epoch, endOffset: ours.endOffset },
    };
  }

  // ---- offset for leader epoch --------------------------------------------------------

  /**
   * OffsetForLeaderEpoch: where `leaderEpoch` ends in this leader's log (the start of the
   * next epoch, or the log end for the current one) and the largest epoch at or below it
   * that the log knows; -1/-1 when it knows none. Only the leader answers, fenced by
   * currentLeaderEpoch like a fetch.
   */
  lastOffsetForLeaderEpoch(topic: string, partitionIndex: number, currentLeaderEpoch: number, leaderEpoch: number): EpochEndOffsetResult {
    const lookup = this.leaderPartition(topic, partitionIndex, currentLeaderEpoch);
    if (!lookup.partition) return { errorCode: lookup.errorCode, leaderEpoch: -1, endOffset: -1 };
    const found = lookup.partition.log.endOffsetForEpoch(leaderEpoch);
    return found ? { errorCode: ErrorCode.NONE, leaderEpoch: found.epoch, endOffset: found.endOffset } : { errorCode: ErrorCode.NONE, leaderEpoch: -1, endOffset: -1 };
  }

  // ---- list offsets -------------------------------------------------------------------

  listOffset(request: ListOffsetRequest): ListOffsetResult {
    const fromFollowerAllowed = request.replicaId === DEBUGGING_REPLICA_ID;
    let partition: Partition;
    if (fromFollowerAllowed) {
      const found = this.getPartition(request.topic, request.partition);
      if (!found) return offsetError(this.metadata.partition(request.topic, request.partition) ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      const epochError = this.checkLeaderEpoch(found, request.currentLeaderEpoch);
      if (epochError !== ErrorCode.NONE) return offsetError(epochError);
      partition = found;
    } else {
      const lookup = this.leaderPartition(request.topic, request.partition, request.currentLeaderEpoch);
      if (!lookup.partition) return offsetError(lookup.errorCode);
      partition = lookup.partition;
    }
    const log = partition.log;
    const fromConsumer = request.replicaId === CONSUMER_REPLICA_ID;
    // Consumers see up to the high watermark (the LSO for READ_COMMITTED); brokers and
    // debugging tools up to the log end.
    const lastFetchable = !fromConsumer ? log.logEndOffset : request.isolationLevel === READ_COMMITTED ? partition.lastStableOffset : partition.highWatermark;
    // KIP-207: a new leader's high watermark can trail what the previous leader had
    // committed (and consumers read) until the followers fetch again. Answering from it
    // would move a consumer's end offset backwards, so ask it to retry instead.
    const highWatermarkLagging = fromConsumer && partition.isLeader && partition.leaderEpochStartOffset > partition.highWatermark;
    try {
      switch (request.timestamp) {
        case LATEST_TIMESTAMP:
          if (highWatermarkLagging) return offsetError(ErrorCode.OFFSET_NOT_AVAILABLE);
          return { errorCode: ErrorCode.NONE, timestamp: -1, offset: lastFetchable, leaderEpoch: partition.leaderEpoch };
        case EARLIEST_TIMESTAMP:
        case EARLIEST_LOCAL_TIMESTAMP:
          return { errorCode: ErrorCode.NONE, timestamp: -1, offset: log.logStartOffset, leaderEpoch: partition.epochForOffset(log.logStartOffset) };
        case LATEST_TIERED_TIMESTAMP:
          return { errorCode: ErrorCode.NONE, timestamp: -1, offset: -1, leaderEpoch: -1 };
        default: {
          if (request.timestamp < 0 && request.timestamp !== MAX_TIMESTAMP) {
            return offsetError(ErrorCode.INVALID_REQUEST);
          }
          const found = log.offsetForTimestamp(request.timestamp);
          if (found && found.offset >= lastFetchable && highWatermarkLagging) return offsetError(ErrorCode.OFFSET_NOT_AVAILABLE);
          if (!found || found.offset >= lastFetchable) return { errorCode: ErrorCode.NONE, timestamp: -1, offset: -1, leaderEpoch: -1 };
          return { errorCode: ErrorCode.NONE, timestamp: found.timestamp, offset: found.offset, leaderEpoch: partition.epochForOffset(found.offset) };
        }
      }
    } catch (error) {
      if (error instanceof LogError) return offsetError(error.errorCode as ErrorCode);
      throw error;
    }
  }

  // ---- delete records -----------------------------------------------------------------

  /** Moves the log start to `offset` (-1: the high watermark); beyond the high watermark is OFFSET_OUT_OF_RANGE. */
  deleteRecords(topic: string, partitionIndex: number, offset: number): DeleteRecordsResult {
    const lookup = this.leaderPartition(topic, partitionIndex);
    if (!lookup.partition) return { errorCode: lookup.errorCode, lowWatermark: -1 };
    const partition = lookup.partition;
    const target = offset === -1 ? partition.highWatermark : offset;
    if (target < 0 || target > partition.highWatermark) return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, lowWatermark: -1 };
    try {
      const lowWatermark = partition.deleteRecordsBefore(target);
      this.purgatory.partitionChanged(partition.key, true);
      return { errorCode: ErrorCode.NONE, lowWatermark };
    } catch (error) {
      if (error instanceof LogError) return { errorCode: error.errorCode as ErrorCode, lowWatermark: -1 };
      throw error;
    }
  }
}

function errorData(errorCode: ErrorCode): FetchPartitionData {
  return { errorCode, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, records: EMPTY };
}

function offsetError(errorCode: ErrorCode): ListOffsetResult {
  return { errorCode, timestamp: -1, offset: -1, leaderEpoch: -1 };
}
