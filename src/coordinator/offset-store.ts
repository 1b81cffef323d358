import { Inject, Injectable } from '@nestjs/common';
import { ConsumerGroupMetadata, type CommittedOffset } from '../zk/accessors/consumer-group-metadata';
import { METADATA_STORE, type MetadataStore } from '../zk/metadata-store';

export interface OffsetCommitEntry {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly metadata: string;
}

type GroupOffsets = Map<string, Map<number, CommittedOffset>>;

/**
 * Committed offsets at /consumers/{group}/offsets/{topic}/{partition}, with a cache of
 * the groups this broker coordinates (loaded from the store on first use, so a
 * coordinator that takes a group over after a restart or failover reads what the last
 * one wrote).
 *
 * A commit resolves only once the store holds it. Writes are pipelined: every partition
 * has its own writer, all partitions write concurrently (one ZooKeeper session
 * pipelines them; the embedded store folds them into one fsync), and commits to a
 * partition that arrive while its write is in flight are folded into one next write of
 * the newest value — so per-partition order holds and no commit waits behind others.
 */
@Injectable()
export class OffsetStore {
  private readonly groups = new Map<string, Promise<GroupOffsets>>();
  private readonly writers = new Map<string, PartitionWriter>();
  private readonly metadata: ConsumerGroupMetadata;

  constructor(@Inject(METADATA_STORE) store: MetadataStore) {
    this.metadata = new ConsumerGroupMetadata(store);
  }

  /** The group's committed offsets, loading them from the store the first time. */
  offsetsOf(groupId: string): Promise<GroupOffsets> {
    let loaded = this.groups.get(groupId);
    if (!loaded) {
      loaded = this.metadata.fetchAllOffsets(groupId);
      this.groups.set(groupId, loaded);
      // A failed load is not cached: the next request tries again.
      loaded.catch(() => this.groups.get(groupId) === loaded && this.groups.delete(groupId));
    }
    return loaded;
  }

  async fetch(groupId: string, topic: string, partition: number): Promise<CommittedOffset | undefined> {
    return (await this.offsetsOf(groupId)).get(topic)?.get(partition);
  }

  /** Writes the entries; per entry, null once durable or the error that kept it from the store. */
  async commit(groupId: string, entries: readonly OffsetCommitEntry[], now = Date.now()): Promise<(Error | null)[]> {
    const offsets = await this.offsetsOf(groupId);
    return Promise.all(
      entries.map((entry) => {
        const committed: CommittedOffset = { offset: entry.offset, metadata: entry.metadata, commitTimestamp: now };
        return this.writerFor(groupId, entry.topic, entry.partition).write(committed, () => {
          let byPartition = offsets.get(entry.topic);
          if (!byPartition) offsets.set(entry.topic, (byPartition = new Map()));
          byPartition.set(entry.partition, committed);
        });
      }),
    );
  }

  async deleteOffsets(groupId: string, partitions: readonly { topic: string; partition: number }[]): Promise<void> {
    const offsets = await this.offsetsOf(groupId);
    await Promise.all(
      partitions.map(async ({ topic, partition }) => {
        await this.metadata.deleteOffset(groupId, topic, partition);
        offsets.get(topic)?.delete(partition);
      }),
    );
  }

  /** Drops the group's offsets for a deleted topic, so a topic re-created under the name starts afresh. */
  async deleteTopic(groupId: string, topic: string): Promise<void> {
    await this.metadata.deleteTopicOffsets(groupId, topic);
    (await this.offsetsOf(groupId)).delete(topic);
  }

  /** Removes everything under /consumers/{group}. */
  async deleteGroup(groupId: string): Promise<void> {
    await this.metadata.deleteGroup(groupId);
    this.unload(groupId);
  }

  /** Forgets the cached offsets (the group moved to another coordinator). */
  unload(groupId: string): void {
    this.groups.delete(groupId);
    for (const key of this.writers.keys()) if (key.startsWith(`${groupId}\u0000`)) this.writers.delete(key);
  }

  /** Groups with anything under /consumers, whichever broker coordinates them. */
  storedGroups(): Promise<string[]> {
    return this.metadata.groups();
  }

  hasOffsets(offsets: GroupOffsets): boolean {
    for (const byPartition of offsets.values()) if (byPartition.size > 0) return true;
    return false;
  }

  private writerFor(groupId: string, topic: string, partition: number): PartitionWriter {
    const key = `${groupId}\u0000${topic}\u0000${partition}`;
    let writer = this.writers.get(key);
    if (!writer) {
      writer = new PartitionWriter((value) => this.metadata.commitOffset(groupId, topic, partition, value, value.commitTimestamp));
      this.writers.set(key, writer);
    }
    return writer;
  }
}

interface Waiter {
  resolve: (error: Error | null) => void;
  applied: () => void;
}

/** One partition's commits: at most one write in flight; later commits fold into the next. */
class PartitionWriter {
  private next: { value: CommittedOffset; waiters: Waiter[] } | null = null;
  private writing = false;

  constructor(private readonly persist: (value: CommittedOffset) => Promise<void>) {}

  /** Resolves with null once `value` (or a newer one) is durable; `applied` runs for each commit once it is. */
  write(value: CommittedOffset, applied: () => void): Promise<Error | null> {
    return new Promise((resolve) => {
      if (this.next) this.next.value = value;
      else this.next = { value, waiters: [] };
      this.next.waiters.push({ resolve, applied });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.next) {
      const { value, waiters } = this.next;
      this.next = null;
      let error: Error | null = null;
      try {
        await this.persist(value);
      } catch (err) {
        error = err instanceof Error ? err : new Error(String(err));
      }
      // Cache updates run in commit order, so the last applied is the value just written.
      for (const w of waiters) {
        if (!error) w.applied();
        w.resolve(error);
      }
    }
    this.writing = false;
  }
}
