// A single broker's metadata side, built by hand over an embedded store in a temp dir: the
// store, MetadataCache, controller, this broker's registration, TopicAdmin and ConfigAdmin,
// started in the order BrokerRegistration uses. close() stops them all and the store, so a
// second node on the same dir is a restart.
import { Logger } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerConfig } from '../../config/broker.config';
import type { ListenerAddress } from '../../config/listener-address';
import { BrokerIdsAccessor } from '../../zk/accessors';
import { EmbeddedMetadataStore } from '../../zk/embedded-metadata-store';
import type { MetadataStore, MetadataStoreLogger } from '../../zk/metadata-store';
import { KafkaController } from '../controller/kafka-controller.service';
import { ConfigAdmin } from '../topics/config-admin.service';
import { TopicAdmin } from '../topics/topic-admin.service';
import { MetadataCache } from './metadata-cache.service';

export const quietStoreLogger: MetadataStoreLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

export function brokerConfig(overrides: Partial<BrokerConfig> = {}): BrokerConfig {
  const config = Object.assign(new BrokerConfig(), overrides);
  config.applyDerivedDefaults();
  return config;
}

export interface MetadataNode {
  readonly config: BrokerConfig;
  readonly store: MetadataStore;
  readonly cache: MetadataCache;
  readonly controller: KafkaController;
  readonly topicAdmin: TopicAdmin;
  readonly configAdmin: ConfigAdmin;
  readonly advertised: ListenerAddress[];
  close(): Promise<void>;
}

export interface MetadataNodeOptions {
  config?: Partial<BrokerConfig>;
  /** false: no controller runs (nothing turns assignments into partition states). */
  controller?: boolean;
  /** false: the broker does not register at /brokers/ids. */
  register?: boolean;
  /** Another store (a ZooKeeper session) instead of an embedded store in dataDir. */
  store?: MetadataStore;
}

export async function startMetadataNode(dataDir: string, options: MetadataNodeOptions = {}): Promise<MetadataNode> {
  const config = brokerConfig({ logDirs: [dataDir], ...options.config });
  const store = options.store ?? (await EmbeddedMetadataStore.open({ dataDir, logger: quietStoreLogger }));
  const cache = new MetadataCache(config, store);
  const controller = new KafkaController(config, store);
  const advertised: ListenerAddress[] = [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9092 + config.brokerId }];
  await cache.start();
  if (options.register !== false) {
    await new BrokerIdsAccessor(store).register(config.brokerId, advertised, null);
    await cache.waitFor(() => cache.broker(config.brokerId) !== undefined, 5_000);
  }
  if (options.controller !== false) await controller.startup();
  const topicAdmin = new TopicAdmin(config, store, cache);
  const configAdmin = new ConfigAdmin(config, store, cache);
  return {
    config,
    store,
    cache,
    controller,
    topicAdmin,
    configAdmin,
    advertised,
    close: async () => {
      await controller.beforeApplicationShutdown();
      cache.close();
      await store.close();
    },
  };
}

/** A temp dir per test, removed afterwards, with the node(s) started in it closed first. */
export function useMetadataDir(): { dir(): string; track(node: MetadataNode): MetadataNode } {
  let current: string | undefined;
  const nodes: MetadataNode[] = [];
  // The controller logs its elections through Nest's Logger; keep test output to failures.
  beforeAll(() => Logger.overrideLogger([]));
  beforeEach(() => {
    current = mkdtempSync(join(tmpdir(), 'kafkanest-metadata-'));
  });
  afterEach(async () => {
    for (const node of nodes.splice(0)) await node.close().catch(() => undefined);
    if (current) rmSync(current, { recursive: true, force: true });
    current = undefined;
  });
  return {
    dir: () => current!,
    track: (node) => {
      nodes.push(node);
      return node;
    },
  };
}

export function newTopic(name: string, numPartitions = 1, replicationFactor = -1, configs: Record<string, string | null> = {}) {
  return { name, numPartitions, replicationFactor, assignments: [], configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })) };
}
