// /config/topics/{topic}: a topic's config overrides, where Kafka keeps them
// (kafka.zk.ConfigEntityZNode): {"version":1,"config":{"retention.ms":"1000"}}. Values are
// strings, as in Kafka's Properties. A topic without overrides may have no node at all.
import type { MetadataStore } from '../metadata-store';
import type { WatchedValue } from './broker-ids.accessor';
import { deleteIfPresent } from './store-ops';
import { ZkPaths } from './zk-paths';

export interface TopicConfigJson {
  version: number;
  config: Record<string, string>;
}

export class TopicConfigsAccessor {
  constructor(private readonly store: MetadataStore) {}

  async get(topic: string): Promise<Record<string, string>> {
    return decode((await this.store.get<TopicConfigJson>(ZkPaths.topicConfig(topic)))?.value);
  }

  /** Replaces the whole override set (creates the node when missing). */
  async set(topic: string, config: Readonly<Record<string, string>>): Promise<void> {
    const value = { version: 1, config: { ...config } };
    const path = ZkPaths.topicConfig(topic);
    if (await this.store.exists(path)) await this.store.set(path, value);
    else await this.store.create(path, value, { createParents: true });
  }

  async delete(topic: string): Promise<void> {
    await deleteIfPresent(this.store, ZkPaths.topicConfig(topic));
  }

  async watch(topic: string, listener: (config: Record<string, string>) => void): Promise<WatchedValue<Record<string, string>>> {
    const sub = await this.store.watchData<TopicConfigJson>(ZkPaths.topicConfig(topic), (event) => listener(decode(event.node?.value)));
    return { initial: decode(sub.initial?.value), unsubscribe: () => sub.unsubscribe() };
  }
}

function decode(json: TopicConfigJson | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(json?.config ?? {})) if (value !== null && value !== undefined) out[key] = String(value);
  return out;
}
