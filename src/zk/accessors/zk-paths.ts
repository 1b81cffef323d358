// Every metadata-store path the broker uses, built here and nowhere else: Kafka's classic
// ZooKeeper layout (kafka.zk.ZkData), so Kafka's own tools read our tree and the cluster
// issue swaps only the store underneath.
//
// Topic configs live where Kafka keeps them, /config/topics/{topic} ({"version":1,"config":{...}}),
// not inside /brokers/topics/{topic}: the assignment node is rewritten by partition changes
// and the config node by config changes, and each has its own watch, as in Kafka.

export const ZkPaths = {
  brokers: '/brokers',
  brokerIds: '/brokers/ids',
  broker: (id: number): string => `/brokers/ids/${id}`,
  topics: '/brokers/topics',
  topic: (topic: string): string => `/brokers/topics/${topic}`,
  partitions: (topic: string): string => `/brokers/topics/${topic}/partitions`,
  partitionState: (topic: string, partition: number): string => `/brokers/topics/${topic}/partitions/${partition}/state`,
  controller: '/controller',
  controllerEpoch: '/controller_epoch',
  clusterId: '/cluster/id',
  topicConfigs: '/config/topics',
  topicConfig: (topic: string): string => `/config/topics/${topic}`,
  deleteTopics: '/admin/delete_topics',
  deleteTopic: (topic: string): string => `/admin/delete_topics/${topic}`,
  producerIdBlock: '/latest_producer_id_block',
} as const;

/** Kafka's persistent paths, created at startup by whichever broker comes first. */
export const PERSISTENT_PATHS: readonly string[] = [ZkPaths.brokerIds, ZkPaths.topics, ZkPaths.topicConfigs, ZkPaths.deleteTopics];
