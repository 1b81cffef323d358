import { ErrorCode, HeartbeatApi, JoinGroupApi, LeaveGroupApi, SyncGroupApi, type JoinGroupResponse } from '../../protocol';
import { CONSUMER_PROTOCOL_TYPE } from '../../protocol/consumer-protocol';
import type { KafkaCluster } from '../cluster/kafka-cluster';
import { isCoordinatorError } from '../cluster/kafka-cluster';
import { ClientClosedError, KafkaClientError, isRetriableError } from '../errors';
import { topicPartitionKey, type TopicPartition } from '../listener/types';
import { backoffDelay, sleep, type RetryPolicy } from '../retry';
import { rebalanceProtocolOf } from './assignors/assignor-registry';
import { computeGroupAssignment, decodeMemberAssignment, decodeMemberSubscription, encodeMemberSubscription } from './assignors/group-assignment';
import { DEFAULT_GENERATION, type PartitionAssignor, type RebalanceProtocol } from './assignors/partition-assignor';
import { describePartition } from './assigned-partitions';
import type { PollSignal } from './fetcher';
import { CommitFailedError, OffsetCommits, RebalanceInProgressError, type CommittedOffset, type OffsetToCommit } from './offset-commits';

/** Where a member is in the group protocol (Kafka's AbstractCoordinator.MemberState). */
export type MemberState = 'UNJOINED' | 'PREPARING_REBALANCE' | 'COMPLETING_REBALANCE' | 'STABLE';

export interface Generation {
  readonly generationId: number;
  readonly memberId: string;
  readonly protocolName: string | null;
}

export const NO_GENERATION: Generation = Object.freeze({ generationId: DEFAULT_GENERATION, memberId: '', protocolName: null });

/** What the membership needs from the consumer it serves. */
export interface MembershipHost {
  /** Topics this member subscribes to now. */
  subscribedTopics(): readonly string[];
  /** Partitions this member owns now. */
  ownedPartitions(): readonly TopicPartition[];
  /** Whether partitions come from the group (subscribe) rather than assign(). */
  isGroupManaged(): boolean;
  /** Before owned partitions are given up in a rebalance: auto-commit (Java's onJoinPrepare). */
  beforeRebalance(): Promise<void>;
  /** The listener's onPartitionsRevoked, then the partitions leave the assignment. */
  partitionsRevoked(partitions: readonly TopicPartition[]): Promise<void>;
  /** The listener's onPartitionsLost, then the partitions leave the assignment. */
  partitionsLost(partitions: readonly TopicPartition[]): Promise<void>;
  /** The assignment becomes `assignment`, then the listener's onPartitionsAssigned(added). */
  partitionsAssigned(added: readonly TopicPartition[], assignment: readonly TopicPartition[]): Promise<void>;
}

export interface GroupMembershipSettings {
  readonly groupId: string;
  readonly groupInstanceId: string | null;
  readonly sessionTimeoutMs: number;
  /** max.poll.interval.ms: the rebalance timeout, and how long the application may go without polling. */
  readonly rebalanceTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly requestTimeoutMs: number;
  readonly retry: RetryPolicy;
  readonly assignors: readonly PartitionAssignor[];
  readonly rackId: string | null;
}

/** Join errors after which trying again cannot help. */
const FATAL_JOIN_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
  ErrorCode.INVALID_SESSION_TIMEOUT,
  ErrorCode.INVALID_GROUP_ID,
  ErrorCode.GROUP_AUTHORIZATION_FAILED,
  ErrorCode.GROUP_MAX_SIZE_REACHED,
  ErrorCode.FENCED_INSTANCE_ID,
  ErrorCode.UNSUPPORTED_VERSION,
]);

/** A finished JoinGroup/SyncGroup round, applied by the next poll(). */
interface JoinResult {
  readonly generationId: number;
  readonly assignment: readonly TopicPartition[];
}

/**
 * One consumer's membership of its group, Kafka's classic protocol as the Java
 * ConsumerCoordinator runs it: FindCoordinator, JoinGroup (MEMBER_ID_REQUIRED round
 * trip, static membership), the leader's assignment, SyncGroup, heartbeats on their own
 * timer, LeaveGroup. Commits go out under the member's generation and their refusals
 * move the membership (rejoin, reset, fenced); the OffsetCommit and OffsetFetch
 * requests themselves are OffsetCommits'.
 *
 * The network rounds run in the background; everything the application sees (the
 * rebalance listener, assignment changes) happens inside poll(), as in Java, so a
 * listener never runs while the application is between polls. Eager rebalancing
 * revokes everything before rejoining; cooperative (KIP-429) revokes only partitions
 * that moved, and rejoins once more after revoking so their new owner gets them.
 *
 * max.poll.interval.ms is enforced here: when the application goes longer between
 * polls, the heartbeat timer leaves the group (LeaveGroup for a dynamic member, as
 * Java does) so the partitions move on; the next poll() rejoins, reporting the old
 * partitions lost.
 */
export class GroupMembership {
  readonly protocol: RebalanceProtocol;
  private memberState: MemberState = 'UNJOINED';
  private current: Generation = NO_GENERATION;
  /** Why a (re)join is due, null when none is. */
  private rejoinReason: string | null = null;
  private needsJoinPrepare = true;
  private joinTask: Promise<void> | null = null;
  private joinResult: JoinResult | null = null;
  private fatalError: Error | null = null;
  private leader = false;
  /** Partition counts the leader assigned over; a change means the assignment is stale. */
  private leaderSnapshot: Map<string, number> | null = null;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private heartbeatRunning = false;
  private inPoll = false;
  private lastPollAt = Date.now();
  private closed = false;
  private readonly abort = new AbortController();
  private readonly stopWatchingMetadata: () => void;
  private readonly offsetCommits: OffsetCommits;
  /** Rebalances this member completed; for tests and metrics. */
  rebalances = 0;

  constructor(
    private readonly cluster: KafkaCluster,
    private readonly settings: GroupMembershipSettings,
    private readonly host: MembershipHost,
    private readonly signal: PollSignal,
  ) {
    this.protocol = rebalanceProtocolOf(settings.assignors);
    this.offsetCommits = new OffsetCommits(cluster, settings, this.abort.signal);
    this.stopWatchingMetadata = cluster.onMetadataUpdate(() => this.checkLeaderSnapshot());
  }

  get state(): MemberState {
    return this.memberState;
  }

  get generation(): Generation {
    return this.current;
  }

  get isLeader(): boolean {
    return this.leader;
  }

  /** A join is due or under way, or its result awaits the next poll. */
  rejoinNeededOrPending(): boolean {
    return this.rejoinReason !== null || this.memberState !== 'STABLE' || this.joinTask !== null || this.joinResult !== null;
  }

  requestRejoin(reason: string): void {
    if (this.closed) return;
    this.rejoinReason = reason;
    this.signal.notify();
  }

  /** poll() began: the application is back within max.poll.interval.ms. */
  pollStarted(): void {
    this.inPoll = true;
    this.lastPollAt = Date.now();
  }

  /** poll() returned: max.poll.interval.ms counts from now. */
  pollEnded(): void {
    this.inPoll = false;
    this.lastPollAt = Date.now();
  }

  /**
   * Moves the membership forward without waiting for the group: applies a finished
   * rebalance (listener callbacks), or prepares and starts the next one. Returns
   * whether the member is stable with its assignment applied. Throws a fatal group
   * error (fenced static member, inconsistent protocol...).
   */
  async poll(): Promise<boolean> {
    this.throwIfFatal();
    if (this.joinResult) await this.completeJoin(this.joinResult);
    if (this.joinTask === null && (this.rejoinReason !== null || this.memberState === 'UNJOINED')) {
      if (this.needsJoinPrepare) {
        this.needsJoinPrepare = false;
        try {
          await this.prepareJoin();
        } catch (err) {
          this.needsJoinPrepare = true;
          throw err;
        }
      }
      if (this.closed) throw new ClientClosedError('the consumer');
      this.joinTask = this.joinGroup()
        .catch((err) => {
          if (!this.closed) this.fatalError = err instanceof Error ? err : new Error(String(err));
        })
        .finally(() => {
          this.joinTask = null;
          this.signal.notify();
        });
    }
    this.throwIfFatal();
    return this.memberState === 'STABLE' && this.joinResult === null && this.joinTask === null && this.rejoinReason === null;
  }

  /**
   * Gives up the partitions (onPartitionsRevoked, or onPartitionsLost when the
   * generation is gone) and leaves the group: LeaveGroup for a dynamic member; a static
   * member stays until its session times out, so a restart takes its partitions back.
   */
  async leaveGroup(reason: string, deadline: number): Promise<void> {
    this.stopHeartbeat();
    const owned = this.host.ownedPartitions();
    if (owned.length > 0) {
      if (this.current.generationId >= 0 && this.current.memberId !== '') await this.host.partitionsRevoked(owned);
      else await this.host.partitionsLost(owned);
    }
    await this.sendLeaveGroup(reason, deadline);
    this.resetGeneration(true, null);
    this.rejoinReason = null;
    this.joinResult = null;
    this.needsJoinPrepare = true;
  }

  /** Leaves (see leaveGroup) and stops for good. */
  async close(deadline: number): Promise<void> {
    if (this.closed) return;
    try {
      if (this.host.isGroupManaged()) await this.leaveGroup('the consumer is being closed', deadline);
    } finally {
      this.closed = true;
      this.abort.abort();
      this.stopHeartbeat();
      this.stopWatchingMetadata();
    }
  }

  // ---- offsets ----

  /**
   * OffsetCommit for the group, under the current generation when the group manages
   * the partitions. With `retry`, retriable failures (coordinator moved or loading,
   * timeouts) are retried until `deadline`, as commitSync does; without, one attempt,
   * as commitAsync.
   */
  async commitOffsets(offsets: readonly OffsetToCommit[], deadline: number, retry = true): Promise<void> {
    if (offsets.length === 0) return;
    let generation = NO_GENERATION;
    if (this.host.isGroupManaged()) {
      const stable = this.generationIfStable();
      if (!stable) {
        if (this.rejoinNeededOrPending() && this.current.generationId >= 0) throw new RebalanceInProgressError('the member is rejoining');
        throw new CommitFailedError(ErrorCode.UNKNOWN_MEMBER_ID, 'the member is not part of an active generation');
      }
      generation = stable;
    }
    const member = {
      generationId: generation.generationId,
      memberId: generation.memberId,
      // Java sends the instance id only with a generation: a commit outside the group names no member.
      groupInstanceId: generation === NO_GENERATION ? null : this.settings.groupInstanceId,
    };
    try {
      await this.offsetCommits.commit(offsets, member, deadline, retry);
    } catch (err) {
      this.commitRefused(err, generation);
      throw err;
    }
  }

  /** The committed offsets of `partitions`, in their order (OffsetFetch), retrying until `deadline`. */
  fetchCommittedOffsets(partitions: readonly TopicPartition[], deadline: number): Promise<CommittedOffset[]> {
    return this.offsetCommits.fetchCommitted(partitions, deadline);
  }

  private generationIfStable(): Generation | null {
    return this.memberState === 'STABLE' && this.current.generationId >= 0 ? this.current : null;
  }

  /** What a refused commit says about this member (Java's OffsetCommitResponseHandler). */
  private commitRefused(err: unknown, generation: Generation): void {
    if (err instanceof RebalanceInProgressError) {
      this.requestRejoin('a commit found the group rebalancing');
    } else if (err instanceof CommitFailedError) {
      if (this.current === generation) this.resetGeneration(err.code === ErrorCode.UNKNOWN_MEMBER_ID, `commit failed with ${err.codeName}`);
    } else if (err instanceof KafkaClientError && err.code === ErrorCode.FENCED_INSTANCE_ID) {
      this.fatalError = err;
    }
  }

  // ---- joining ----

  /**
   * Before JoinGroup (Java's onJoinPrepare): auto-commit, then give up partitions.
   * Lost when the generation is already gone (expired, fenced, left on poll timeout):
   * someone else may own them. Else eager revokes everything; cooperative only what
   * the subscription no longer covers.
   */
  private async prepareJoin(): Promise<void> {
    const owned = this.host.ownedPartitions();
    const generationValid = this.current.generationId >= 0 && this.current.memberId !== '';
    if (generationValid && owned.length > 0) await this.host.beforeRebalance();
    if (!generationValid) {
      if (owned.length > 0) await this.host.partitionsLost(owned);
      return;
    }
    // Eager: at the onset of every rebalance, even with nothing owned (Java's contract).
    if (this.protocol === 'EAGER') {
      await this.host.partitionsRevoked(owned);
      return;
    }
    const subscribed = new Set(this.host.subscribedTopics());
    const unsubscribed = owned.filter((tp) => !subscribed.has(tp.topic));
    if (unsubscribed.length > 0) await this.host.partitionsRevoked(unsubscribed);
  }

  /**
   * JoinGroup then SyncGroup until they succeed, the generation is lost (then poll()
   * prepares again), or a fatal error. Runs in the background of poll().
   */
  private async joinGroup(): Promise<void> {
    for (let attempt = 0; !this.closed; ) {
      let retryAfterBackoff = false;
      try {
        const outcome = await this.joinAndSyncOnce();
        if (outcome === 'done' || outcome === 'reset') return;
        if (outcome === 'again') continue;
        retryAfterBackoff = true;
      } catch (err) {
        if (this.closed) return;
        if (!isRetriableError(err)) throw err;
        // A lost connection or timeout: the coordinator may have moved.
        this.cluster.invalidateCoordinator(this.settings.groupId);
        retryAfterBackoff = true;
      }
      if (retryAfterBackoff) {
        if (this.memberState !== 'UNJOINED') this.memberState = 'UNJOINED';
        await sleep(backoffDelay(this.settings.retry, attempt++), this.abort.signal);
      }
    }
  }

  /**
   * One JoinGroup (+ SyncGroup) round. 'done': stable with a result for poll();
   * 'again': rejoin at once (member id given, group moved on); 'backoff': retry after a
   * pause; 'reset': the generation is gone, poll() must prepare again.
   */
  private async joinAndSyncOnce(): Promise<'done' | 'again' | 'backoff' | 'reset'> {
    const { groupId, groupInstanceId, sessionTimeoutMs, rebalanceTimeoutMs, requestTimeoutMs } = this.settings;
    const connection = await this.coordinatorConnection();
    if (this.closed) return 'done';
    const reason = this.rejoinReason ?? 'joining the group';
    this.rejoinReason = null;
    this.memberState = 'PREPARING_REBALANCE';
    this.leader = false;
    this.leaderSnapshot = null;
    this.stopHeartbeat();
    // The coordinator holds JoinGroup until every member rejoined, up to the rebalance timeout.
    const roundTimeoutMs = Math.max(requestTimeoutMs, rebalanceTimeoutMs + 5000);
    const join = await connection.send(
      JoinGroupApi,
      {
        groupId,
        sessionTimeoutMs,
        rebalanceTimeoutMs,
        memberId: this.current.memberId,
        groupInstanceId,
        protocolType: CONSUMER_PROTOCOL_TYPE,
        protocols: this.protocols(),
        reason,
      },
      { timeoutMs: roundTimeoutMs },
    );
    if (this.closed) return 'done';
    const joinOutcome = this.handleJoinError(join, reason);
    if (joinOutcome) return joinOutcome;

    this.current = { generationId: join.generationId, memberId: join.memberId, protocolName: join.protocolName };
    this.memberState = 'COMPLETING_REBALANCE';
    this.startHeartbeat();
    const assignments = join.leader === join.memberId ? await this.assignAsLeader(join) : [];
    const generation = this.current;
    const sync = await connection.send(
      SyncGroupApi,
      {
        groupId,
        generationId: generation.generationId,
        memberId: generation.memberId,
        groupInstanceId,
        protocolType: CONSUMER_PROTOCOL_TYPE,
        protocolName: generation.protocolName,
        assignments,
      },
      { timeoutMs: roundTimeoutMs },
    );
    if (this.closed || this.current !== generation) return 'done';
    switch (sync.errorCode) {
      case ErrorCode.NONE:
        break;
      case ErrorCode.REBALANCE_IN_PROGRESS:
        this.rejoinReason = 'the group rebalanced again during SyncGroup';
        return 'again';
      case ErrorCode.UNKNOWN_MEMBER_ID:
      case ErrorCode.ILLEGAL_GENERATION:
        this.resetGeneration(sync.errorCode === ErrorCode.UNKNOWN_MEMBER_ID, `SyncGroup failed with ${KafkaClientError.fromCode(sync.errorCode).codeName}`);
        return 'reset';
      default:
        return this.otherGroupError(sync.errorCode, 'SyncGroup');
    }
    this.memberState = 'STABLE';
    this.joinResult = { generationId: generation.generationId, assignment: decodeMemberAssignment(sync.assignment) };
    this.signal.notify();
    return 'done';
  }

  private handleJoinError(join: JoinGroupResponse, reason: string): 'again' | 'backoff' | 'reset' | null {
    switch (join.errorCode) {
      case ErrorCode.NONE:
        return null;
      case ErrorCode.MEMBER_ID_REQUIRED:
        // KIP-394: the coordinator named us; join again under that id.
        this.current = { ...NO_GENERATION, memberId: join.memberId };
        this.rejoinReason = reason;
        return 'again';
      case ErrorCode.UNKNOWN_MEMBER_ID:
      case ErrorCode.ILLEGAL_GENERATION:
        this.resetGeneration(join.errorCode === ErrorCode.UNKNOWN_MEMBER_ID, `JoinGroup failed with ${KafkaClientError.fromCode(join.errorCode).codeName}`);
        return 'reset';
      case ErrorCode.REBALANCE_IN_PROGRESS:
        this.rejoinReason = reason;
        return 'again';
      default:
        this.rejoinReason = reason;
        return this.otherGroupError(join.errorCode, 'JoinGroup');
    }
  }

  /** Coordinator moved or loading: retry after a pause; a fatal code is kept for poll() to throw. */
  private otherGroupError(code: number, api: string): 'backoff' {
    this.rejoinReason ??= `${api} failed`;
    if (isCoordinatorError(code) || code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) {
      this.cluster.handleCoordinatorError(this.settings.groupId, code);
      return 'backoff';
    }
    const err = KafkaClientError.fromCode(code, `${api} for group ${this.settings.groupId}`);
    if (FATAL_JOIN_ERRORS.has(code) || !err.retriable) throw err;
    return 'backoff';
  }

  private protocols(): { name: string; metadata: Buffer }[] {
    const owned = this.protocol === 'COOPERATIVE' ? this.host.ownedPartitions() : [];
    const state = {
      topics: this.host.subscribedTopics(),
      ownedPartitions: owned,
      generationId: this.current.generationId,
      rackId: this.settings.rackId,
    };
    return this.settings.assignors.map((assignor) => ({ name: assignor.name, metadata: encodeMemberSubscription(assignor, state) }));
  }

  /** The leader's part: every member's assignment over the partition counts it knows. */
  private async assignAsLeader(join: JoinGroupResponse): Promise<{ memberId: string; assignment: Buffer }[]> {
    this.leader = true;
    const members = join.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata }));
    const topics = [...new Set(members.flatMap((m) => decodeMemberSubscription(m).topics))];
    // Other members may subscribe to topics this one has no metadata for yet, and the
    // rebalance may be the broker's answer to a topic growing: assign over fresh counts,
    // or the next metadata refresh would find them stale and cost another rebalance.
    await this.cluster.ensureTopics(topics, 0).catch(() => undefined);
    await this.cluster.refreshMetadata().catch(() => undefined);
    const counts = new Map<string, number>();
    const snapshot = new Map<string, number>();
    for (const topic of topics) {
      const count = this.cluster.partitionCount(topic);
      snapshot.set(topic, count ?? -1);
      if (count !== undefined) counts.set(topic, count);
    }
    this.leaderSnapshot = snapshot;
    // KIP-814: a static leader rejoining a stable group keeps the group's assignment.
    if (join.skipAssignment) return [];
    const assignor = this.settings.assignors.find((a) => a.name === join.protocolName);
    if (!assignor) throw KafkaClientError.fromCode(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, `the group chose assignor ${join.protocolName}, which this consumer does not have`);
    return computeGroupAssignment(assignor, counts, members);
  }

  /** Applies a finished rebalance (Java's onJoinComplete), inside poll(). */
  private async completeJoin(result: JoinResult): Promise<void> {
    this.joinResult = null;
    // The generation it belongs to is already gone: what it assigned is not ours.
    if (result.generationId !== this.current.generationId) return;
    this.needsJoinPrepare = true;
    this.rebalances++;
    if (this.protocol === 'EAGER') {
      await this.host.partitionsAssigned(result.assignment, result.assignment);
      return;
    }
    const owned = this.host.ownedPartitions();
    const ownedKeys = new Set(owned.map(topicPartitionKey));
    const assignedKeys = new Set(result.assignment.map(topicPartitionKey));
    const added = result.assignment.filter((tp) => !ownedKeys.has(topicPartitionKey(tp)));
    const revoked = owned.filter((tp) => !assignedKeys.has(topicPartitionKey(tp)));
    if (revoked.length > 0) {
      await this.host.partitionsRevoked(revoked);
      // KIP-429: what was revoked can go to its new owner only after another round.
      this.requestRejoin(`revoked ${revoked.map(describePartition).join(', ')}`);
    }
    await this.host.partitionsAssigned(added, result.assignment);
  }

  private checkLeaderSnapshot(): void {
    const snapshot = this.leaderSnapshot;
    if (!this.leader || !snapshot || this.memberState !== 'STABLE') return;
    for (const [topic, count] of snapshot) {
      if ((this.cluster.partitionCount(topic) ?? -1) !== count) {
        this.leaderSnapshot = null;
        this.requestRejoin(`the partitions of ${topic} changed since the last assignment`);
        return;
      }
    }
  }

  /** Forgets the generation (and member id); the next poll() prepares and rejoins. */
  private resetGeneration(resetMemberId: boolean, reason: string | null): void {
    this.current = resetMemberId ? NO_GENERATION : { ...NO_GENERATION, memberId: this.current.memberId };
    this.memberState = 'UNJOINED';
    this.leader = false;
    this.leaderSnapshot = null;
    this.needsJoinPrepare = true;
    this.stopHeartbeat();
    if (reason !== null) this.requestRejoin(reason);
  }

  private async sendLeaveGroup(reason: string, deadline: number): Promise<void> {
    const { groupId, groupInstanceId } = this.settings;
    const memberId = this.current.memberId;
    if (groupInstanceId !== null || memberId === '') return;
    const timeoutMs = Math.max(1, Math.min(this.settings.requestTimeoutMs, deadline - Date.now()));
    try {
      const connection = await this.coordinatorConnection();
      await connection.send(LeaveGroupApi, { groupId, memberId, members: [{ memberId, groupInstanceId: null, reason }] }, { timeoutMs });
    } catch {
      // Best effort, as in Java: the session timeout removes the member anyway.
    }
  }

  // ---- heartbeats ----

  private startHeartbeat(): void {
    if (this.heartbeatRunning) return;
    this.heartbeatRunning = true;
    this.scheduleHeartbeat(this.settings.heartbeatIntervalMs);
  }

  private stopHeartbeat(): void {
    this.heartbeatRunning = false;
    clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  private scheduleHeartbeat(delayMs: number): void {
    if (!this.heartbeatRunning || this.closed) return;
    clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = setTimeout(() => {
      this.heartbeat().catch(() => this.scheduleHeartbeat(this.settings.retry.backoffMs));
    }, Math.max(0, delayMs));
    // Like Java's daemon heartbeat thread: it alone does not keep the process alive.
    this.heartbeatTimer.unref?.();
  }

  private async heartbeat(): Promise<void> {
    this.heartbeatTimer = undefined;
    if (!this.heartbeatRunning || this.closed) return;
    if (!this.inPoll && Date.now() - this.lastPollAt > this.settings.rebalanceTimeoutMs) {
      await this.leaveOnPollTimeout();
      return;
    }
    const { groupId, groupInstanceId, heartbeatIntervalMs, requestTimeoutMs, retry } = this.settings;
    const generation = this.current;
    const sentAt = Date.now();
    let code: number;
    try {
      const connection = await this.coordinatorConnection();
      const response = await connection.send(
        HeartbeatApi,
        { groupId, generationId: generation.generationId, memberId: generation.memberId, groupInstanceId },
        { timeoutMs: requestTimeoutMs },
      );
      code = response.errorCode;
    } catch {
      if (this.closed) return;
      this.cluster.invalidateCoordinator(groupId);
      this.scheduleHeartbeat(retry.backoffMs);
      return;
    }
    // A rejoin or reset happened meanwhile; its own heartbeats take over.
    if (this.current !== generation || !this.heartbeatRunning) return;
    const next = heartbeatIntervalMs - (Date.now() - sentAt);
    switch (code) {
      case ErrorCode.NONE:
        this.scheduleHeartbeat(next);
        return;
      case ErrorCode.REBALANCE_IN_PROGRESS:
        // Keep the session alive until poll() sends JoinGroup.
        this.requestRejoin('the group is rebalancing');
        this.scheduleHeartbeat(next);
        return;
      case ErrorCode.ILLEGAL_GENERATION:
      case ErrorCode.UNKNOWN_MEMBER_ID:
        this.resetGeneration(code === ErrorCode.UNKNOWN_MEMBER_ID, `heartbeat failed with ${KafkaClientError.fromCode(code).codeName}`);
        return;
      case ErrorCode.FENCED_INSTANCE_ID:
        this.fatalError = KafkaClientError.fromCode(code, `heartbeat of static member ${groupInstanceId}`);
        this.stopHeartbeat();
        this.signal.notify();
        return;
      default:
        this.cluster.handleCoordinatorError(groupId, code);
        this.scheduleHeartbeat(retry.backoffMs);
    }
  }

  /** The application did not poll within max.poll.interval.ms: leave so the group can move on. */
  private async leaveOnPollTimeout(): Promise<void> {
    const reason = `consumer poll timeout has expired: more than max.poll.interval.ms=${this.settings.rebalanceTimeoutMs} between poll() calls`;
    this.stopHeartbeat();
    await this.sendLeaveGroup(reason, Date.now() + this.settings.requestTimeoutMs);
    if (this.closed) return;
    this.resetGeneration(true, reason);
  }

  private async coordinatorConnection() {
    if (this.closed) throw new ClientClosedError('the consumer');
    return this.cluster.coordinatorConnection(this.settings.groupId);
  }

  private throwIfFatal(): void {
    if (this.fatalError) throw this.fatalError;
  }
}
