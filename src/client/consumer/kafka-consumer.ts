import { Logger } from '@nestjs/common';
import { KafkaCluster } from '../cluster/kafka-cluster';
import { ClientClosedError, ClientConfigError, KafkaTimeoutError, isRetriableError } from '../errors';
import { topicPartitionKey, type ConsumerRecord, type TopicPartition, type TopicPartitionOffset } from '../listener/types';
import { retryPolicy, sleep, type RetryPolicy } from '../retry';
import { resolveAssignors } from './assignors/assignor-registry';
import { resolveConsumerOptions, type ConsumerOptions, type ResolvedConsumerOptions } from './consumer-options';
import { fieldDecoderFor, resolveDeserializer } from './deserializers';
import { AssignedPartitions, type OffsetResetStrategy, type PartitionState } from './assigned-partitions';
import { EARLIEST_TIMESTAMP, Fetcher, LATEST_TIMESTAMP, NoOffsetForPartitionError, PollSignal } from './fetcher';
import { GroupMembership, type MembershipHost } from './group-membership';
import type { CommittedOffset, OffsetToCommit } from './offset-commits';

/**
 * Told when partitions come and go (Kafka's ConsumerRebalanceListener). Every callback
 * runs inside poll() (or close()/unsubscribe()), so it may use the consumer: commit in
 * onPartitionsRevoked, seek in onPartitionsAssigned. A callback that throws makes the
 * poll() that ran it throw, after the rebalance step it belongs to is done.
 */
export interface ConsumerRebalanceListener {
  /**
   * Partitions are about to be given up and can still be committed. Eager: at the
   * start of every rebalance, with everything owned (possibly nothing). Cooperative:
   * after a rebalance, with only the partitions that moved, when there are any.
   */
  onPartitionsRevoked?(partitions: TopicPartition[]): void | Promise<void>;
  /** After every rebalance, with the partitions added (possibly none). Positions are resolved after it returns. */
  onPartitionsAssigned?(partitions: TopicPartition[]): void | Promise<void>;
  /**
   * The member lost its generation (session expired, fenced, left after
   * max.poll.interval.ms): the partitions may already be someone else's, so committing
   * them would fail. Defaults to onPartitionsRevoked, as in Java.
   */
  onPartitionsLost?(partitions: TopicPartition[]): void | Promise<void>;
}

/** poll() interrupted by wakeup() (Kafka's WakeupException). */
export class WakeupError extends Error {
  override readonly name = 'WakeupError';
  constructor() {
    super('poll() was interrupted by wakeup()');
  }
}

/** A partition to assign, optionally with the offset to start from. */
export interface PartitionToAssign extends TopicPartition {
  readonly offset?: number;
}

export interface GroupMetadata {
  readonly groupId: string | null;
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
}

type SubscriptionType = 'NONE' | 'AUTO_TOPICS' | 'AUTO_PATTERN' | 'USER_ASSIGNED';

/**
 * Kafka's KafkaConsumer for Node: subscribe to topics (a list or a pattern) as a group
 * member, or assign partitions directly, then poll() for records. Java's semantics
 * throughout: positions start at the committed offset or auto.offset.reset; poll()
 * returns at most max.poll.records and moves positions past them; auto-commit
 * commits the positions every auto.commit.interval.ms at the start of poll() and
 * before partitions are given up; heartbeats run on their own timer, and
 * max.poll.interval.ms bounds the time between polls.
 *
 * One poll() at a time; commits, seeks, pause/resume and the other calls may be made
 * between polls and from rebalance callbacks.
 */
export class KafkaConsumer<K = string | null, V = string | null> {
  readonly options: ResolvedConsumerOptions<K, V>;
  private readonly cluster: KafkaCluster;
  private readonly assigned = new AssignedPartitions();
  private readonly signal = new PollSignal();
  private readonly fetcher: Fetcher<K, V>;
  private readonly membership: GroupMembership | null;
  private readonly retry: RetryPolicy;
  private subscriptionType: SubscriptionType = 'NONE';
  private subscribedTopics: string[] = [];
  private pattern: RegExp | null = null;
  /** The first all-topics metadata of a pattern subscription, until it arrives. */
  private patternMetadata: Promise<void> | null = null;
  private listener: ConsumerRebalanceListener = {};
  private listenerError: unknown = null;
  private positionsTask: Promise<void> | null = null;
  private positionsError: unknown = null;
  private polling = false;
  /** commitAsync() and auto-commits not answered yet. */
  private readonly asyncCommits = new Set<Promise<void>>();
  private wakeupRequested = false;
  private closing = false;
  private closed = false;
  private nextAutoCommitAt: number;
  /** Whether the last auto-commit is still unanswered: the next waits for it (see maybeAutoCommit). */
  private autoCommitInFlight = false;
  private readonly stopWatchingMetadata: () => void;
  private readonly logger = new Logger('KafkaConsumer');

  constructor(options: ConsumerOptions<K, V>) {
    const o = resolveConsumerOptions(options);
    this.options = o;
    this.retry = retryPolicy({ backoffMs: o.retryBackoffMs, maxBackoffMs: o.retryBackoffMaxMs });
    this.cluster = new KafkaCluster({
      bootstrapServers: o.bootstrapServers,
      clientId: o.clientId,
      connectTimeoutMs: o.connectTimeoutMs,
      requestTimeoutMs: o.requestTimeoutMs,
      metadataMaxAgeMs: o.metadataMaxAgeMs,
      defaultApiTimeoutMs: o.defaultApiTimeoutMs,
      retry: { backoffMs: o.retryBackoffMs, maxBackoffMs: o.retryBackoffMaxMs },
      allowAutoTopicCreation: o.allowAutoCreateTopics,
    });
    this.fetcher = new Fetcher(
      this.cluster,
      this.assigned,
      {
        key: fieldDecoderFor(resolveDeserializer<K>(o.keyDeserializer)),
        value: fieldDecoderFor(resolveDeserializer<V>(o.valueDeserializer)),
        checkCrcs: o.checkCrcs,
        minBytes: o.fetchMinBytes,
        maxBytes: o.fetchMaxBytes,
        maxWaitMs: o.fetchMaxWaitMs,
        partitionMaxBytes: o.maxPartitionFetchBytes,
        requestTimeoutMs: o.requestTimeoutMs,
        retry: this.retry,
        rackId: o.clientRack,
      },
      this.signal,
      o.autoOffsetReset === 'none' ? null : o.autoOffsetReset,
    );
    this.membership =
      o.groupId === null
        ? null
        : new GroupMembership(
            this.cluster,
            {
              groupId: o.groupId,
              groupInstanceId: o.groupInstanceId,
              sessionTimeoutMs: o.sessionTimeoutMs,
              rebalanceTimeoutMs: o.maxPollIntervalMs,
              heartbeatIntervalMs: o.heartbeatIntervalMs,
              requestTimeoutMs: o.requestTimeoutMs,
              retry: this.retry,
              assignors: resolveAssignors(o.partitionAssignmentStrategy),
              rackId: o.clientRack,
            },
            this.rebalanceHost(),
            this.signal,
          );
    this.nextAutoCommitAt = Date.now() + o.autoCommitIntervalMs;
    this.stopWatchingMetadata = this.cluster.onMetadataUpdate(() => this.onMetadataUpdate());
  }

  // ---- subscription ----

  /**
   * Joins the group for these topics, or for every topic whose whole name matches
   * `pattern` (re-evaluated at every metadata refresh, metadata.max.age.ms). Replaces
   * the previous subscription; the change takes effect at the next poll().
   */
  subscribe(topics: readonly string[] | RegExp, listener?: ConsumerRebalanceListener): void {
    this.throwIfClosing();
    if (this.membership === null) throw new ClientConfigError('subscribe() needs group.id: a subscription is a consumer group membership (use assign() without a group)');
    if (this.subscriptionType === 'USER_ASSIGNED') throw new Error('subscribe() after assign(): subscription to topics, partitions and pattern are mutually exclusive');
    this.listener = listener ?? {};
    if (topics instanceof RegExp) {
      this.subscriptionType = 'AUTO_PATTERN';
      // Java matches the whole topic name (Pattern.matcher(topic).matches()).
      this.pattern = new RegExp(`^(?:${topics.source})$`, topics.flags.replace(/[gy]/g, ''));
      this.setSubscribedTopics(this.matchingTopics());
      // The first join waits for the topic list, so the group does not form over no topics first.
      const ready: Promise<void> = this.cluster
        .watchAllTopics()
        .then(
          () => this.onMetadataUpdate(),
          () => undefined,
        )
        .finally(() => {
          if (this.patternMetadata === ready) this.patternMetadata = null;
        });
      this.patternMetadata = ready;
      return;
    }
    for (const topic of topics) {
      if (typeof topic !== 'string' || topic.trim() === '') throw new ClientConfigError(`subscribe(): topic names must be non-empty strings, got ${JSON.stringify(topic)}`);
    }
    this.subscriptionType = 'AUTO_TOPICS';
    this.pattern = null;
    this.setSubscribedTopics(topics);
  }

  /** The topics subscribed to (for a pattern, those it matches now). */
  subscription(): string[] {
    return [...this.subscribedTopics];
  }

  /**
   * Leaves the group (dynamic members send LeaveGroup) after onPartitionsRevoked, or
   * drops a manual assignment. The consumer can subscribe or assign again afterwards.
   */
  async unsubscribe(): Promise<void> {
    this.throwIfClosing();
    if (this.isGroupManaged() && this.membership) {
      await this.membership.leaveGroup('the consumer unsubscribed', Date.now() + this.options.defaultApiTimeoutMs);
    }
    this.cluster.untrackTopics(this.subscribedTopics);
    this.subscriptionType = 'NONE';
    this.subscribedTopics = [];
    this.pattern = null;
    this.assigned.clear();
    this.fetcher.discardStale();
    this.throwListenerError();
  }

  /**
   * Takes these partitions without a group: no rebalances, no listener. An `offset`
   * is where to start; otherwise the committed offset (with group.id) or
   * auto.offset.reset. Replaces the previous assignment.
   */
  assign(partitions: readonly PartitionToAssign[]): void {
    this.throwIfClosing();
    if (this.isGroupManaged()) throw new Error('assign() after subscribe(): subscription to topics, partitions and pattern are mutually exclusive');
    if (partitions.length === 0) {
      this.subscriptionType = 'NONE';
      this.assigned.clear();
      this.fetcher.discardStale();
      return;
    }
    this.maybeAutoCommit(true);
    this.subscriptionType = 'USER_ASSIGNED';
    this.assigned.set(partitions.map(({ topic, partition }) => ({ topic, partition })));
    for (const p of partitions) if (p.offset !== undefined) this.assigned.seek(p, p.offset);
    this.fetcher.discardStale();
    this.cluster.trackTopics(this.assigned.topics());
  }

  /** The partitions this consumer owns now. */
  assignment(): TopicPartition[] {
    return this.assigned.partitions();
  }

  // ---- polling ----

  /**
   * Records fetched for the owned partitions, at most max.poll.records, waiting up to
   * `timeoutMs` for some. Also where the group membership moves: joining, rebalance
   * callbacks, auto-commit. While the application works on the records the next fetch
   * is already on its way.
   */
  async poll(timeoutMs: number): Promise<ConsumerRecord<K, V>[]> {
    this.throwIfClosing();
    if (this.polling) throw new Error('poll() is already running: one poll at a time per consumer');
    if (this.subscriptionType === 'NONE') throw new Error('poll() needs a subscription or an assignment: call subscribe() or assign() first');
    this.polling = true;
    this.membership?.pollStarted();
    const deadline = Date.now() + Math.max(0, timeoutMs);
    try {
      do {
        this.throwIfWakeupOrClosing();
        if (this.patternMetadata) await Promise.race([this.patternMetadata, this.signal.wait(deadline - Date.now())]);
        if (this.membership && this.isGroupManaged() && !this.patternMetadata) {
          await this.membership.poll();
          this.throwListenerError();
        }
        this.maybeAutoCommit();
        this.updateFetchPositions();
        const records = this.fetcher.collect(this.options.maxPollRecords);
        // Prefetch: the next fetch runs while the application handles these records.
        this.fetcher.sendFetches();
        if (records.length > 0) return records;
        this.throwIfWakeupOrClosing();
        const remaining = deadline - Date.now();
        if (remaining <= 0) break;
        // Fetch answers, rebalance progress, positions and wakeup() all notify; without
        // any of those under way, look again after the retry back-off.
        const busy = this.fetcher.inFlightCount > 0 || this.positionsTask !== null || this.membership?.rejoinNeededOrPending();
        await this.signal.wait(busy ? remaining : Math.min(remaining, this.retry.backoffMs));
      } while (Date.now() < deadline);
      return [];
    } finally {
      this.polling = false;
      this.membership?.pollEnded();
    }
  }

  /** Makes a running poll() (or the next one) throw WakeupError; safe to call from anywhere. */
  wakeup(): void {
    this.wakeupRequested = true;
    this.signal.notify();
  }

  // ---- positions ----

  /** The offset of the next record poll() returns for `tp`, resolving it first if needed. */
  async position(tp: TopicPartition, timeoutMs = this.options.defaultApiTimeoutMs): Promise<number> {
    this.throwIfClosed();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = this.assigned.require(tp, 'get the position of');
      if (state.position !== null && state.pendingReset === null) return state.position;
      this.updateFetchPositions();
      const task = this.positionsTask;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new KafkaTimeoutError(`the position of ${tp.topic}-${tp.partition} was not resolved within ${timeoutMs} ms`);
      if (task) await Promise.race([task, this.signal.wait(remaining)]);
      else await this.signal.wait(Math.min(remaining, this.retry.backoffMs));
      this.throwPositionsError();
    }
  }

  /** The next poll() returns records of `tp` from `offset` on. */
  seek(tp: TopicPartition, offset: number): void {
    this.throwIfClosed();
    if (!Number.isInteger(offset) || offset < 0) throw new RangeError(`seek offset must be a non-negative integer, not ${offset}`);
    this.assigned.seek(tp, offset);
  }

  /** Moves to the log start of each partition (every owned one when none are named), evaluated lazily. */
  seekToBeginning(partitions?: readonly TopicPartition[]): void {
    this.resetTo(partitions, 'earliest');
  }

  /** Moves to the log end of each partition (every owned one when none are named), evaluated lazily. */
  seekToEnd(partitions?: readonly TopicPartition[]): void {
    this.resetTo(partitions, 'latest');
  }

  /** Stops returning and fetching records of these partitions until resume(); the group is unaffected. */
  pause(partitions: readonly TopicPartition[]): void {
    this.throwIfClosed();
    for (const tp of partitions) this.assigned.require(tp, 'pause').paused = true;
  }

  resume(partitions: readonly TopicPartition[]): void {
    this.throwIfClosed();
    for (const tp of partitions) this.assigned.require(tp, 'resume').paused = false;
    this.signal.notify();
  }

  paused(): TopicPartition[] {
    return [...this.assigned.all()].filter((s) => s.paused).map(({ topic, partition }) => ({ topic, partition }));
  }

  /** The first offset of each partition (ListOffsets earliest). */
  async beginningOffsets(partitions: readonly TopicPartition[], timeoutMs = this.options.defaultApiTimeoutMs): Promise<TopicPartitionOffset[]> {
    return this.offsetsAt(partitions, EARLIEST_TIMESTAMP, timeoutMs);
  }

  /** The log end offset (high watermark) of each partition (ListOffsets latest). */
  async endOffsets(partitions: readonly TopicPartition[], timeoutMs = this.options.defaultApiTimeoutMs): Promise<TopicPartitionOffset[]> {
    return this.offsetsAt(partitions, LATEST_TIMESTAMP, timeoutMs);
  }

  // ---- commits ----

  /**
   * Commits `offsets` (each the next offset to consume), or the positions of every
   * owned partition, retrying retriable failures until `timeoutMs`. Throws
   * CommitFailedError when the member is no longer in the generation, and
   * RebalanceInProgressError while the group rebalances.
   */
  async commitSync(offsets?: readonly OffsetToCommit[], timeoutMs = this.options.defaultApiTimeoutMs): Promise<void> {
    this.throwIfClosed();
    await this.groupMembership('commitSync()').commitOffsets(offsets ?? this.assigned.consumed(), Date.now() + timeoutMs, true);
  }

  /**
   * Sends the commit without waiting or retrying; `callback` gets the outcome. Commits
   * go out in call order on one connection, so a later one is never overtaken.
   */
  commitAsync(offsets?: readonly OffsetToCommit[], callback?: (error: Error | null, offsets: readonly OffsetToCommit[]) => void): void {
    this.throwIfClosed();
    const membership = this.groupMembership('commitAsync()');
    const toCommit = offsets ?? this.assigned.consumed();
    const commit = membership.commitOffsets(toCommit, Date.now() + this.options.requestTimeoutMs, false);
    this.trackAsyncCommit(commit);
    commit.then(
      () => callback?.(null, toCommit),
      (err: Error) => (callback ? callback(err, toCommit) : this.warnCommitFailed('commitAsync()', err)),
    );
  }

  /** The group's committed offsets of these partitions, in their order (offset null where nothing is committed). */
  async committed(partitions: readonly TopicPartition[], timeoutMs = this.options.defaultApiTimeoutMs): Promise<CommittedOffset[]> {
    this.throwIfClosed();
    return this.groupMembership('committed()').fetchCommittedOffsets(partitions, Date.now() + timeoutMs);
  }

  // ---- group ----

  groupMetadata(): GroupMetadata {
    const generation = this.membership?.generation;
    return {
      groupId: this.options.groupId,
      generationId: generation?.generationId ?? -1,
      memberId: generation?.memberId ?? '',
      groupInstanceId: this.options.groupInstanceId,
    };
  }

  /** Asks for a rebalance at the next poll() (Java's enforceRebalance). */
  enforceRebalance(reason = 'the application asked for a rebalance'): void {
    this.throwIfClosing();
    if (this.isGroupManaged()) this.membership?.requestRejoin(reason);
  }

  /** Rebalances this member completed. */
  get rebalanceCount(): number {
    return this.membership?.rebalances ?? 0;
  }

  /**
   * Commits the positions if auto-commit is on, gives up the partitions
   * (onPartitionsRevoked, which may still commit), leaves the group (a static member
   * stays until its session times out), waits for asynchronous commits still out and
   * closes the connections, within `timeoutMs`. poll(), subscribe() and assign() fail
   * once close() has begun; the other calls only once it has finished.
   */
  async close(timeoutMs = 30_000): Promise<void> {
    if (this.closed || this.closing) return;
    this.closing = true;
    this.signal.notify();
    const deadline = Date.now() + timeoutMs;
    const membership = this.membership;
    try {
      if (membership) {
        const leave = async (): Promise<void> => {
          if (this.options.enableAutoCommit && this.subscriptionType !== 'NONE') {
            await membership.commitOffsets(this.assigned.consumed(), deadline, true).catch((err) => this.warnCommitFailed('Auto-commit of offsets on close', err));
          }
          // Commits stay allowed until the connections close: onPartitionsRevoked may commit here.
          await membership.close(deadline);
          // As Java does, asynchronous commits still out (some from that listener) get their answer first.
          await Promise.all(this.asyncCommits);
        };
        // Whatever is still waiting at the deadline (an unreachable coordinator) is cut short by closing the connections.
        const cutShort = new AbortController();
        await Promise.race([leave().catch(() => undefined), sleep(Math.max(0, deadline - Date.now()), cutShort.signal)]);
        cutShort.abort();
      }
    } finally {
      this.closed = true;
      this.stopWatchingMetadata();
      this.fetcher.close();
      this.cluster.close();
    }
  }

  // ---- internals ----

  private isGroupManaged(): boolean {
    return this.subscriptionType === 'AUTO_TOPICS' || this.subscriptionType === 'AUTO_PATTERN';
  }

  private groupMembership(what: string): GroupMembership {
    if (!this.membership) throw new ClientConfigError(`${what} needs group.id: offsets are committed for a group`);
    return this.membership;
  }

  private setSubscribedTopics(topics: readonly string[]): void {
    const next = [...new Set(topics)].sort();
    const changed = next.length !== this.subscribedTopics.length || next.some((t, i) => t !== this.subscribedTopics[i]);
    if (!changed && this.subscribedTopics.length > 0) return;
    if (this.subscriptionType === 'AUTO_TOPICS') this.cluster.untrackTopics(this.subscribedTopics.filter((t) => !next.includes(t)));
    this.subscribedTopics = next;
    if (this.subscriptionType === 'AUTO_TOPICS') this.cluster.trackTopics(next);
    this.membership?.requestRejoin(`the subscription changed to ${next.join(', ') || 'no topics'}`);
  }

  private matchingTopics(): string[] {
    const pattern = this.pattern;
    if (!pattern) return [];
    return this.cluster.topicNames().filter((name) => !this.cluster.topic(name)?.isInternal && pattern.test(name));
  }

  private onMetadataUpdate(): void {
    // Leaders may be known now: a poll() that found none (right after assign(), say) fetches at once instead of after the retry back-off.
    this.signal.notify();
    if (this.subscriptionType !== 'AUTO_PATTERN') return;
    const matched = this.matchingTopics().sort();
    const current = this.subscribedTopics;
    if (matched.length !== current.length || matched.some((t, i) => t !== current[i])) this.setSubscribedTopics(matched);
  }

  private resetTo(partitions: readonly TopicPartition[] | undefined, strategy: OffsetResetStrategy): void {
    this.throwIfClosed();
    const list = partitions === undefined || partitions.length === 0 ? this.assigned.partitions() : partitions;
    for (const tp of list) this.assigned.requestReset(tp, strategy);
  }

  private async offsetsAt(partitions: readonly TopicPartition[], timestamp: number, timeoutMs: number): Promise<TopicPartitionOffset[]> {
    this.throwIfClosed();
    const found = await this.fetcher.listOffsets(
      partitions.map(({ topic, partition }) => ({ topic, partition, timestamp })),
      Date.now() + timeoutMs,
    );
    return partitions.map(({ topic, partition }) => ({ topic, partition, offset: found.get(topicPartitionKey({ topic, partition }))!.offset }));
  }

  /**
   * Starts resolving positions of partitions that have none (committed offset, else
   * auto.offset.reset) and pending resets, in the background: poll() keeps serving the
   * partitions that have positions meanwhile, and is notified when it is done.
   */
  private updateFetchPositions(): void {
    this.throwPositionsError();
    if (this.positionsTask) return;
    let missing = false;
    for (const s of this.assigned.all()) if (s.position === null && s.pendingReset === null) missing = true;
    if (!missing && !this.assigned.hasResetsDue()) return;
    this.positionsTask = this.resolvePositions(Date.now() + this.options.defaultApiTimeoutMs)
      .catch((err) => {
        if (!isRetriableError(err) && !this.closing) this.positionsError = err;
      })
      .finally(() => {
        this.positionsTask = null;
        this.signal.notify();
      });
  }

  private async resolvePositions(deadline: number): Promise<void> {
    const missing = [...this.assigned.all()].filter((s) => s.position === null && s.pendingReset === null);
    if (missing.length > 0) {
      if (this.membership) {
        const committed = await this.membership.fetchCommittedOffsets(missing, deadline);
        const noOffset: PartitionState[] = [];
        for (const c of committed) {
          const state = this.assigned.get(c);
          if (!state || state.position !== null || state.pendingReset !== null) continue;
          if (c.offset !== null) {
            state.position = c.offset;
            state.positionLeaderEpoch = c.leaderEpoch ?? -1;
          } else {
            noOffset.push(state);
          }
        }
        this.applyDefaultReset(noOffset);
      } else {
        this.applyDefaultReset(missing);
      }
    }
    await this.fetcher.resetPositions();
  }

  private applyDefaultReset(states: readonly PartitionState[]): void {
    if (states.length === 0) return;
    const strategy = this.options.autoOffsetReset;
    if (strategy === 'none') throw new NoOffsetForPartitionError(states.map(({ topic, partition }) => ({ topic, partition })));
    for (const s of states) s.pendingReset = strategy;
  }

  /** Java's maybeAutoCommitOffsetsAsync: the positions, every auto.commit.interval.ms, at the start of a poll. */
  private maybeAutoCommit(force = false): void {
    if (!this.options.enableAutoCommit || !this.membership || this.subscriptionType === 'NONE') return;
    const now = Date.now();
    // One auto-commit at a time, as Java's CommitRequestManager keeps it: against a coordinator
    // that has stopped answering, commits every interval would only pile up until each times
    // out, and then fail (and warn) all at once. The next one goes as soon as this is answered.
    if (!force && (now < this.nextAutoCommitAt || this.autoCommitInFlight)) return;
    this.nextAutoCommitAt = now + this.options.autoCommitIntervalMs;
    if (this.isGroupManaged() && this.membership.rejoinNeededOrPending()) return;
    const offsets = this.assigned.consumed();
    if (offsets.length === 0) return;
    const commit = this.membership.commitOffsets(offsets, now + this.options.requestTimeoutMs, false);
    this.trackAsyncCommit(commit);
    this.autoCommitInFlight = true;
    commit.then(
      () => (this.autoCommitInFlight = false),
      (err) => {
        this.autoCommitInFlight = false;
        this.warnCommitFailed('Auto-commit of offsets', err);
      },
    );
  }

  /** Keeps an asynchronous commit until it is answered, so close() can let it land before closing the connections. */
  private trackAsyncCommit(commit: Promise<void>): void {
    const answered = commit.then(
      () => undefined,
      () => undefined,
    );
    this.asyncCommits.add(answered);
    void answered.then(() => this.asyncCommits.delete(answered));
  }

  private rebalanceHost(): MembershipHost {
    const call = async (callback: ((partitions: TopicPartition[]) => void | Promise<void>) | undefined, partitions: readonly TopicPartition[]): Promise<void> => {
      if (!callback) return;
      try {
        await callback.call(this.listener, [...partitions]);
      } catch (err) {
        this.listenerError ??= err;
      }
    };
    return {
      subscribedTopics: () => this.subscribedTopics,
      ownedPartitions: () => this.assigned.partitions(),
      isGroupManaged: () => this.isGroupManaged(),
      beforeRebalance: async () => {
        if (!this.options.enableAutoCommit || !this.membership) return;
        // Java's maybeAutoCommitOffsetsSync before a rebalance: failures are logged, not thrown.
        await this.membership
          .commitOffsets(this.assigned.consumed(), Date.now() + this.options.defaultApiTimeoutMs, true)
          .catch((err) => this.warnCommitFailed('Auto-commit of offsets before the rebalance', err));
      },
      partitionsRevoked: async (partitions) => {
        try {
          await call(this.listener.onPartitionsRevoked, partitions);
        } finally {
          this.assigned.remove(partitions);
          this.fetcher.discardStale();
        }
      },
      partitionsLost: async (partitions) => {
        try {
          await call(this.listener.onPartitionsLost ?? this.listener.onPartitionsRevoked, partitions);
        } finally {
          this.assigned.remove(partitions);
          this.fetcher.discardStale();
        }
      },
      partitionsAssigned: async (added, assignment) => {
        this.assigned.set(assignment);
        this.fetcher.discardStale();
        this.cluster.trackTopics(this.assigned.topics());
        await call(this.listener.onPartitionsAssigned, added);
      },
    };
  }

  /** A commit nobody awaits failed: say so (Java logs these too), the application carries on. */
  private warnCommitFailed(what: string, err: unknown): void {
    this.logger.warn(`${what} for group ${this.options.groupId} failed: ${err instanceof Error ? err.message : String(err)}`);
  }

  private throwListenerError(): void {
    if (this.listenerError === null) return;
    const err = this.listenerError;
    this.listenerError = null;
    throw err instanceof Error ? err : new Error(String(err));
  }

  private throwPositionsError(): void {
    if (this.positionsError === null) return;
    const err = this.positionsError;
    this.positionsError = null;
    throw err;
  }

  private throwIfWakeupOrClosing(): void {
    if (this.closing || this.closed) throw new ClientClosedError('the consumer');
    if (this.wakeupRequested) {
      this.wakeupRequested = false;
      throw new WakeupError();
    }
  }

  /**
   * For what changes the subscription or polls: not once close() has begun (it is
   * leaving the group).
   */
  private throwIfClosing(): void {
    if (this.closed || this.closing) throw new ClientClosedError('the consumer');
  }

  /**
   * For everything else: allowed until close() has closed the connections, so a
   * rebalance listener can still commit and seek while close() revokes its partitions
   * (Java's consumer is closed only at the end of close() too).
   */
  private throwIfClosed(): void {
    if (this.closed) throw new ClientClosedError('the consumer');
  }
}

