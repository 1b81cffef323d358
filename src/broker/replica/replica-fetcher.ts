import type { LogLogger } from '../../log/log-config';
import { LogError } from '../../log/log-errors';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP } from '../../log/partition-log';
import { ZERO_UUID } from '../../protocol/codec/struct-plan';
import { ErrorCode, errorName } from '../../protocol/errors/error-codes';
import { FetchApi, type FetchRequest, type FetchResponsePartition } from '../../protocol/schemas/fetch.schema';
import { ListOffsetsApi } from '../../protocol/schemas/list-offsets.schema';
import { OffsetForLeaderEpochApi } from '../../protocol/schemas/offset-for-leader-epoch.schema';
import type { HostPort } from '../metadata/broker-endpoints';
import type { BrokerChannel, BrokerChannelFactory } from './broker-channel';
import type { Partition } from './partition';
import { truncationOffset, type EpochEndOffset, type LocalLogView } from './truncation';

/** The first version with lastFetchedEpoch and divergingEpoch, still naming topics (v13 names them by id). */
const FETCH_VERSION = 12;
const OFFSET_FOR_LEADER_EPOCH_VERSION = 4;
const LIST_OFFSETS_VERSION = 4;
const LEADERSHIP_IN_MOTION: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
]);

/** Kafka's replica.fetch.* and replica.socket.timeout.ms, and who we are. */
export interface FetcherSettings {
  readonly localBrokerId: number;
  readonly fetchWaitMaxMs: number;
  readonly fetchMinBytes: number;
  readonly fetchMaxBytes: number;
  readonly fetchResponseMaxBytes: number;
  readonly fetchBackoffMs: number;
  readonly socketTimeoutMs: number;
}

export interface FetcherDeps {
  readonly settings: FetcherSettings;
  /** Where the broker listens for other brokers now; undefined while it is not registered. */
  endpointOf(brokerId: number): HostPort | undefined;
  readonly connect: BrokerChannelFactory;
  readonly logger: LogLogger;
  readonly now?: () => number;
}

/** One followed partition. A new object replaces it on every role change, so answers to older requests can tell they are stale. */
interface FetchState {
  readonly partition: Partition;
  readonly leaderEpoch: number;
  /** The log may hold records the leader lacks: ask the leader where our last epoch ends before fetching. */
  truncating: boolean;
  /** Not before this time (after an error). */
  delayedUntil: number;
  /** The last error logged, so a partition stuck on one error logs it once. */
  lastError: ErrorCode | undefined;
}

/**
 * Fetches, for every partition this broker follows under one leader, what the leader has
 * beyond the local log end (Kafka's ReplicaFetcherThread, one per leader broker, as with
 * num.replica.fetchers=1). It runs a loop over one connection:
 *  1. partitions that just became followers (or whose leader epoch changed) first ask the
 *     leader where their last epoch ends (OffsetForLeaderEpoch) and truncate there, so a
 *     replica that led or lagged in an older epoch never keeps records the leader lacks;
 *     a log with no epochs truncates to its high watermark;
 *  2. then one Fetch (replica id = this broker, from each log end, with the epoch of the
 *     last fetched batch) waits up to replica.fetch.wait.max.ms; the batches are appended
 *     with the leader's offsets and epochs, the high watermark and log start follow the
 *     leader's; partitions that got records move to the back of the next request, as the
 *     leader fills its answer in request order. A divergingEpoch answer truncates like step 1; OFFSET_OUT_OF_RANGE
 *     re-aligns with the leader's log (ListOffsets); other errors pause the partition for
 *     replica.fetch.backoff.ms while the metadata catches up.
 * A failed connection pauses the whole fetcher for the back-off and reconnects.
 */
export class ReplicaFetcher {
  private readonly states = new Map<string, FetchState>();
  private readonly now: () => number;
  private channel: BrokerChannel | undefined;
  private wake: (() => void) | undefined;
  private stopped = false;
  private failing = false;
  private running: Promise<void> | undefined;

  constructor(
    readonly leaderId: number,
    private readonly deps: FetcherDeps,
  ) {
    this.now = deps.now ?? Date.now;
  }

  get size(): number {
    return this.states.size;
  }

  /** The epoch this fetcher follows `key` in, or undefined. */
  epochOf(key: string): number | undefined {
    return this.states.get(key)?.leaderEpoch;
  }

  /** Follows `partition` in `leaderEpoch` from scratch (truncation first); starts the loop if idle. */
  addPartition(partition: Partition, leaderEpoch: number): void {
    this.states.set(partition.key, { partition, leaderEpoch, truncating: true, delayedUntil: 0, lastError: undefined });
    this.running ??= this.run();
    this.wakeUp();
  }

  removePartition(key: string): void {
    if (this.states.delete(key)) this.wakeUp();
  }

  /** Stops the loop and closes the connection; resolves when the loop has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.channel?.close();
    this.wakeUp();
    await this.running;
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Sleeps `ms` (forever when Infinity), or until a partition is added or removed, or stop. */
  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = Number.isFinite(ms) ? setTimeout(() => done(), Math.max(0, ms)) : undefined;
      const done = (): void => {
        if (timer) clearTimeout(timer);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      this.wake = done;
    });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const now = this.now();
      const ready: FetchState[] = [];
      let nextDue = Infinity;
      for (const state of this.states.values()) {
        if (state.delayedUntil <= now) ready.push(state);
        else nextDue = Math.min(nextDue, state.delayedUntil);
      }
      if (ready.length === 0) {
        await this.idle(nextDue - now);
        continue;
      }
      try {
        const channel = await this.connected();
        const truncating = ready.filter((s) => s.truncating);
        if (truncating.length > 0) await this.truncate(channel, truncating);
        const fetching = ready.filter((s) => this.isCurrent(s) && !s.truncating && s.delayedUntil <= this.now());
        if (fetching.length > 0) await this.fetch(channel, fetching);
        if (this.failing) this.deps.logger.log(`fetching from broker ${this.leaderId} again`);
        this.failing = false;
      } catch (error) {
        this.channel?.close();
        this.channel = undefined;
        if (this.stopped) break;
        if (!this.failing) this.deps.logger.warn(`fetching from broker ${this.leaderId} failed, retrying every ${this.deps.settings.fetchBackoffMs} ms: ${describe(error)}`);
        this.failing = true;
        await this.idle(this.deps.settings.fetchBackoffMs);
      }
    }
    this.channel?.close();
    this.channel = undefined;
  }

  private async connected(): Promise<BrokerChannel> {
    if (this.channel && !this.channel.isClosed) return this.channel;
    const endpoint = this.deps.endpointOf(this.leaderId);
    if (!endpoint) throw new Error(`broker ${this.leaderId} is not registered`);
    this.channel = await this.deps.connect(endpoint.host, endpoint.port, this.deps.settings.socketTimeoutMs);
    return this.channel;
  }

  private isCurrent(state: FetchState): boolean {
    return !this.stopped && this.states.get(state.partition.key) === state;
  }

  private delay(state: FetchState, errorCode: ErrorCode, detail = ''): void {
    state.delayedUntil = this.now() + this.deps.settings.fetchBackoffMs;
    if (state.lastError === errorCode) return;
    state.lastError = errorCode;
    const message = `${state.partition.key}: leader ${this.leaderId} answered ${errorName(errorCode)}${detail}; retrying after ${this.deps.settings.fetchBackoffMs} ms`;
    // Leadership moving (or this broker's registration not yet seen by the leader) answers
    // these until the metadata settles: expected, so not a warning.
    if (LEADERSHIP_IN_MOTION.has(errorCode)) this.deps.logger.log(message);
    else this.deps.logger.warn(message);
  }

  // ---- truncation -------------------------------------------------------------------

  private async truncate(channel: BrokerChannel, states: FetchState[]): Promise<void> {
    const asking: FetchState[] = [];
    for (const state of states) {
      if (state.partition.log.leaderEpochs.latestEpoch >= 0) {
        asking.push(state);
        continue;
      }
      // No epoch to ask about: only what every ISR member had is known to be safe.
      this.truncateTo(state, { offset: state.partition.highWatermark, completed: true }, 'no leader epochs in the log: high watermark');
    }
    if (asking.length === 0) return;
    const response = await channel.request(
      OffsetForLeaderEpochApi,
      OFFSET_FOR_LEADER_EPOCH_VERSION,
      {
        replicaId: this.deps.settings.localBrokerId,
        topics: byTopic(asking, (s) => ({
          partition: s.partition.partition,
          currentLeaderEpoch: s.leaderEpoch,
          leaderEpoch: s.partition.log.leaderEpochs.latestEpoch,
        })).map(([topic, partitions]) => ({ topic, partitions })),
      },
      this.deps.settings.socketTimeoutMs,
    );
    const answers = new Map<string, { errorCode: number; leaderEpoch: number; endOffset: number }>();
    for (const topic of response.topics) for (const p of topic.partitions) answers.set(`${topic.topic}-${p.partition}`, p);
    for (const state of asking) {
      if (!this.isCurrent(state)) continue;
      const answer = answers.get(state.partition.key);
      if (!answer) {
        this.delay(state, ErrorCode.UNKNOWN_SERVER_ERROR, ' (no answer for the partition)');
        continue;
      }
      if (answer.errorCode !== ErrorCode.NONE) {
        this.delay(state, answer.errorCode as ErrorCode, ' to OffsetForLeaderEpoch');
        continue;
      }
      const asked = state.partition.log.leaderEpochs.latestEpoch;
      const leader = { epoch: answer.leaderEpoch, endOffset: answer.endOffset };
      this.truncateTo(state, truncationOffset(leader, localView(state.partition)), `leader ${this.leaderId} ends epoch ${asked} at ${describeEpoch(leader)}`);
    }
  }

  private truncateTo(state: FetchState, decision: { offset: number; completed: boolean }, why: string): void {
    const partition = state.partition;
    const before = partition.log.logEndOffset;
    if (partition.truncateTo(decision.offset)) {
      this.deps.logger.log(`${partition.key}: truncated from ${before} to ${partition.log.logEndOffset} (${why})`);
    }
    state.truncating = !decision.completed;
  }

  // ---- fetch --------------------------------------------------------------------------

  private async fetch(channel: BrokerChannel, states: FetchState[]): Promise<void> {
    const { settings } = this.deps;
    const sent = new Map<string, { state: FetchState; fetchOffset: number }>();
    for (const state of states) sent.set(state.partition.key, { state, fetchOffset: state.partition.log.logEndOffset });
    const request: FetchRequest = {
      clusterId: null,
      replicaId: settings.localBrokerId,
      replicaState: { replicaId: settings.localBrokerId, replicaEpoch: -1 },
      maxWaitMs: settings.fetchWaitMaxMs,
      minBytes: settings.fetchMinBytes,
      maxBytes: settings.fetchResponseMaxBytes,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: byTopic(states, (s) => {
        const log = s.partition.log;
        return {
          partition: s.partition.partition,
          currentLeaderEpoch: s.leaderEpoch,
          fetchOffset: log.logEndOffset,
          lastFetchedEpoch: log.leaderEpochs.latestEpoch,
          logStartOffset: log.logStartOffset,
          partitionMaxBytes: settings.fetchMaxBytes,
          replicaDirectoryId: ZERO_UUID,
        };
      }).map(([topic, partitions]) => ({ topic, topicId: ZERO_UUID, partitions })),
      forgottenTopicsData: [],
      rackId: '',
    };
    const response = await channel.request(FetchApi, FETCH_VERSION, request, settings.fetchWaitMaxMs + settings.socketTimeoutMs);
    if (response.errorCode !== ErrorCode.NONE) throw new Error(`Fetch failed: ${errorName(response.errorCode as ErrorCode)}`);
    const outOfRange: FetchState[] = [];
    const served: FetchState[] = [];
    for (const topic of response.responses) {
      for (const data of topic.partitions) {
        const entry = sent.get(`${topic.topic}-${data.partitionIndex}`);
        if (!entry) continue;
        const { state, fetchOffset } = entry;
        // Stale: the role changed, or the log was truncated, while the fetch was out.
        if (!this.isCurrent(state) || state.truncating || state.partition.log.logEndOffset !== fetchOffset) continue;
        if (data.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) outOfRange.push(state);
        else if (this.processPartition(state, data)) served.push(state);
      }
    }
    // The leader fills its answer in request order up to replica.fetch.response.max.bytes, so
    // partitions that were served go to the back of the next request (Kafka's
    // updateAndMoveToEnd): busy partitions early in the order cannot starve the rest.
    for (const state of served) {
      if (!this.isCurrent(state)) continue;
      this.states.delete(state.partition.key);
      this.states.set(state.partition.key, state);
    }
    for (const state of outOfRange) if (this.isCurrent(state)) await this.realign(channel, state);
  }

  /** Applies one partition's answer; returns whether records were appended. */
  private processPartition(state: FetchState, data: FetchResponsePartition): boolean {
    const partition = state.partition;
    if (data.errorCode !== ErrorCode.NONE) {
      this.delay(state, data.errorCode as ErrorCode);
      return false;
    }
    state.lastError = undefined;
    const diverging = data.divergingEpoch;
    if (diverging && diverging.epoch >= 0 && diverging.endOffset >= 0) {
      const leader = { epoch: diverging.epoch, endOffset: diverging.endOffset };
      this.truncateTo(state, truncationOffset(leader, localView(partition)), `leader ${this.leaderId} says our log diverged after ${describeEpoch(leader)}`);
      return false;
    }
    try {
      const records = data.records;
      const appended = records !== null && records !== undefined && records.length > 0;
      if (appended) partition.appendAsFollower(records);
      partition.updateFollowerHighWatermark(data.highWatermark);
      partition.maybeIncrementLogStartOffset(data.logStartOffset);
      return appended;
    } catch (error) {
      if (!(error instanceof LogError)) throw error;
      // The batches do not fit our log: find the divergence again before fetching more.
      state.truncating = true;
      this.delay(state, error.errorCode as ErrorCode, ` while appending (${error.message})`);
      return false;
    }
  }

  /**
   * OFFSET_OUT_OF_RANGE: our log end is outside the leader's log. Past its end (only after
   * an unclean election) we cut back to it; before its start (retention or DeleteRecords
   * removed what we lack) we start over where the leader's log starts.
   */
  private async realign(channel: BrokerChannel, state: FetchState): Promise<void> {
    const partition = state.partition;
    const leaderEnd = await this.listOffset(channel, state, LATEST_TIMESTAMP);
    if (leaderEnd === undefined || !this.isCurrent(state)) return;
    const logEnd = partition.log.logEndOffset;
    if (leaderEnd < logEnd) {
      this.deps.logger.warn(`${partition.key}: the leader's log ends at ${leaderEnd}, before ours (${logEnd}); truncating to it`);
      partition.truncateTo(leaderEnd);
      return;
    }
    const leaderStart = await this.listOffset(channel, state, EARLIEST_TIMESTAMP);
    if (leaderStart === undefined || !this.isCurrent(state)) return;
    if (leaderStart > partition.log.logEndOffset) {
      this.deps.logger.warn(`${partition.key}: the leader's log starts at ${leaderStart}, past our log end ${partition.log.logEndOffset}; starting over there`);
      partition.truncateFullyAndStartAt(leaderStart);
      return;
    }
    // Our log end is within the leader's log, so the leader did not know our last epoch: find
    // where the logs part again, after a pause so a persistent disagreement does not spin.
    state.truncating = true;
    this.delay(state, ErrorCode.OFFSET_OUT_OF_RANGE, ` at ${logEnd} though the leader's log spans [${leaderStart}, ${leaderEnd}]`);
  }

  private async listOffset(channel: BrokerChannel, state: FetchState, timestamp: number): Promise<number | undefined> {
    const partition = state.partition;
    const response = await channel.request(
      ListOffsetsApi,
      LIST_OFFSETS_VERSION,
      {
        replicaId: this.deps.settings.localBrokerId,
        isolationLevel: 0,
        topics: [{ name: partition.topic, partitions: [{ partitionIndex: partition.partition, currentLeaderEpoch: state.leaderEpoch, timestamp, maxNumOffsets: 1 }] }],
      },
      this.deps.settings.socketTimeoutMs,
    );
    const answer = response.topics[0]?.partitions[0];
    if (!answer || answer.errorCode !== ErrorCode.NONE) {
      this.delay(state, (answer?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR) as ErrorCode, ' to ListOffsets');
      return undefined;
    }
    return answer.offset;
  }
}

function localView(partition: Partition): LocalLogView {
  const log = partition.log;
  return { logEndOffset: log.logEndOffset, highWatermark: log.highWatermark, endOffsetForEpoch: (epoch) => log.endOffsetForEpoch(epoch) };
}

function byTopic<T>(states: readonly FetchState[], entry: (state: FetchState) => T): Array<[string, T[]]> {
  const topics = new Map<string, T[]>();
  for (const state of states) {
    let list = topics.get(state.partition.topic);
    if (!list) topics.set(state.partition.topic, (list = []));
    list.push(entry(state));
  }
  return [...topics];
}

function describeEpoch(answer: EpochEndOffset): string {
  return answer.endOffset < 0 ? 'an unknown offset' : `offset ${answer.endOffset} (epoch ${answer.epoch})`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
