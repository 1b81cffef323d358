// /consumers/{group}/...: the classic (ZooKeeper-based) consumer group layout.
//   ids/{consumerId}       ephemeral {"version":1,"subscription":{topic:count},"pattern":"static","timestamp","client_id","host"}
//   owners/{topic}/{p}     ephemeral, the owning consumer id (a JSON string here)
//   offsets/{topic}/{p}    {"offset":N,"metadata":"...","commit_timestamp":ms}
// Classic Kafka stored a bare number at offsets/{topic}/{p}; ARCHITECTURE.md keeps the
// commit metadata too, so we store JSON. A bare number written by an old tool still reads.
import type { MetadataStore } from '../metadata-store';
import { BadVersionError, NodeExistsError, NoNodeError } from '../metadata-store.errors';
import { ZkPaths } from '../zk-paths';
import { childrenOrEmpty, deleteIfPresent } from './store-ops';

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

  async registerConsumer(group: string, consumerId: string, reg: ConsumerRegistration, now = Date.now()): Promise<void> {
    const json = { version: 1, subscription: reg.subscription, pattern: 'static', timestamp: String(now), client_id: reg.clientId, host: reg.host };
    await this.store.create(ZkPaths.consumerId(group, consumerId), json, { mode: 'ephemeral', createParents: true });
  }

  async deregisterConsumer(group: string, consumerId: string): Promise<void> {
    await deleteIfPresent(this.store, ZkPaths.consumerId(group, consumerId));
  }

  async consumers(group: string): Promise<string[]> {
    return childrenOrEmpty(this.store, ZkPaths.consumerIds(group));
  }

  async watchConsumers(group: string, listener: (ids: string[]) => void): Promise<{ initial: string[]; unsubscribe: () => void }> {
    const sub = await this.store.watchChildren(ZkPaths.consumerIds(group), (e) => listener(e.children ?? []));
    return { initial: sub.initial ?? [], unsubscribe: sub.unsubscribe };
  }

  /** True if the partition is now owned by consumerId (or already was); false if by another. */
  async claimPartition(group: string, topic: string, partition: number, consumerId: string): Promise<boolean> {
    try {
      await this.store.create(ZkPaths.owner(group, topic, partition), consumerId, { mode: 'ephemeral', createParents: true });
      return true;
    } catch (err) {
      if (!(err instanceof NodeExistsError)) throw err;
      return (await this.owner(group, topic, partition)) === consumerId;
    }
  }

  async releasePartition(group: string, topic: string, partition: number, consumerId: string): Promise<void> {
    const node = await this.store.get<string>(ZkPaths.owner(group, topic, partition));
    if (node?.value !== consumerId) return;
    await this.store.delete(ZkPaths.owner(group, topic, partition), node.version).catch((err) => {
      // Gone or re-claimed meanwhile: either way it is no longer ours to release.
      if (!(err instanceof BadVersionError) && !(err instanceof NoNodeError)) throw err;
    });
  }

  async owner(group: string, topic: string, partition: number): Promise<string | null> {
    const node = await this.store.get<string>(ZkPaths.owner(group, topic, partition));
    return node ? String(node.value) : null;
  }

  async commitOffset(group: string, topic: string, partition: number, offset: Omit<CommittedOffset, 'commitTimestamp'>, now = Date.now()): Promise<void> {
    const path = ZkPaths.offset(group, topic, partition);
    const json = { offset: offset.offset, metadata: offset.metadata, commit_timestamp: now };
    try {
      await this.store.set(path, json);
    } catch (err) {
      if (!(err instanceof NoNodeError)) throw err;
      try {
        await this.store.create(path, json, { createParents: true });
      } catch (createErr) {
        // A concurrent first commit won the create; last writer wins, as with set().
        if (!(createErr instanceof NodeExistsError)) throw createErr;
        await this.store.set(path, json);
      }
    }
  }

  async fetchOffset(group: string, topic: string, partition: number): Promise<CommittedOffset | null> {
    const node = await this.store.get<OffsetJson | number>(ZkPaths.offset(group, topic, partition));
    if (!node || node.value === null) return null;
    if (typeof node.value === 'number') return { offset: node.value, metadata: '', commitTimestamp: -1 };
    return { offset: node.value.offset, metadata: node.value.metadata ?? '', commitTimestamp: node.value.commit_timestamp ?? -1 };
  }

  /** Every committed offset of the group, as topic -> partition -> offset. */
  async fetchAllOffsets(group: string): Promise<Map<string, Map<number, CommittedOffset>>> {
    const result = new Map<string, Map<number, CommittedOffset>>();
    const topics = await childrenOrEmpty(this.store, ZkPaths.offsets(group));
    for (const topic of topics) {
      const partitions = await childrenOrEmpty(this.store, ZkPaths.topicOffsets(group, topic));
      const byPartition = new Map<number, CommittedOffset>();
      for (const p of partitions.filter((n) => /^\d+$/.test(n)).map(Number)) {
        const committed = await this.fetchOffset(group, topic, p);
        if (committed) byPartition.set(p, committed);
      }
      result.set(topic, byPartition);
    }
    return result;
  }

  /** Removes the whole group (ids, owners, offsets). */
  async deleteGroup(group: string): Promise<void> {
    await deleteIfPresent(this.store, ZkPaths.consumerGroup(group));
  }
}
