import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { BrokerConfig } from '../config/broker.config';
import { CONSUMER_PROTOCOL_TYPE } from '../protocol/consumer-protocol';
import { ErrorCode } from '../protocol/errors/error-codes';
import { ConsumerGroup, GroupMember, GroupState, type GroupProtocol, type JoinOutcome, type SyncOutcome } from './consumer-group';
import { ConsumerRegistryPublisher, EMPTY_REGISTRY } from './consumer-registry-publisher';
import { COORDINATOR_CLUSTER, type CoordinatorCluster, type CoordinatorClusterChange } from './coordinator-cluster';
import { GroupLoading } from './group-loading';
import { registryOf, subscribedTopics } from './group-subscriptions';
import { GroupOwnershipLostError, GroupStateStore, restoreGroup, snapshotOf } from './group-state-store';
import { OffsetStore, type OffsetCommitEntry } from './offset-store';
import type { StoredGroup } from '../zk/accessors/consumer-group-metadata';
import { isPathSegment } from '../zk/zk-paths';

export interface JoinGroupParams {
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: readonly GroupProtocol[];
  /** JoinGroup v4+: a new member first gets MEMBER_ID_REQUIRED and an id to rejoin with (KIP-394). */
  requireKnownMemberId: boolean;
  /** JoinGroup v9+: a rejoining static leader can be told not to re-assign (KIP-814). */
  supportsSkipAssignment: boolean;
}

export interface SyncGroupParams {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string | null;
  protocolName: string | null;
  assignments: readonly { memberId: string; assignment: Buffer }[];
}

export interface MemberIdentity {
  memberId: string;
  groupInstanceId: string | null;
}

export interface LeaveOutcome {
  errorCode: ErrorCode;
  members: ErrorCode[];
}

export interface GroupOverview {
  groupId: string;
  protocolType: string;
  state: GroupState;
}

export interface GroupDescription extends GroupOverview {
  errorCode: ErrorCode;
  protocolName: string;
  members: { memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string; metadata: Buffer; assignment: Buffer }[];
}

export interface PartitionOffset {
  partition: number;
  offset: number;
  metadata: string | null;
  errorCode: ErrorCode;
}

const NO_BYTES = Buffer.alloc(0);

/**
 * Kafka's classic group coordinator: membership, rebalances and committed offsets for
 * the groups that hash to this broker (see coordinatorOf).
 *
 * A rebalance: the group moves to PreparingRebalance and every member must rejoin
 * within the rebalance timeout (the largest max.poll.interval.ms among members); the
 * join phase ends early once all have. Members that did not rejoin are dropped, the
 * generation advances, a protocol every member supports is chosen by vote, and the
 * leader (the first member to join) gets everyone's metadata. Its SyncGroup carries
 * the assignment, which the other members' SyncGroup calls then receive. The broker
 * never reads the assignment to make decisions, so eager, cooperative and custom
 * assignors all work; it only decodes the consumer protocol to publish
 * /consumers/{group}/ids and owners, and to notice that a subscribed topic grew.
 *
 * Members expire after session.timeout.ms without a heartbeat, except while a join or
 * sync of theirs is pending (then the rebalance and sync timeouts bound them). Static
 * members (group.instance.id) that restart take over their old slot and assignment,
 * and a Stable group does not rebalance for them.
 *
 * Each generation is persisted (GroupStateStore) before it is Stable, and so is the group
 * going Empty. A broker taking a group over loads it on the group's first request —
 * requests meanwhile wait for the load — and resumes it: Stable, same generation, the
 * members' sessions starting at the load. Members keep heartbeating and committing as if
 * nothing happened; only those that never come back expire and cause a rebalance.
 */
@Injectable()
export class GroupCoordinator implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('GroupCoordinator');
  private readonly groups = new Map<string, ConsumerGroup>();
  private readonly loading: GroupLoading;
  private unsubscribe: (() => void) | null = null;
  private stopped = false;

  constructor(
    private readonly config: BrokerConfig,
    @Inject(COORDINATOR_CLUSTER) private readonly cluster: CoordinatorCluster,
    private readonly offsets: OffsetStore,
    private readonly registry: ConsumerRegistryPublisher,
    private readonly states: GroupStateStore,
  ) {
    this.loading = new GroupLoading(states, (groupId, stored) => this.resume(groupId, stored), this.logger);
  }

  onModuleInit(): void {
    this.unsubscribe = this.cluster.onChange((change) => this.onClusterChange(change));
  }

  /** Pending joins and syncs answer NOT_COORDINATOR so the server can drain; timers stop. */
  onModuleDestroy(): void {
    this.stopped = true;
    this.unsubscribe?.();
    for (const groupId of this.loading.held()) this.unload(groupId);
  }

  // ---- membership ----

  join(p: JoinGroupParams): Promise<JoinOutcome> | JoinOutcome {
    return this.whenLoaded(p.groupId, (code) => joinError(code, p.memberId), () => this.joinLoaded(p));
  }

  private joinLoaded(p: JoinGroupParams): Promise<JoinOutcome> | JoinOutcome {
    if (p.sessionTimeoutMs < this.config.groupMinSessionTimeoutMs || p.sessionTimeoutMs > this.config.groupMaxSessionTimeoutMs) {
      return joinError(ErrorCode.INVALID_SESSION_TIMEOUT, p.memberId);
    }
    let group = this.groups.get(p.groupId);
    if (group?.deleting) return joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, p.memberId);
    if (!group) {
      if (p.memberId !== '') return joinError(ErrorCode.UNKNOWN_MEMBER_ID, p.memberId);
      group = new ConsumerGroup(p.groupId);
      this.groups.set(p.groupId, group);
    }
    return p.memberId === '' ? this.joinNewMember(group, p) : this.joinKnownMember(group, p);
  }

  private joinNewMember(group: ConsumerGroup, p: JoinGroupParams): Promise<JoinOutcome> | JoinOutcome {
    if (group.is(GroupState.Dead)) return joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, '');
    if (!group.supportsProtocols(p.protocolType, p.protocols)) return joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, '');
    const memberId = `${pathSafe(p.groupInstanceId ?? p.clientId)}-${randomUUID()}`;
    if (p.groupInstanceId !== null) {
      const previous = group.memberByInstanceId(p.groupInstanceId);
      if (previous) return this.replaceStaticMember(group, previous, memberId, p);
    } else if (p.requireKnownMemberId) {
      // The member must come back with this id; until it does it holds up the join phase.
      const timer = setTimeout(() => this.expirePendingMember(group, memberId), p.sessionTimeoutMs);
      group.pendingMembers.set(memberId, timer);
      return joinError(ErrorCode.MEMBER_ID_REQUIRED, memberId);
    }
    return this.addMemberAndRebalance(group, memberId, p);
  }

  private joinKnownMember(group: ConsumerGroup, p: JoinGroupParams): Promise<JoinOutcome> | JoinOutcome {
    const pending = group.pendingMembers.get(p.memberId);
    if (pending) {
      clearTimeout(pending);
      group.pendingMembers.delete(p.memberId);
      if (!group.supportsProtocols(p.protocolType, p.protocols)) return joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, p.memberId);
      return this.addMemberAndRebalance(group, p.memberId, p);
    }
    if (group.is(GroupState.Dead)) return joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, p.memberId);
    const invalid = group.validateMember(p.memberId, p.groupInstanceId);
    if (invalid !== ErrorCode.NONE) return joinError(invalid, p.memberId);
    const member = group.members.get(p.memberId)!;
    const othersSupport = group.candidateProtocols(member);
    if (p.protocolType !== group.protocolType || (group.members.size > 1 && !p.protocols.some((proto) => othersSupport.has(proto.name)))) {
      return joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, p.memberId);
    }
    this.updateMemberSettings(member, p);
    const unchanged = member.hasSameProtocols(p.protocols);
    if (group.is(GroupState.CompletingRebalance) && unchanged) return this.currentGenerationJoin(group, member, p);
    // A Stable group rebalances when the leader rejoins (it saw the metadata change) or a member's subscription changed.
    if (group.is(GroupState.Stable) && unchanged && member.memberId !== group.leaderId) return this.currentGenerationJoin(group, member, p);
    return this.updateMemberAndRebalance(group, member, p.protocols, `member ${member.memberId} rejoined`);
  }

  /**
   * A restarted static member takes over its old slot. A Stable group keeps its assignment
   * unless the new subscription changes the protocol the group would choose: a restarted
   * client's metadata always differs in bytes (owned partitions, generation), so comparing
   * bytes would rebalance on every restart and defeat KIP-345.
   */
  private replaceStaticMember(group: ConsumerGroup, previous: GroupMember, memberId: string, p: JoinGroupParams): Promise<JoinOutcome> | JoinOutcome {
    const oldMemberId = previous.memberId;
    const leaderBefore = group.leaderId;
    previous.awaitingJoin?.(joinError(ErrorCode.FENCED_INSTANCE_ID, oldMemberId));
    previous.awaitingJoin = null;
    previous.awaitingSync?.(syncError(ErrorCode.FENCED_INSTANCE_ID));
    previous.awaitingSync = null;
    const member = group.replaceStaticMember(p.groupInstanceId!, oldMemberId, memberId);
    this.updateMemberSettings(member, p);
    const oldProtocols = member.protocols;
    member.protocols = p.protocols;
    this.armSession(group, member);
    this.logger.log(`group ${group.groupId}: static member ${p.groupInstanceId} rejoined as ${memberId} (was ${oldMemberId})`);
    if (group.is(GroupState.Stable) && group.selectProtocol() === group.protocolName) {
      if (group.pendingSync.delete(oldMemberId)) group.pendingSync.add(memberId);
      this.registry.publish(group.groupId, registryOf(group));
      // The stored generation must name the new member id, or a coordinator taking over would fence it.
      void this.persist(group);
      const outcome = this.currentGenerationJoin(group, member, p);
      // Without KIP-814 (JoinGroup < v9) a rejoining leader must not learn it leads, or it would
      // re-run the assignment over an empty member list: it is shown the leader it replaced.
      return p.supportsSkipAssignment ? outcome : { ...outcome, leader: leaderBefore ?? '' };
    }
    member.protocols = oldProtocols;
    return this.updateMemberAndRebalance(group, member, p.protocols, `static member ${p.groupInstanceId} rejoined`);
  }

  private addMemberAndRebalance(group: ConsumerGroup, memberId: string, p: JoinGroupParams): Promise<JoinOutcome> {
    const member = new GroupMember(memberId, p.groupInstanceId, p.clientId, p.clientHost, p.sessionTimeoutMs, p.rebalanceTimeoutMs, p.protocolType, p.protocols);
    const outcome = new Promise<JoinOutcome>((resolve) => (member.awaitingJoin = resolve));
    group.add(member);
    if (group.inInitialDelay) group.newMemberAdded = true;
    this.armSession(group, member);
    this.maybePrepareRebalance(group, `member ${memberId} joined`);
    this.tryCompleteJoin(group);
    return outcome;
  }

  private updateMemberAndRebalance(group: ConsumerGroup, member: GroupMember, protocols: readonly GroupProtocol[], reason: string): Promise<JoinOutcome> {
    member.protocols = protocols;
    // A second JoinGroup while the first still waits: the newer one gets the answer.
    member.awaitingJoin?.(joinError(ErrorCode.REBALANCE_IN_PROGRESS, member.memberId));
    const outcome = new Promise<JoinOutcome>((resolve) => (member.awaitingJoin = resolve));
    this.armSession(group, member);
    this.maybePrepareRebalance(group, reason);
    this.tryCompleteJoin(group);
    return outcome;
  }

  private updateMemberSettings(member: GroupMember, p: JoinGroupParams): void {
    member.clientId = p.clientId;
    member.clientHost = p.clientHost;
    member.sessionTimeoutMs = p.sessionTimeoutMs;
    member.rebalanceTimeoutMs = p.rebalanceTimeoutMs;
  }

  /** The answer for a member whose join changes nothing: the current generation as it stands. */
  private currentGenerationJoin(group: ConsumerGroup, member: GroupMember, p: JoinGroupParams): JoinOutcome {
    this.armSession(group, member);
    const isLeader = member.memberId === group.leaderId;
    // A static leader rejoining a Stable group must not re-assign; before v9 it cannot be told so and
    // gets no member list, and its SyncGroup is answered with the assignment the group already has.
    const skipAssignment = isLeader && group.is(GroupState.Stable) && p.supportsSkipAssignment;
    const withMembers = isLeader && (group.is(GroupState.CompletingRebalance) || skipAssignment);
    return {
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: group.leaderId ?? '',
      memberId: member.memberId,
      skipAssignment,
      members: withMembers ? this.memberList(group) : [],
    };
  }

  sync(p: SyncGroupParams): Promise<SyncOutcome> | SyncOutcome {
    return this.whenLoaded(p.groupId, syncError, () => this.syncLoaded(p));
  }

  private syncLoaded(p: SyncGroupParams): Promise<SyncOutcome> | SyncOutcome {
    const group = this.groups.get(p.groupId);
    if (!group) return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
    if (group.is(GroupState.Dead)) return syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    const invalid = group.validateMember(p.memberId, p.groupInstanceId);
    if (invalid !== ErrorCode.NONE) return syncError(invalid);
    if (p.generationId !== group.generationId) return syncError(ErrorCode.ILLEGAL_GENERATION);
    if ((p.protocolType !== null && p.protocolType !== group.protocolType) || (p.protocolName !== null && p.protocolName !== group.protocolName)) {
      return syncError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    const member = group.members.get(p.memberId)!;
    switch (group.state) {
      case GroupState.PreparingRebalance:
        return syncError(ErrorCode.REBALANCE_IN_PROGRESS);
      case GroupState.Stable:
        this.armSession(group, member);
        this.syncReceived(group, member.memberId);
        return syncOk(group, member.assignment);
      case GroupState.CompletingRebalance: {
        this.armSession(group, member);
        member.awaitingSync?.(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
        const outcome = new Promise<SyncOutcome>((resolve) => (member.awaitingSync = resolve));
        this.syncReceived(group, member.memberId);
        if (member.memberId === group.leaderId) this.completeSync(group, p.assignments);
        return outcome;
      }
      default:
        return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
    }
  }

  /** An answer at once for a loaded group; a promise while the group loads. */
  heartbeat(groupId: string, generationId: number, identity: MemberIdentity): ErrorCode | Promise<ErrorCode> {
    return this.whenLoaded(groupId, (code) => code, () => this.heartbeatLoaded(groupId, generationId, identity));
  }

  private heartbeatLoaded(groupId: string, generationId: number, identity: MemberIdentity): ErrorCode {
    const group = this.groups.get(groupId);
    if (!group) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (group.is(GroupState.Dead)) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const invalid = group.validateMember(identity.memberId, identity.groupInstanceId);
    if (invalid !== ErrorCode.NONE) return invalid;
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    this.armSession(group, group.members.get(identity.memberId)!);
    return group.is(GroupState.PreparingRebalance) ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  /** LeaveGroup: the top-level error, then one per leaving member (none when the group refused them all). */
  leave(groupId: string, leaving: readonly MemberIdentity[]): LeaveOutcome | Promise<LeaveOutcome> {
    // A group-level refusal has no per-member results.
    return this.whenLoaded(groupId, (errorCode) => ({ errorCode, members: [] }), () => this.leaveLoaded(groupId, leaving));
  }

  private leaveLoaded(groupId: string, leaving: readonly MemberIdentity[]): LeaveOutcome {
    // An unknown group knows none of the members.
    const group = this.groups.get(groupId);
    if (!group) return { errorCode: ErrorCode.NONE, members: leaving.map(() => ErrorCode.UNKNOWN_MEMBER_ID) };
    if (group.is(GroupState.Dead)) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
    const members = leaving.map(({ memberId, groupInstanceId }) => {
      if (groupInstanceId !== null) {
        const member = group.memberByInstanceId(groupInstanceId);
        if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
        if (memberId !== '' && member.memberId !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
        this.removeMember(group, member, `static member ${groupInstanceId} left`);
        return ErrorCode.NONE;
      }
      const pending = group.pendingMembers.get(memberId);
      if (pending) {
        clearTimeout(pending);
        group.pendingMembers.delete(memberId);
        this.tryCompleteJoin(group);
        return ErrorCode.NONE;
      }
      const member = group.members.get(memberId);
      if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
      this.removeMember(group, member, `member ${memberId} left`);
      return ErrorCode.NONE;
    });
    return { errorCode: ErrorCode.NONE, members };
  }

  // ---- offsets ----

  /** OffsetCommit: one error code per entry, in order. Resolves once the accepted ones are durable. */
  async commitOffsets(groupId: string, generationId: number, identity: MemberIdentity, entries: readonly OffsetCommitEntry[]): Promise<ErrorCode[]> {
    // Unknown partitions are reported as such whatever the group's state, as Kafka does.
    const known = entries.map((e) => e.partition >= 0 && e.partition < this.cluster.partitionCount(e.topic));
    // Judged before anything else of the connection runs (a LeaveGroup pipelined behind this commit).
    const refused = await this.whenLoaded(groupId, (code) => code, () => this.commitRefusal(groupId, generationId, identity));
    const result = entries.map((e, i) => {
      if (!known[i]) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      if (refused !== ErrorCode.NONE) return refused;
      if (Buffer.byteLength(e.metadata) > this.config.offsetMetadataMaxBytes) return ErrorCode.OFFSET_METADATA_TOO_LARGE;
      return ErrorCode.NONE;
    });
    const accepted = entries.filter((_, i) => result[i] === ErrorCode.NONE);
    if (accepted.length === 0) return result;
    const written = await this.withCommitTimeout(this.offsets.commit(groupId, accepted));
    let next = 0;
    return result.map((code) => {
      if (code !== ErrorCode.NONE) return code;
      const outcome = written === 'timeout' ? ErrorCode.REQUEST_TIMED_OUT : written[next] ? ErrorCode.COORDINATOR_NOT_AVAILABLE : ErrorCode.NONE;
      next++;
      return outcome;
    });
  }

  /** Kafka's order of checks: a fenced or stale member learns so before any rebalance state. */
  private commitRefusal(groupId: string, generationId: number, identity: MemberIdentity): ErrorCode {
    const group = this.groups.get(groupId);
    // No group management (generation -1): kcat's manual commits, admin tools resetting offsets.
    if (!group) return generationId < 0 ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
    if (group.is(GroupState.Dead) || group.deleting) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (generationId < 0 && group.is(GroupState.Empty)) return ErrorCode.NONE;
    if (generationId >= 0 || identity.memberId !== '' || identity.groupInstanceId !== null) {
      const invalid = group.validateMember(identity.memberId, identity.groupInstanceId);
      if (invalid !== ErrorCode.NONE) return invalid;
      if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    } else if (!group.is(GroupState.Empty)) {
      return ErrorCode.UNKNOWN_MEMBER_ID;
    }
    if (group.is(GroupState.CompletingRebalance)) return ErrorCode.REBALANCE_IN_PROGRESS;
    const member = group.members.get(identity.memberId);
    if (member) this.armSession(group, member);
    return ErrorCode.NONE;
  }

  private withCommitTimeout<T>(write: Promise<T>): Promise<T | 'timeout'> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.config.offsetsCommitTimeoutMs)));
    return Promise.race([write, timeout]).finally(() => clearTimeout(timer));
  }

  /** OffsetFetch for one group: `topics` null asks for everything committed. */
  async fetchOffsets(
    groupId: string,
    topics: readonly { name: string; partitions: readonly number[] }[] | null,
  ): Promise<{ errorCode: ErrorCode; topics: { name: string; partitions: PartitionOffset[] }[] }> {
    const refused = this.checkGroupId(groupId);
    if (refused !== ErrorCode.NONE) return { errorCode: refused, topics: [] };
    const committed = await this.offsets.offsetsOf(groupId);
    const wanted = topics ?? [...committed].map(([name, byPartition]) => ({ name, partitions: [...byPartition.keys()].sort((a, b) => a - b) }));
    return {
      errorCode: ErrorCode.NONE,
      topics: wanted.map(({ name, partitions }) => ({
        name,
        partitions: partitions.map((partition) => {
          const offset = committed.get(name)?.get(partition);
          return { partition, offset: offset?.offset ?? -1, metadata: offset?.metadata ?? '', errorCode: ErrorCode.NONE };
        }),
      })),
    };
  }

  /** OffsetDelete: refused per partition while the group subscribes to its topic. */
  async deleteOffsets(groupId: string, topics: readonly { name: string; partitions: readonly number[] }[]): Promise<{ errorCode: ErrorCode; partitions: ErrorCode[][] }> {
    const refused = await this.loaded(groupId);
    if (refused !== ErrorCode.NONE) return { errorCode: refused, partitions: [] };
    const group = this.groups.get(groupId);
    const committed = await this.offsets.offsetsOf(groupId);
    if (!group && !this.offsets.hasOffsets(committed)) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, partitions: [] };
    if (group && group.protocolType !== null && group.protocolType !== CONSUMER_PROTOCOL_TYPE && group.members.size > 0) {
      return { errorCode: ErrorCode.NON_EMPTY_GROUP, partitions: [] };
    }
    // An unknown subscription counts as subscribed to everything: when in doubt, keep the offsets.
    const subscribed = group && !group.is(GroupState.Empty) ? group.subscribedTopics : new Set<string>();
    const doomed: { topic: string; partition: number }[] = [];
    const partitions = topics.map(({ name, partitions }) =>
      partitions.map((partition) => {
        if (partition < 0 || partition >= this.cluster.partitionCount(name)) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        if (subscribed === null || subscribed.has(name)) return ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC;
        doomed.push({ topic: name, partition });
        return ErrorCode.NONE;
      }),
    );
    await this.offsets.deleteOffsets(groupId, doomed);
    return { errorCode: ErrorCode.NONE, partitions };
  }

  // ---- administration ----

  /** Groups this broker coordinates: those in memory, and those known only by their stored offsets. */
  async listGroups(statesFilter: readonly string[] = []): Promise<GroupOverview[]> {
    if (this.stopped) return [];
    const overviews = new Map<string, GroupOverview>();
    for (const group of this.groups.values()) {
      if (!group.is(GroupState.Dead)) overviews.set(group.groupId, { groupId: group.groupId, protocolType: group.protocolType ?? CONSUMER_PROTOCOL_TYPE, state: group.state });
    }
    const unlisted = (await this.offsets.storedGroups()).filter((groupId) => !overviews.has(groupId) && this.cluster.isLocalCoordinator(groupId));
    // Groups this broker took over that nobody asked about yet: their stored state says what they are.
    const loads = await Promise.all(unlisted.map((groupId) => this.loaded(groupId)));
    unlisted.forEach((groupId, i) => {
      const group = this.groups.get(groupId);
      if (loads[i] !== ErrorCode.NONE || group?.is(GroupState.Dead)) return;
      overviews.set(groupId, { groupId, protocolType: group?.protocolType ?? CONSUMER_PROTOCOL_TYPE, state: group?.state ?? GroupState.Empty });
    });
    const wanted = new Set(statesFilter.map((s) => s.toLowerCase()));
    return [...overviews.values()].filter((g) => wanted.size === 0 || wanted.has(g.state.toLowerCase()));
  }

  async describeGroup(groupId: string): Promise<GroupDescription> {
    const refused = await this.loaded(groupId);
    const base = { groupId, errorCode: refused, protocolType: '', protocolName: '', members: [] };
    if (refused !== ErrorCode.NONE) return { ...base, state: GroupState.Dead };
    const group = this.groups.get(groupId);
    if (!group || group.is(GroupState.Empty) || group.is(GroupState.Dead)) {
      // Kafka describes a group it does not know as Dead, without an error.
      const known = group !== undefined || this.offsets.hasOffsets(await this.offsets.offsetsOf(groupId));
      return known ? { ...base, state: GroupState.Empty, protocolType: group?.protocolType ?? CONSUMER_PROTOCOL_TYPE } : { ...base, state: GroupState.Dead };
    }
    // Metadata and assignments are meaningful only once the generation is settled.
    const stable = group.is(GroupState.Stable);
    return {
      ...base,
      state: group.state,
      protocolType: group.protocolType ?? '',
      protocolName: stable ? (group.protocolName ?? '') : '',
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: stable ? m.metadataFor(group.protocolName!) : NO_BYTES,
        assignment: stable ? m.assignment : NO_BYTES,
      })),
    };
  }

  /** DeleteGroups: only groups without members; removes the group's whole /consumers/{group} tree. */
  async deleteGroup(groupId: string): Promise<ErrorCode> {
    const refused = await this.loaded(groupId);
    if (refused !== ErrorCode.NONE) return refused;
    let group = this.groups.get(groupId);
    if (group && !group.is(GroupState.Empty) && !group.is(GroupState.Dead)) return ErrorCode.NON_EMPTY_GROUP;
    if (group?.deleting) return ErrorCode.NONE;
    // Claim the group before the first await, so a join or commit arriving meanwhile is refused
    // (COORDINATOR_NOT_AVAILABLE) rather than written and then wiped.
    if (!group) this.groups.set(groupId, (group = new ConsumerGroup(groupId)));
    group.deleting = true;
    try {
      const stored = (await this.offsets.storedGroups()).includes(groupId);
      if (!stored && group.generationId === 0) return ErrorCode.GROUP_ID_NOT_FOUND;
      await this.registry.settled(groupId);
      await this.states.settled(groupId);
      await this.offsets.deleteGroup(groupId);
      this.registry.forget(groupId);
      return ErrorCode.NONE;
    } finally {
      if (this.groups.get(groupId) === group) this.unload(groupId);
    }
  }

  // ---- the rebalance ----

  private maybePrepareRebalance(group: ConsumerGroup, reason: string): void {
    if (group.is(GroupState.Stable) || group.is(GroupState.CompletingRebalance) || group.is(GroupState.Empty)) this.prepareRebalance(group, reason);
  }

  private prepareRebalance(group: ConsumerGroup, reason: string): void {
    if (group.is(GroupState.CompletingRebalance)) this.failPendingSyncs(group, ErrorCode.REBALANCE_IN_PROGRESS);
    clearTimer(group, 'syncTimer');
    group.pendingSync.clear();
    const initial = group.is(GroupState.Empty);
    group.transitionTo(GroupState.PreparingRebalance);
    this.logger.log(`group ${group.groupId}: preparing to rebalance (generation ${group.generationId}): ${reason}`);
    const rebalanceTimeout = group.rebalanceTimeoutMs();
    const initialDelay = Math.min(this.config.groupInitialRebalanceDelayMs, rebalanceTimeout);
    if (initial && initialDelay > 0) {
      // Kafka's initial delayed join: wait for more members before the first generation,
      // extending the wait while they keep coming, up to the rebalance timeout.
      group.inInitialDelay = true;
      group.newMemberAdded = false;
      this.scheduleInitialDelay(group, initialDelay, rebalanceTimeout - initialDelay);
    } else {
      group.joinTimer = setTimeout(() => this.completeJoin(group), rebalanceTimeout);
      // With no member left to wait for (the last one left), the group is Empty at once.
      this.tryCompleteJoin(group);
    }
  }

  private scheduleInitialDelay(group: ConsumerGroup, delayMs: number, remainingMs: number): void {
    group.joinTimer = setTimeout(() => {
      group.joinTimer = null;
      if (group.newMemberAdded && remainingMs > 0) {
        group.newMemberAdded = false;
        const next = Math.min(this.config.groupInitialRebalanceDelayMs, remainingMs);
        this.scheduleInitialDelay(group, next, remainingMs - next);
        return;
      }
      group.inInitialDelay = false;
      this.completeJoin(group);
    }, delayMs);
  }

  private tryCompleteJoin(group: ConsumerGroup): void {
    if (group.is(GroupState.PreparingRebalance) && !group.inInitialDelay && group.allMembersJoined()) this.completeJoin(group);
  }

  /** Ends the join phase: drops members that did not rejoin, starts the next generation, answers every join. */
  private completeJoin(group: ConsumerGroup): void {
    clearTimer(group, 'joinTimer');
    group.inInitialDelay = false;
    if (!group.is(GroupState.PreparingRebalance)) return;
    // Dynamic members that did not rejoin are dropped; static ones keep their slot (and their
    // partitions stay reserved for them) until their session expires.
    for (const member of [...group.members.values()]) {
      if (!member.awaitingJoin && member.groupInstanceId === null) {
        clearTimer(member, 'sessionTimer');
        group.remove(member.memberId);
        this.logger.log(`group ${group.groupId}: member ${member.memberId} did not rejoin in time and was removed`);
      }
    }
    if (group.members.size > 0 && ![...group.members.values()].some((m) => m.awaitingJoin)) {
      // Only absent static members remain: nobody could lead this generation, so wait again.
      group.joinTimer = setTimeout(() => this.completeJoin(group), group.rebalanceTimeoutMs());
      return;
    }
    if (group.leaderId !== null && !group.members.get(group.leaderId)?.awaitingJoin) {
      group.leaderId = [...group.members.values()].find((m) => m.awaitingJoin)!.memberId;
    }
    group.initNextGeneration();
    if (group.is(GroupState.Empty)) {
      this.logger.log(`group ${group.groupId}: generation ${group.generationId} is empty`);
      this.registry.publish(group.groupId, EMPTY_REGISTRY);
      // Overwrites the last Stable generation, so a coordinator taking over never resumes members that left.
      void this.persist(group);
      return;
    }
    this.logger.log(
      `group ${group.groupId}: generation ${group.generationId} with ${group.members.size} member(s), protocol ${group.protocolName}, leader ${group.leaderId}`,
    );
    const members = this.memberList(group);
    group.pendingSync = new Set(group.members.keys());
    group.subscribedTopics = subscribedTopics(group);
    for (const member of group.members.values()) {
      const isLeader = member.memberId === group.leaderId;
      const respond = member.awaitingJoin;
      member.awaitingJoin = null;
      if (!respond) continue;
      this.armSession(group, member);
      respond({
        errorCode: ErrorCode.NONE,
        generationId: group.generationId,
        protocolType: group.protocolType,
        protocolName: group.protocolName,
        leader: group.leaderId!,
        memberId: member.memberId,
        skipAssignment: false,
        members: isLeader ? members : [],
      });
    }
    const generation = group.generationId;
    group.syncTimer = setTimeout(() => this.expirePendingSync(group, generation), group.rebalanceTimeoutMs());
  }

  /**
   * The leader's SyncGroup: store every member's assignment, persist the generation, then go
   * Stable and answer every waiting sync. As in Kafka, nobody learns an assignment before it
   * is durable, so a coordinator taking over resumes exactly what the members were told.
   */
  private completeSync(group: ConsumerGroup, assignments: SyncGroupParams['assignments']): void {
    const byMember = new Map(assignments.map((a) => [a.memberId, a.assignment]));
    for (const member of group.members.values()) member.assignment = byMember.get(member.memberId) ?? NO_BYTES;
    group.subscribedPartitionCounts = new Map([...(group.subscribedTopics ?? [])].map((t) => [t, this.cluster.partitionCount(t)]));
    const generation = group.generationId;
    const current = (): boolean => this.groups.get(group.groupId) === group && group.generationId === generation && group.is(GroupState.CompletingRebalance);
    void this.persist(group).then((error) => {
      if (!current()) return; // Rebalanced or unloaded meanwhile: that path has answered the waiting members.
      if (error === ErrorCode.NONE) return this.stabilize(group);
      // Kafka's answer to a failed write: the members learn it and rejoin.
      this.failPendingSyncs(group, error);
      this.prepareRebalance(group, `storing generation ${generation} failed`);
    });
  }

  private stabilize(group: ConsumerGroup): void {
    group.transitionTo(GroupState.Stable);
    for (const member of group.members.values()) {
      if (!member.awaitingSync) continue;
      member.awaitingSync(syncOk(group, member.assignment));
      member.awaitingSync = null;
      this.syncReceived(group, member.memberId);
    }
    this.logger.log(`group ${group.groupId}: generation ${group.generationId} is stable`);
    this.registry.publish(group.groupId, registryOf(group));
  }

  /** A member of this generation sent SyncGroup; once all have, the sync deadline is off. */
  private syncReceived(group: ConsumerGroup, memberId: string): void {
    if (group.pendingSync.delete(memberId) && group.pendingSync.size === 0) clearTimer(group, 'syncTimer');
  }

  /**
   * Members of this generation that never sent SyncGroup within the rebalance timeout —
   * whether the group is still completing or already Stable — are dropped and the group
   * rebalances; otherwise a stuck member would hold its partitions for good.
   */
  private expirePendingSync(group: ConsumerGroup, generation: number): void {
    group.syncTimer = null;
    if (group.generationId !== generation || !(group.is(GroupState.CompletingRebalance) || group.is(GroupState.Stable))) return;
    const stuck = [...group.pendingSync].map((id) => group.members.get(id)).filter((m) => m !== undefined);
    group.pendingSync.clear();
    if (stuck.length === 0) return;
    for (const member of stuck) {
      clearTimer(member, 'sessionTimer');
      member.awaitingSync?.(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
      member.awaitingSync = null;
      group.remove(member.memberId);
    }
    this.prepareRebalance(group, `member(s) ${stuck.map((m) => m.memberId).join(', ')} did not send SyncGroup within the rebalance timeout`);
    this.tryCompleteJoin(group);
  }

  private removeMember(group: ConsumerGroup, member: GroupMember, reason: string): void {
    clearTimer(member, 'sessionTimer');
    member.awaitingJoin?.(joinError(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
    member.awaitingJoin = null;
    member.awaitingSync?.(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    member.awaitingSync = null;
    group.remove(member.memberId);
    if (group.is(GroupState.Stable) || group.is(GroupState.CompletingRebalance)) this.prepareRebalance(group, reason);
    else if (group.is(GroupState.PreparingRebalance)) this.tryCompleteJoin(group);
  }

  /** (Re)starts the member's session timer: a heartbeat, join, sync or commit proves it alive. */
  private armSession(group: ConsumerGroup, member: GroupMember): void {
    if (member.sessionTimer) clearTimeout(member.sessionTimer);
    member.sessionTimer = setTimeout(() => {
      member.sessionTimer = null;
      if (group.members.get(member.memberId) !== member) return;
      // A member waiting in a join or sync is alive; the rebalance and sync timeouts bound those waits.
      if (member.awaitingJoin || member.awaitingSync) return this.armSession(group, member);
      this.removeMember(group, member, `member ${member.memberId} sent no heartbeat within ${member.sessionTimeoutMs} ms`);
    }, member.sessionTimeoutMs);
  }

  private expirePendingMember(group: ConsumerGroup, memberId: string): void {
    if (group.pendingMembers.delete(memberId)) this.tryCompleteJoin(group);
  }

  private failPendingSyncs(group: ConsumerGroup, errorCode: ErrorCode): void {
    for (const member of group.members.values()) {
      member.assignment = NO_BYTES;
      member.awaitingSync?.(syncError(errorCode));
      member.awaitingSync = null;
    }
  }

  // ---- ownership and cluster changes ----

  private checkGroupId(groupId: string): ErrorCode {
    // Group and member ids become metadata path segments (/consumers/{group}/ids/{member}).
    if (!isPathSegment(groupId)) return ErrorCode.INVALID_GROUP_ID;
    if (this.stopped || this.loading.isLost(groupId) || !this.cluster.isLocalCoordinator(groupId)) return ErrorCode.NOT_COORDINATOR;
    return ErrorCode.NONE;
  }

  private whenLoaded<T>(groupId: string, refuse: (code: ErrorCode) => T, serve: () => T | Promise<T>): T | Promise<T> {
    return this.loading.whenLoaded(groupId, () => this.checkGroupId(groupId), refuse, serve);
  }

  /** NONE once the group is loaded here (after its load, if it was not), else why this broker refuses it. */
  private loaded(groupId: string): ErrorCode | Promise<ErrorCode> {
    return this.whenLoaded(groupId, (code) => code, () => ErrorCode.NONE);
  }

  /** A group taken over from another coordinator: members' sessions start now, as if each had just heartbeated. */
  private resume(groupId: string, stored: StoredGroup | null): void {
    if (!stored) return;
    const group = restoreGroup(groupId, stored);
    this.groups.set(groupId, group);
    if (!group.is(GroupState.Stable)) {
      this.logger.log(`group ${group.groupId}: loaded Empty at generation ${group.generationId}`);
      return;
    }
    group.subscribedTopics = subscribedTopics(group);
    for (const member of group.members.values()) this.armSession(group, member);
    this.registry.publish(group.groupId, registryOf(group));
    this.logger.log(`group ${group.groupId}: resumed generation ${group.generationId} with ${group.members.size} member(s), leader ${group.leaderId}`);
    // A subscribed topic that grew while no coordinator watched it: the assignment misses partitions.
    for (const [topic, seen] of group.subscribedPartitionCounts) {
      const count = this.cluster.partitionCount(topic);
      if (count !== seen) {
        group.subscribedPartitionCounts.set(topic, count);
        return this.prepareRebalance(group, `topic ${topic} has ${count} partition(s), the resumed generation assigned ${seen}`);
      }
    }
  }

  /**
   * Writes the group's state. NONE once durable; NOT_COORDINATOR when another broker wrote it
   * since (this one stops acting for the group); COORDINATOR_NOT_AVAILABLE when the store failed.
   */
  private async persist(group: ConsumerGroup): Promise<ErrorCode> {
    try {
      await this.states.save(group.groupId, snapshotOf(group, Date.now()));
      return ErrorCode.NONE;
    } catch (err) {
      if (err instanceof GroupOwnershipLostError) {
        if (this.groups.get(group.groupId) === group) {
          this.logger.warn(err.message);
          this.unload(group.groupId);
          this.loading.markLost(group.groupId);
        }
        return ErrorCode.NOT_COORDINATOR;
      }
      this.logger.warn(`group ${group.groupId}: storing generation ${group.generationId} failed: ${(err as Error).message}`);
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
  }

  private onClusterChange(change: CoordinatorClusterChange): void {
    if (change.kind === 'topic-deleted') {
      void this.dropOffsetsOfDeletedTopic(change.topic);
      return;
    }
    if (change.kind === 'coordinators') {
      // The brokers changed: a group lost to another coordinator is decided afresh by the new view.
      this.loading.clearLost();
      for (const groupId of this.loading.held()) {
        if (!this.cluster.isLocalCoordinator(groupId)) {
          if (this.groups.has(groupId)) this.logger.log(`group ${groupId}: coordination moved to another broker`);
          this.unload(groupId);
        }
      }
      return;
    }
    const count = this.cluster.partitionCount(change.topic);
    for (const group of this.groups.values()) {
      const seen = group.subscribedPartitionCounts.get(change.topic);
      if (seen !== undefined && seen !== count && (group.is(GroupState.Stable) || group.is(GroupState.CompletingRebalance))) {
        group.subscribedPartitionCounts.set(change.topic, count);
        this.prepareRebalance(group, `topic ${change.topic} now has ${count} partition(s)`);
      }
    }
  }

  /** Kafka drops committed offsets with their topic; each coordinator does it for its own groups. */
  private async dropOffsetsOfDeletedTopic(topic: string): Promise<void> {
    try {
      for (const groupId of await this.offsets.storedGroups()) {
        if (this.cluster.isLocalCoordinator(groupId)) await this.offsets.deleteTopic(groupId, topic);
      }
    } catch (err) {
      this.logger.warn(`dropping committed offsets of deleted topic ${topic} failed: ${(err as Error).message}`);
    }
  }

  /** Forgets the group here: its members find the new coordinator (NOT_COORDINATOR), which resumes it from the store. */
  private unload(groupId: string): void {
    this.loading.forget(groupId);
    this.offsets.unload(groupId);
    this.registry.forget(groupId);
    const group = this.groups.get(groupId);
    if (!group) return;
    clearTimer(group, 'joinTimer');
    clearTimer(group, 'syncTimer');
    for (const timer of group.pendingMembers.values()) clearTimeout(timer);
    for (const member of group.members.values()) {
      clearTimer(member, 'sessionTimer');
      member.awaitingJoin?.(joinError(ErrorCode.NOT_COORDINATOR, member.memberId));
      member.awaitingJoin = null;
      member.awaitingSync?.(syncError(ErrorCode.NOT_COORDINATOR));
      member.awaitingSync = null;
    }
    group.state = GroupState.Dead;
    this.groups.delete(groupId);
  }

  /** What the leader is told of the members: each one's metadata for the chosen protocol. */
  private memberList(group: ConsumerGroup): JoinOutcome['members'] {
    return [...group.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadataFor(group.protocolName!) }));
  }
}

function joinError(errorCode: ErrorCode, memberId: string): JoinOutcome {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, skipAssignment: false, members: [] };
}

function syncError(errorCode: ErrorCode): SyncOutcome {
  return { errorCode, protocolType: null, protocolName: null, assignment: NO_BYTES };
}

function syncOk(group: ConsumerGroup, assignment: Buffer): SyncOutcome {
  return { errorCode: ErrorCode.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment };
}

function clearTimer<K extends string>(holder: { [key in K]: NodeJS.Timeout | null }, key: K): void {
  const timer = holder[key];
  if (timer) clearTimeout(timer);
  holder[key] = null;
}

/** A client or instance id made usable as the start of a member id (a path segment). */
function pathSafe(name: string): string {
  const safe = name.split('/').join('_').split('\u0000').join('_');
  return safe === '.' || safe === '..' ? '_' : safe;
}
