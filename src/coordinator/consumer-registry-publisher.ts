import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConsumerGroupMetadata, type ConsumerRegistration } from '../zk/accessors/consumer-group-metadata';
import { METADATA_STORE, type MetadataStore } from '../zk/metadata-store';

/** A group's membership after a completed rebalance, as /consumers/{group} shows it. */
export interface GroupRegistry {
  readonly members: ReadonlyMap<string, ConsumerRegistration>;
  /** "topic" -> partition -> owning member id. */
  readonly owners: ReadonlyMap<string, ReadonlyMap<number, string>>;
}

export const EMPTY_REGISTRY: GroupRegistry = { members: new Map(), owners: new Map() };

/**
 * Mirrors each group's generation into the seed's layout: /consumers/{group}/ids/{member}
 * (subscription, client id, host) and /consumers/{group}/owners/{topic}/{p} (the owner).
 * Both are ephemeral on this broker's session, like the classic consumers' own nodes.
 *
 * Publishing never holds up a rebalance: writes run in the background, one group at a
 * time in order, and a generation published while the previous one is still being
 * written replaces it (only the newest state is worth writing). Only the difference to
 * what the store holds is written.
 */
@Injectable()
export class ConsumerRegistryPublisher {
  private readonly logger = new Logger('ConsumerRegistry');
  private readonly metadata: ConsumerGroupMetadata;
  /** What the store holds per group, once read or written by us. */
  private readonly published = new Map<string, GroupRegistry>();
  private readonly queued = new Map<string, GroupRegistry>();
  private readonly running = new Map<string, Promise<void>>();

  constructor(@Inject(METADATA_STORE) store: MetadataStore) {
    this.metadata = new ConsumerGroupMetadata(store);
  }

  publish(groupId: string, registry: GroupRegistry): void {
    this.queued.set(groupId, registry);
    if (!this.running.has(groupId)) {
      const run = this.drain(groupId).finally(() => this.running.delete(groupId));
      this.running.set(groupId, run);
    }
  }

  /** Resolves when everything published so far for the group is written (tests, shutdown). */
  async settled(groupId?: string): Promise<void> {
    const runs = groupId === undefined ? [...this.running.values()] : [this.running.get(groupId)].filter((r) => r !== undefined);
    await Promise.all(runs);
  }

  /** Forgets what was published (the group moved away or was deleted). */
  forget(groupId: string): void {
    this.published.delete(groupId);
  }

  private async drain(groupId: string): Promise<void> {
    for (let next = this.queued.get(groupId); next; next = this.queued.get(groupId)) {
      this.queued.delete(groupId);
      try {
        const current = this.published.get(groupId) ?? (await this.read(groupId));
        await this.write(groupId, current, next);
        this.published.set(groupId, next);
      } catch (err) {
        // The store is unreachable or the session expired: read it afresh next time.
        this.published.delete(groupId);
        this.logger.warn(`publishing group ${groupId} to the metadata store failed: ${(err as Error).message}`);
      }
    }
  }

  private async read(groupId: string): Promise<GroupRegistry> {
    const ids = await this.metadata.consumers(groupId);
    const regs = await Promise.all(ids.map((id) => this.metadata.consumerRegistration(groupId, id)));
    const members = new Map(ids.map((id, i) => [id, regs[i] ?? { subscription: {}, clientId: '', host: '' }] as const));
    const owners = new Map<string, Map<number, string>>();
    for (const [topic, partitions] of await this.metadata.ownedPartitions(groupId)) {
      const owned = await Promise.all(partitions.map((p) => this.metadata.owner(groupId, topic, p)));
      owners.set(topic, new Map(partitions.map((p, i) => [p, owned[i] ?? ''] as const)));
    }
    return { members, owners };
  }

  private async write(groupId: string, from: GroupRegistry, to: GroupRegistry): Promise<void> {
    const writes: Promise<void>[] = [];
    for (const [topic, partitions] of from.owners) {
      for (const partition of partitions.keys()) {
        if (!to.owners.get(topic)?.has(partition)) writes.push(this.metadata.removeOwner(groupId, topic, partition));
      }
    }
    for (const memberId of from.members.keys()) {
      if (!to.members.has(memberId)) writes.push(this.metadata.removeConsumer(groupId, memberId));
    }
    for (const [memberId, reg] of to.members) {
      if (!sameRegistration(from.members.get(memberId), reg)) writes.push(this.metadata.putConsumer(groupId, memberId, reg));
    }
    for (const [topic, partitions] of to.owners) {
      for (const [partition, owner] of partitions) {
        if (from.owners.get(topic)?.get(partition) !== owner) writes.push(this.metadata.setOwner(groupId, topic, partition, owner));
      }
    }
    await Promise.all(writes);
  }
}

function sameRegistration(a: ConsumerRegistration | undefined, b: ConsumerRegistration): boolean {
  return a !== undefined && a.clientId === b.clientId && a.host === b.host && JSON.stringify(a.subscription) === JSON.stringify(b.subscription);
}
