// Public surface of the metadata layer. Outside src/zk, use the accessors (and the store
// only through ZkModule's METADATA_STORE when an accessor is missing a call).
export * from './metadata-store';
export * from './metadata-store.errors';
export { PERSISTENT_PATHS, ZkPaths } from './zk-paths';
export { ZkModule, ZK_MODULE_OPTIONS, type ZkModuleAsyncOptions } from './zk.module';
export { createMetadataStore, isEmbedded, type ZkModuleOptions } from './metadata-store.factory';
export { EmbeddedMetadataStore, EMBEDDED_METADATA_FILE } from './embedded-metadata-store';
export { ZooKeeperMetadataStore } from './zookeeper-metadata-store';
export * from './accessors';
