/** Kafka API keys (the int16 at the start of every request header). */
export enum ApiKey {
  Produce = 0,
  Fetch = 1,
  ListOffsets = 2,
  Metadata = 3,
  // 4-6 are ZooKeeper-mode controller-to-broker APIs (LeaderAndIsr, StopReplica, UpdateMetadata):
  // our brokers follow the partition state nodes instead.
  ControlledShutdown = 7,
  OffsetCommit = 8,
  OffsetFetch = 9,
  FindCoordinator = 10,
  JoinGroup = 11,
  Heartbeat = 12,
  LeaveGroup = 13,
  SyncGroup = 14,
  DescribeGroups = 15,
  ListGroups = 16,
  SaslHandshake = 17,
  ApiVersions = 18,
  CreateTopics = 19,
  DeleteTopics = 20,
  DeleteRecords = 21,
  InitProducerId = 22,
  OffsetForLeaderEpoch = 23,
  // 24-28 are the transaction APIs (AddPartitionsToTxn .. TxnOffsetCommit): room left for them.
  // 29-31 are the ACL APIs (DescribeAcls, CreateAcls, DeleteAcls): room left for them.
  DescribeConfigs = 32,
  AlterConfigs = 33,
  DescribeLogDirs = 35,
  SaslAuthenticate = 36,
  CreatePartitions = 37,
  DeleteGroups = 42,
  IncrementalAlterConfigs = 44,
  OffsetDelete = 47,
  DescribeCluster = 60,
  DescribeProducers = 61,
}
