// Paths are built in one place, src/zk/zk-paths.ts; re-exported here for the accessors.
export { PERSISTENT_PATHS, ZkPaths } from '../zk-paths';
