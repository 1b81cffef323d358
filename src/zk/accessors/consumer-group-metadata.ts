// /consumers/{group}/...: the classic (ZooKeeper-based) consumer group layout.
//   ids/{consumerId}       ephemeral {"version":1,"subscription":{topic:count},"pattern":"static","timestamp","client_id","host"}
//   owners/{topic}/{p}     ephemeral, the owning consumer id (a JSON string here)
//   offsets/{topic}/{p}    {"offset":N,"metadata":"...","commit_timestamp":ms}
// Classic Kafka stored a bare number at offsets/{topic}/{p}; ARCHITECTURE.md keeps the
// commit metadata too, so we store JSON. A bare number written by an old tool still reads.
import type { MetadataStore } from '../metadata-store';
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

  /** Removes the whole group (ids, owners, offsets). */
  async deleteGroup(group: string): Promise<void> {
    await deleteIfPresent(this.store, ZkPaths.consumerGroup(group));
  }
}
