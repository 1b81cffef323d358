// Typed accessors over the metadata store, one per area of Kafka's ZooKeeper tree; the only
// code that calls the store for broker metadata.
export * from './zk-paths';
export * from './store-ops';
export * from './broker-ids.accessor';
export * from './topic-assignment.accessor';
export * from './partition-state.accessor';
export * from './topic-config.accessor';
export * from './controller.accessor';
export * from './cluster-id.accessor';
export * from './producer-id-block.accessor';
export * from './consumer-group-metadata';
