// Picks and opens the MetadataStore implementation from plain options (no Nest here, so it
// can be used and tested outside a Nest container).
import { EmbeddedMetadataStore } from './embedded-metadata-store';
import type { MetadataStore, MetadataStoreLogger } from './metadata-store';
import { BadArgumentsError } from './metadata-store.errors';
import { ZooKeeperMetadataStore } from './zookeeper-metadata-store';

export interface ZkModuleOptions {
  /** zookeeper.connect: host:port[,host:port...][/chroot], or '' / 'embedded'. */
  connect?: string;
  /** zookeeper.session.timeout.ms (Kafka's default 18000). */
  sessionTimeoutMs?: number;
  /** zookeeper.connection.timeout.ms (defaults to the session timeout, as in Kafka). */
  connectionTimeoutMs?: number;
  /** Directory for the embedded store's file: the first of log.dirs. Required when embedded. */
  dataDir?: string;
}

export function isEmbedded(connect: string | undefined): boolean {
  const c = (connect ?? '').trim();
  return c === '' || c.toLowerCase() === 'embedded';
}

export async function createMetadataStore(options: ZkModuleOptions, makeLogger?: (context: string) => MetadataStoreLogger): Promise<MetadataStore> {
  if (isEmbedded(options.connect)) {
    if (!options.dataDir) {
      throw new BadArgumentsError('the embedded metadata store needs a data dir (the first of log.dirs) when zookeeper.connect is empty or "embedded"');
    }
    return EmbeddedMetadataStore.open({ dataDir: options.dataDir, logger: makeLogger?.(EmbeddedMetadataStore.name) });
  }
  return ZooKeeperMetadataStore.connect({
    connect: options.connect!.trim(),
    sessionTimeoutMs: options.sessionTimeoutMs,
    connectionTimeoutMs: options.connectionTimeoutMs,
    logger: makeLogger?.(ZooKeeperMetadataStore.name),
  });
}
