// /cluster/id: the cluster's id, created once by the first broker and then only read,
// Kafka's shape (kafka.zk.ClusterIdZNode): {"version":"1","id":"<base64url uuid>"}.
import type { MetadataStore } from '../metadata-store';
import { createIfAbsent } from './store-ops';
import { ZkPaths } from './zk-paths';

export interface ClusterIdJson {
  version: string;
  id: string;
}

export class ClusterIdAccessor {
  constructor(private readonly store: MetadataStore) {}

  /** The stored id, or `candidate` stored now when there is none (the first broker wins a race). */
  async getOrCreate(candidate: string): Promise<string> {
    const existing = await this.store.get<ClusterIdJson>(ZkPaths.clusterId);
    if (existing?.value?.id) return existing.value.id;
    await createIfAbsent(this.store, ZkPaths.clusterId, { version: '1', id: candidate });
    return (await this.store.get<ClusterIdJson>(ZkPaths.clusterId))?.value?.id ?? candidate;
  }
}
