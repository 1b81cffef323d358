// Every metadata path, in Kafka's classic ZooKeeper layout (ARCHITECTURE.md, kafka.zk.ZkData),
// so Kafka's own tools read our tree. Built here only; call sites never concatenate path
// strings. Names are checked so a stray '/' in a topic or group cannot address another node.
//
// Topic configs live where Kafka keeps them, /config/topics/{topic} ({"version":1,"config":{...}}),
// not inside /brokers/topics/{topic}: the assignment node is rewritten by partition changes
// and the config node by config changes, and each has its own watch, as in Kafka.
import { BadArgumentsError } from './metadata-store.errors';

/** Whether `name` can be one segment of a metadata path (a topic, group or member id). */
export function isPathSegment(name: string): boolean {
  return typeof name === 'string' && name.length > 0 && !name.includes('/') && name !== '.' && name !== '..' && !name.includes('\u0000');
}

function segment(kind: string, name: string): string {
  if (!isPathSegment(name)) {
    throw new BadArgumentsError(`invalid ${kind} name for a metadata path: ${JSON.stringify(name)}`);
  }
  return name;
}

function id(kind: string, value: number): string {
  if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff) {
    throw new BadArgumentsError(`invalid ${kind} for a metadata path: ${value}`);
  }
  return String(value);
}

export const ZkPaths = {
  brokers: '/brokers',
  brokerIds: '/brokers/ids',
  broker: (brokerId: number) => `/brokers/ids/${id('broker id', brokerId)}`,
  topics: '/brokers/topics',
  topic: (topic: string) => `/brokers/topics/${segment('topic', topic)}`,
  partitions: (topic: string) => `/brokers/topics/${segment('topic', topic)}/partitions`,
  partition: (topic: string, partition: number) => `/brokers/topics/${segment('topic', topic)}/partitions/${id('partition', partition)}`,
  partitionState: (topic: string, partition: number) =>
    `/brokers/topics/${segment('topic', topic)}/partitions/${id('partition', partition)}/state`,
  controller: '/controller',
  controllerEpoch: '/controller_epoch',
  clusterId: '/cluster/id',
  topicConfigs: '/config/topics',
  topicConfig: (topic: string) => `/config/topics/${segment('topic', topic)}`,
  deleteTopics: '/admin/delete_topics',
  deleteTopic: (topic: string) => `/admin/delete_topics/${segment('topic', topic)}`,
  producerIdBlock: '/latest_producer_id_block',
  consumers: '/consumers',
  consumerGroup: (group: string) => `/consumers/${segment('group', group)}`,
  consumerIds: (group: string) => `/consumers/${segment('group', group)}/ids`,
  consumerId: (group: string, consumerId: string) => `/consumers/${segment('group', group)}/ids/${segment('consumer id', consumerId)}`,
  topicOwners: (group: string) => `/consumers/${segment('group', group)}/owners`,
  owners: (group: string, topic: string) => `/consumers/${segment('group', group)}/owners/${segment('topic', topic)}`,
  owner: (group: string, topic: string, partition: number) =>
    `/consumers/${segment('group', group)}/owners/${segment('topic', topic)}/${id('partition', partition)}`,
  groupGeneration: (group: string) => `/consumers/${segment('group', group)}/generation`,
  offsets: (group: string) => `/consumers/${segment('group', group)}/offsets`,
  topicOffsets: (group: string, topic: string) => `/consumers/${segment('group', group)}/offsets/${segment('topic', topic)}`,
  offset: (group: string, topic: string, partition: number) =>
    `/consumers/${segment('group', group)}/offsets/${segment('topic', topic)}/${id('partition', partition)}`,
} as const;

/** Kafka's persistent paths, created at startup by whichever broker comes first. */
export const PERSISTENT_PATHS: readonly string[] = [ZkPaths.brokerIds, ZkPaths.topics, ZkPaths.topicConfigs, ZkPaths.deleteTopics];
