// One classic consumer group: members, generation, the chosen protocol and Kafka's
// state machine. Pure state — timers, I/O and responses are GroupCoordinator's.
import { ErrorCode } from '../protocol/errors/error-codes';

export enum GroupState {
  Empty = 'Empty',
  PreparingRebalance = 'PreparingRebalance',
  CompletingRebalance = 'CompletingRebalance',
  Stable = 'Stable',
  Dead = 'Dead',
}

/** Kafka's allowed transitions, keyed by target state. */
const VALID_PREVIOUS: Record<GroupState, readonly GroupState[]> = {
  [GroupState.Empty]: [GroupState.PreparingRebalance],
  [GroupState.PreparingRebalance]: [GroupState.Stable, GroupState.CompletingRebalance, GroupState.Empty],
  [GroupState.CompletingRebalance]: [GroupState.PreparingRebalance],
  [GroupState.Stable]: [GroupState.CompletingRebalance],
  [GroupState.Dead]: [GroupState.Empty, GroupState.PreparingRebalance, GroupState.CompletingRebalance, GroupState.Stable, GroupState.Dead],
};

export interface GroupProtocol {
  readonly name: string;
  readonly metadata: Buffer;
}

export interface JoinOutcome {
  errorCode: ErrorCode;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  skipAssignment: boolean;
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

export interface SyncOutcome {
  errorCode: ErrorCode;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

const NO_BYTES = Buffer.alloc(0);

export class GroupMember {
  assignment: Buffer = NO_BYTES;
  /** Set while the member's JoinGroup waits for the rebalance to complete. */
  awaitingJoin: ((outcome: JoinOutcome) => void) | null = null;
  /** Set while the member's SyncGroup waits for the leader's assignment. */
  awaitingSync: ((outcome: SyncOutcome) => void) | null = null;
  /** Expires the member when no heartbeat (or join/sync) arrives within its session timeout. */
  sessionTimer: NodeJS.Timeout | null = null;

  constructor(
    public memberId: string,
    readonly groupInstanceId: string | null,
    public clientId: string,
    public clientHost: string,
    public sessionTimeoutMs: number,
    public rebalanceTimeoutMs: number,
    readonly protocolType: string,
    public protocols: readonly GroupProtocol[],
  ) {}

  metadataFor(protocolName: string): Buffer {
    return this.protocols.find((p) => p.name === protocolName)?.metadata ?? NO_BYTES;
  }

  /** Same protocol names, in the same order, with the same metadata. */
  hasSameProtocols(protocols: readonly GroupProtocol[]): boolean {
    return (
      protocols.length === this.protocols.length &&
      protocols.every((p, i) => p.name === this.protocols[i].name && p.metadata.equals(this.protocols[i].metadata))
    );
  }
}

export class ConsumerGroup {
  state = GroupState.Empty;
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, GroupMember>();
  /** group.instance.id -> current member id (KIP-345). */
  readonly staticMembers = new Map<string, string>();
  /** Member ids handed out with MEMBER_ID_REQUIRED that have not joined yet (KIP-394). */
  readonly pendingMembers = new Map<string, NodeJS.Timeout>();
  /** Completes the join phase: the rebalance timeout, or the initial rebalance delay. */
  joinTimer: NodeJS.Timeout | null = null;
  /** Expires members that joined but never sent SyncGroup. */
  syncTimer: NodeJS.Timeout | null = null;
  /** The first generation's join phase is held open for group.initial.rebalance.delay.ms. */
  inInitialDelay = false;
  newMemberAdded = false;
  /** Members of the current generation that have not sent SyncGroup yet. */
  pendingSync = new Set<string>();
  /** Topics the current generation subscribes to; null when unknown (not the consumer protocol, or unreadable). */
  subscribedTopics: Set<string> | null = null;
  /** DeleteGroups is removing the group: joins and commits are refused meanwhile. */
  deleting = false;
  /** Partition counts of the subscribed topics as the last assignment saw them. */
  subscribedPartitionCounts = new Map<string, number>();

  constructor(readonly groupId: string) {}

  is(state: GroupState): boolean {
    return this.state === state;
  }

  transitionTo(target: GroupState): void {
    if (!VALID_PREVIOUS[target].includes(this.state)) {
      throw new Error(`group ${this.groupId}: illegal transition ${this.state} -> ${target}`);
    }
    this.state = target;
  }

  add(member: GroupMember): void {
    if (this.members.size === 0) this.protocolType = member.protocolType;
    this.members.set(member.memberId, member);
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId);
    // The first member to join becomes leader.
    this.leaderId ??= member.memberId;
  }

  remove(memberId: string): GroupMember | undefined {
    const member = this.members.get(memberId);
    if (!member) return undefined;
    this.members.delete(memberId);
    if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === memberId) {
      this.staticMembers.delete(member.groupInstanceId);
    }
    if (this.leaderId === memberId) {
      // Prefer a member already waiting in the join phase, so the next generation's leader is present.
      const next = [...this.members.values()].find((m) => m.awaitingJoin) ?? this.members.values().next().value;
      this.leaderId = next?.memberId ?? null;
    }
    return member;
  }

  /** Gives a restarted static member's slot (assignment, leadership) to its new member id. */
  replaceStaticMember(instanceId: string, oldMemberId: string, newMemberId: string): GroupMember {
    const member = this.members.get(oldMemberId)!;
    this.members.delete(oldMemberId);
    member.memberId = newMemberId;
    this.members.set(newMemberId, member);
    this.staticMembers.set(instanceId, newMemberId);
    if (this.leaderId === oldMemberId) this.leaderId = newMemberId;
    return member;
  }

  memberByInstanceId(instanceId: string): GroupMember | undefined {
    const memberId = this.staticMembers.get(instanceId);
    return memberId === undefined ? undefined : this.members.get(memberId);
  }

  /**
   * Checks a request's (memberId, group.instance.id) pair: a static member whose id was
   * taken over by a newer instance is fenced, an unknown member is told so.
   */
  validateMember(memberId: string, instanceId: string | null): ErrorCode {
    if (instanceId !== null) {
      const current = this.staticMembers.get(instanceId);
      if (current === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (current !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
    }
    return this.members.has(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  /** A new member may join when its protocol type matches and it shares a protocol with everyone. */
  supportsProtocols(protocolType: string, protocols: readonly GroupProtocol[]): boolean {
    if (this.members.size === 0) return protocolType.length > 0 && protocols.length > 0;
    return protocolType === this.protocolType && protocols.some((p) => this.candidateProtocols().has(p.name));
  }

  /** Protocols every member (but `except`, who is about to change its own) supports. */
  candidateProtocols(except?: GroupMember): Set<string> {
    let candidates: Set<string> | undefined;
    for (const member of this.members.values()) {
      if (member === except) continue;
      const names = new Set(member.protocols.map((p) => p.name));
      candidates = candidates === undefined ? names : new Set([...candidates].filter((n: string) => names.has(n)));
    }
    return candidates ?? new Set();
  }

  /** Kafka's vote: each member picks its most preferred candidate; the most votes wins (ties: first seen). */
  selectProtocol(): string {
    const candidates = this.candidateProtocols();
    const votes = new Map<string, number>();
    for (const member of this.members.values()) {
      const choice = member.protocols.find((p) => candidates.has(p.name))!.name;
      votes.set(choice, (votes.get(choice) ?? 0) + 1);
    }
    let best = '';
    let bestVotes = 0;
    for (const [name, count] of votes) {
      if (count > bestVotes) [best, bestVotes] = [name, count];
    }
    return best;
  }

  allMembersJoined(): boolean {
    if (this.pendingMembers.size > 0) return false;
    for (const member of this.members.values()) if (!member.awaitingJoin) return false;
    return true;
  }

  /** The join phase waits as long as the slowest member's rebalance timeout (max.poll.interval.ms). */
  rebalanceTimeoutMs(): number {
    let timeout = 0;
    for (const member of this.members.values()) timeout = Math.max(timeout, member.rebalanceTimeoutMs);
    return timeout;
  }

  /** Starts the next generation after a completed join phase. */
  initNextGeneration(): void {
    this.generationId += 1;
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.transitionTo(GroupState.CompletingRebalance);
    } else {
      this.protocolName = null;
      this.transitionTo(GroupState.Empty);
    }
  }
}
