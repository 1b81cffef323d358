// /consumers/{group}/...: the classic (ZooKeeper-based) consumer group layout.
//   ids/{consumerId}       ephemeral {"version":1,"subscription":{topic:count},"pattern":"static","timestamp","client_id","host"}
//   owners/{topic}/{p}     ephemeral, the owning consumer id (a JSON string here)
//   offsets/{topic}/{p}    {"offset":N,"metadata":"...","commit_timestamp":ms}
//   generation             the coordinator's group state as of its last Stable or Empty generation
//                          (Kafka keeps it as a GroupMetadata record in __consumer_offsets):
//     {"version":1,"protocol_type","generation","protocol","leader","current_state_timestamp",
//      "subscribed_partitions":{topic:count},
//      "members":[{"member_id","group_instance_id","client_id","client_host","rebalance_timeout",
//                  "session_timeout","subscription":base64,"assignment":base64}]}
//     subscription is the member's metadata for the chosen protocol only, as in Kafka.
// Classic Kafka stored a bare number at offsets/{topic}/{p}; ARCHITECTURE.md keeps the
// commit metadata too, so we store JSON. A bare number written by an old tool still reads.
import type { JsonValue, MetadataStore } from '../metadata-store';
import { ZkPaths } from '../zk-paths';
import { childrenOrEmpty, deleteIfPresent, upsert } from './store-ops';

export interface ConsumerRegistration {
  subscription: Record<string, number>;
  clientId: string;
  host: string;
}

export interface CommittedOffset {
  offset: number;
  metadata: string;
  commitTimestamp: number;
}

export interface StoredGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  /** The member's metadata for the group's protocol. */
  subscription: Buffer;
  assignment: Buffer;
}

/** A group's persisted generation; no members means the group was Empty. */
export interface StoredGroup {
  protocolType: string | null;
  generation: number;
  protocol: string | null;
  leader: string | null;
  currentStateTimestamp: number;
  /** Partition counts of the subscribed topics as the generation's assignment saw them. */
  subscribedPartitions: Record<string, number>;
  members: StoredGroupMember[];
}

/** The generation node as read: `group` is null when its content is not a format this broker reads. */
export interface StoredGeneration {
  group: StoredGroup | null;
  raw: JsonValue;
  version: number;
}

const GENERATION_FORMAT = 1;

interface OffsetJson {
  offset: number;
  metadata: string;
  commit_timestamp: number;
}

export class ConsumerGroupMetadata {
  constructor(private readonly store: MetadataStore) {}

  /** Publishes (or refreshes) a member's registration after a rebalance; ephemeral, so it goes with this broker's session. */
  async putConsumer(group: string, consumerId: string, reg: ConsumerRegistration, now = Date.now()): Promise<void> {
    const json = { version: 1, subscription: reg.subscription, pattern: 'static', timestamp: String(now), client_id: reg.clientId, host: reg.host };
    await upsert(this.store, ZkPaths.consumerId(group, consumerId), json, { mode: 'ephemeral' });
  }

  async removeConsumer(group: string, consumerId: string): Promise<void> {
    await deleteIfPresent(this.store, ZkPaths.consumerId(group, consumerId));
  }

  async consumers(group: string): Promise<string[]> {
    return childrenOrEmpty(this.store, ZkPaths.consumerIds(group));
  }

  async consumerRegistration(group: string, consumerId: string): Promise<ConsumerRegistration | null> {
    const node = await this.store.get<{ subscription?: Record<string, number>; client_id?: string; host?: string }>(ZkPaths.consumerId(group, consumerId));
    if (!node?.value) return null;
    return { subscription: node.value.subscription ?? {}, clientId: node.value.client_id ?? '', host: node.value.host ?? '' };
  }

  /** Records the partition's owner in this generation (ephemeral). */
  async setOwner(group: string, topic: string, partition: number, consumerId: string): Promise<void> {
    await upsert(this.store, ZkPaths.owner(group, topic, partition), consumerId, { mode: 'ephemeral' });
  }

  async removeOwner(group: string, topic: string, partition: number): Promise<void> {
    await deleteIfPresent(this.store, ZkPaths.owner(group, topic, partition));
  }

  async owner(group: string, topic: string, partition: number): Promise<string | null> {
    const node = await this.store.get<string>(ZkPaths.owner(group, topic, partition));
    return node ? String(node.value) : null;
  }

  /** Every owned partition of the group, as "topic" -> partitions. */
  async ownedPartitions(group: string): Promise<Map<string, number[]>> {
    const result = new Map<string, number[]>();
    for (const topic of await childrenOrEmpty(this.store, ZkPaths.topicOwners(group))) {
      const partitions = await childrenOrEmpty(this.store, ZkPaths.owners(group, topic));
      result.set(topic, partitions.filter((n) => /^\d+$/.test(n)).map(Number));
    }
    return result;
  }

  /** Every group with a node under /consumers. */
  async groups(): Promise<string[]> {
    return childrenOrEmpty(this.store, ZkPaths.consumers);
  }

  async commitOffset(group: string, topic: string, partition: number, offset: Omit<CommittedOffset, 'commitTimestamp'>, now = Date.now()): Promise<void> {
    const json = { offset: offset.offset, metadata: offset.metadata, commit_timestamp: now };
    await upsert(this.store, ZkPaths.offset(group, topic, partition), json);
  }

  async deleteOffset(group: string, topic: string, partition: number): Promise<void> {
    await deleteIfPresent(this.store, ZkPaths.offset(group, topic, partition));
  }

  /** Every committed offset of the group for the topic (the topic was deleted). */
  async deleteTopicOffsets(group: string, topic: string): Promise<void> {
    await deleteIfPresent(this.store, ZkPaths.topicOffsets(group, topic));
  }

  async fetchOffset(group: string, topic: string, partition: number): Promise<CommittedOffset | null> {
    const node = await this.store.get<OffsetJson | number>(ZkPaths.offset(group, topic, partition));
    if (!node || node.value === null) return null;
    if (typeof node.value === 'number') return { offset: node.value, metadata: '', commitTimestamp: -1 };
    return { offset: node.value.offset, metadata: node.value.metadata ?? '', commitTimestamp: node.value.commit_timestamp ?? -1 };
  }

  /** Every committed offset of the group, as topic -> partition -> offset; read in parallel (one round trip per level). */
  async fetchAllOffsets(group: string): Promise<Map<string, Map<number, CommittedOffset>>> {
    const topics = await childrenOrEmpty(this.store, ZkPaths.offsets(group));
    const entries = await Promise.all(
      topics.map(async (topic) => {
        const partitions = (await childrenOrEmpty(this.store, ZkPaths.topicOffsets(group, topic))).filter((n) => /^\d+$/.test(n)).map(Number);
        const committed = await Promise.all(partitions.map((p) => this.fetchOffset(group, topic, p)));
        const byPartition = new Map<number, CommittedOffset>();
        partitions.forEach((p, i) => committed[i] && byPartition.set(p, committed[i]));
        return [topic, byPartition] as const;
      }),
    );
    return new Map(entries);
  }

  async readGeneration(group: string): Promise<StoredGeneration | null> {
    const node = await this.store.get(ZkPaths.groupGeneration(group));
    return node ? { group: decodeGeneration(node.value), raw: node.value, version: node.version } : null;
  }

  /**
   * Writes the generation node if its version is still `expectedVersion` (null: the node must
   * not exist yet) and resolves with the new version; BadVersionError, NoNodeError or
   * NodeExistsError when someone else changed it meanwhile.
   */
  async writeGeneration(group: string, state: StoredGroup, expectedVersion: number | null): Promise<number> {
    const path = ZkPaths.groupGeneration(group);
    if (expectedVersion !== null) return this.store.set(path, encodeGeneration(state), expectedVersion);
    await this.store.create(path, encodeGeneration(state), { createParents: true });
    return 0;
  }

  /** Rewrites the node as read, so its version moves on: whoever read it before can no longer write it. */
  async claimGeneration(group: string, read: StoredGeneration): Promise<number> {
    return this.store.set(ZkPaths.groupGeneration(group), read.raw, read.version);
  }

  /** Removes the whole group (ids, owners, offsets, generation). */
  async deleteGroup(group: string): Promise<void> {
    await deleteIfPresent(this.store, ZkPaths.consumerGroup(group));
  }
}

/** Whether the node as read holds exactly `state` (did a write whose answer was lost land?). */
export function holdsGeneration(read: StoredGeneration, state: StoredGroup): boolean {
  return JSON.stringify(read.raw) === JSON.stringify(encodeGeneration(state));
}

function encodeGeneration(g: StoredGroup): JsonValue {
  return {
    version: GENERATION_FORMAT,
    protocol_type: g.protocolType,
    generation: g.generation,
    protocol: g.protocol,
    leader: g.leader,
    current_state_timestamp: g.currentStateTimestamp,
    subscribed_partitions: g.subscribedPartitions,
    members: g.members.map((m) => ({
      member_id: m.memberId,
      group_instance_id: m.groupInstanceId,
      client_id: m.clientId,
      client_host: m.clientHost,
      rebalance_timeout: m.rebalanceTimeoutMs,
      session_timeout: m.sessionTimeoutMs,
      subscription: m.subscription.toString('base64'),
      assignment: m.assignment.toString('base64'),
    })),
  };
}

/** Null for anything but a well-formed node of a format version this broker knows. */
function decodeGeneration(value: JsonValue): StoredGroup | null {
  const json = value as Record<string, JsonValue> | null;
  if (typeof json !== 'object' || json === null || Array.isArray(json) || json.version !== GENERATION_FORMAT) return null;
  if (!Number.isInteger(json.generation) || !Array.isArray(json.members)) return null;
  const members: StoredGroupMember[] = [];
  for (const entry of json.members) {
    const m = entry as Record<string, JsonValue>;
    if (typeof m !== 'object' || m === null || typeof m.member_id !== 'string' || !Number.isInteger(m.session_timeout) || !Number.isInteger(m.rebalance_timeout)) return null;
    members.push({
      memberId: m.member_id,
      groupInstanceId: typeof m.group_instance_id === 'string' ? m.group_instance_id : null,
      clientId: typeof m.client_id === 'string' ? m.client_id : '',
      clientHost: typeof m.client_host === 'string' ? m.client_host : '',
      rebalanceTimeoutMs: m.rebalance_timeout as number,
      sessionTimeoutMs: m.session_timeout as number,
      subscription: Buffer.from(typeof m.subscription === 'string' ? m.subscription : '', 'base64'),
      assignment: Buffer.from(typeof m.assignment === 'string' ? m.assignment : '', 'base64'),
    });
  }
  const counts = json.subscribed_partitions;
  const subscribedPartitions: Record<string, number> = {};
  if (typeof counts === 'object' && counts !== null && !Array.isArray(counts)) {
    for (const [topic, count] of Object.entries(counts)) if (Number.isInteger(count)) subscribedPartitions[topic] = count as number;
  }
  const text = (v: JsonValue | undefined): string | null => (typeof v === 'string' ? v : null);
  return {
    protocolType: text(json.protocol_type),
    generation: json.generation as number,
    protocol: text(json.protocol),
    leader: text(json.leader),
    currentStateTimestamp: typeof json.current_state_timestamp === 'number' ? json.current_state_timestamp : -1,
    subscribedPartitions,
    members,
  };
}
