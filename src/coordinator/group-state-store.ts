import { Inject, Injectable } from '@nestjs/common';
import {
  ConsumerGroupMetadata,
  holdsGeneration,
  type StoredGeneration,
  type StoredGroup,
} from '../zk/accessors/consumer-group-metadata';
import { METADATA_STORE, type MetadataStore } from '../zk/metadata-store';
import { BadVersionError, NodeExistsError, NoNodeError } from '../zk/metadata-store.errors';
import { ConsumerGroup, GroupMember, GroupState } from './consumer-group';

/** Another broker wrote the group's generation node since this one last read or wrote it: it coordinates the group now. */
export class GroupOwnershipLostError extends Error {
  constructor(readonly groupId: string) {
    super(`group ${groupId}: another coordinator wrote its generation; this broker no longer coordinates it`);
  }
}

export interface LoadedGroup {
  /** Null when there is nothing to resume: no node, or one in a format this broker cannot read. */
  readonly stored: StoredGroup | null;
  /** The node's version after the claim; null when there is no node. */
  readonly version: number | null;
}

/** What this broker knows of a group's node while it coordinates the group. */
interface Holding {
  version: number | null;
  /** A write whose answer was lost (connection loss, timeout): it may or may not have landed. */
  unconfirmed: StoredGroup | null;
}

/** Reads that found the node changed between the read and the claim, before giving up on a load. */
const CLAIM_ATTEMPTS = 3;

/**
 * A group's membership at /consumers/{group}/generation, so the broker that takes a group
 * over resumes it — same generation, members and assignments — instead of sending every
 * member back to JoinGroup. Kafka keeps the same facts as a GroupMetadata record in
 * __consumer_offsets, written when a generation becomes Stable and when the group goes
 * Empty, and loaded by the partition's new leader.
 *
 * Kafka fences a deposed coordinator by the partition's leader epoch; here every write is
 * a compare-and-set on the node's version. Loading claims the node (rewrites it as read),
 * so the moment a broker takes a group over, writes by the one it took it from fail. A
 * failed compare-and-set is GroupOwnershipLostError: the caller must stop acting for the
 * group. Writes of one group run one at a time, each expecting the version the previous
 * one left.
 */
@Injectable()
export class GroupStateStore {
  private readonly metadata: ConsumerGroupMetadata;
  private readonly held = new Map<string, Holding>();
  private readonly writes = new Map<string, Promise<void>>();

  constructor(@Inject(METADATA_STORE) store: MetadataStore) {
    this.metadata = new ConsumerGroupMetadata(store);
  }

  /** Reads and claims the group's node. Store errors reject; the caller holds the result with hold(). */
  async load(groupId: string): Promise<LoadedGroup> {
    for (let attempt = 1; ; attempt++) {
      const read = await this.metadata.readGeneration(groupId);
      if (!read) return { stored: null, version: null };
      try {
        return { stored: read.group, version: await this.metadata.claimGeneration(groupId, read) };
      } catch (err) {
        if (!isConflict(err) || attempt >= CLAIM_ATTEMPTS) throw err;
      }
    }
  }

  /** This broker coordinates the group from now on, from the node version its load left. */
  hold(groupId: string, version: number | null): void {
    this.held.set(groupId, { version, unconfirmed: null });
  }

  /** The group left this broker: later writes for it are refused. */
  release(groupId: string): void {
    this.held.delete(groupId);
  }

  /** Writes the group's state after the previous write of the group finished; GroupOwnershipLostError when fenced. */
  save(groupId: string, state: StoredGroup): Promise<void> {
    const previous = this.writes.get(groupId) ?? Promise.resolve();
    const write = previous.catch(() => undefined).then(() => this.write(groupId, state));
    this.writes.set(groupId, write);
    const forget = (): void => void (this.writes.get(groupId) === write && this.writes.delete(groupId));
    write.then(forget, forget);
    return write;
  }

  /** Resolves once the group's writes so far have finished, whatever their outcome. */
  async settled(groupId: string): Promise<void> {
    await this.writes.get(groupId)?.catch(() => undefined);
  }

  private async write(groupId: string, state: StoredGroup): Promise<void> {
    const holding = this.held.get(groupId);
    if (!holding) throw new GroupOwnershipLostError(groupId);
    if (holding.unconfirmed) await this.confirm(groupId, holding);
    try {
      const version = await this.metadata.writeGeneration(groupId, state, holding.version);
      holding.version = version;
    } catch (err) {
      if (isConflict(err)) throw this.lost(groupId, holding);
      holding.unconfirmed = state;
      throw err;
    }
  }

  /** Finds out whether the write whose answer was lost landed, adopting its version if so. */
  private async confirm(groupId: string, holding: Holding): Promise<void> {
    const read: StoredGeneration | null = await this.metadata.readGeneration(groupId);
    const unchanged = read === null ? holding.version === null : read.version === holding.version;
    const landed = read !== null && read.version === (holding.version === null ? 0 : holding.version + 1) && holdsGeneration(read, holding.unconfirmed!);
    if (!unchanged && !landed) throw this.lost(groupId, holding);
    if (landed) holding.version = read.version;
    holding.unconfirmed = null;
  }

  private lost(groupId: string, holding: Holding): GroupOwnershipLostError {
    if (this.held.get(groupId) === holding) this.held.delete(groupId);
    return new GroupOwnershipLostError(groupId);
  }
}

function isConflict(err: unknown): boolean {
  return err instanceof BadVersionError || err instanceof NoNodeError || err instanceof NodeExistsError;
}

/** The group as persisted: its generation, protocol, leader and members with their assignments. */
export function snapshotOf(group: ConsumerGroup, now: number): StoredGroup {
  return {
    protocolType: group.protocolType,
    generation: group.generationId,
    protocol: group.protocolName,
    leader: group.leaderId,
    currentStateTimestamp: now,
    subscribedPartitions: Object.fromEntries(group.subscribedPartitionCounts),
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      sessionTimeoutMs: m.sessionTimeoutMs,
      subscription: group.protocolName === null ? Buffer.alloc(0) : m.metadataFor(group.protocolName),
      assignment: m.assignment,
    })),
  };
}

/**
 * The group as a new coordinator resumes it: Stable with its members, or Empty keeping its
 * generation (Kafka's loadGroup). Members know only the chosen protocol's metadata, so a
 * member that rejoins with its full list is a changed member and the group rebalances.
 */
export function restoreGroup(groupId: string, stored: StoredGroup): ConsumerGroup {
  const group = new ConsumerGroup(groupId);
  group.generationId = stored.generation;
  group.protocolType = stored.protocolType;
  const protocolName = stored.protocol;
  if (stored.members.length === 0 || protocolName === null || stored.protocolType === null) return group;
  for (const m of stored.members) {
    const member = new GroupMember(m.memberId, m.groupInstanceId, m.clientId, m.clientHost, m.sessionTimeoutMs, m.rebalanceTimeoutMs, stored.protocolType, [
      { name: protocolName, metadata: m.subscription },
    ]);
    member.assignment = m.assignment;
    group.add(member);
  }
  group.protocolName = protocolName;
  if (stored.leader !== null && group.members.has(stored.leader)) group.leaderId = stored.leader;
  group.subscribedPartitionCounts = new Map(Object.entries(stored.subscribedPartitions));
  // Loading is not a transition of Kafka's state machine: the group resumes where it was.
  group.state = GroupState.Stable;
  return group;
}
