// Every metadata path, in Kafka's classic ZooKeeper layout (ARCHITECTURE.md). Built here
// only; call sites never concatenate path strings. Names are checked against what ZooKeeper
// and Kafka allow so a stray '/' in a topic or group cannot address another node.
import { BadArgumentsError } from './metadata-store.errors';

function segment(kind: string, name: string): string {
  if (typeof name !== 'string' || name.length === 0 || name.includes('/') || name === '.' || name === '..' || name.includes('\u0000')) {
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
  consumers: '/consumers',
  consumerGroup: (group: string) => `/consumers/${segment('group', group)}`,
  consumerIds: (group: string) => `/consumers/${segment('group', group)}/ids`,
  consumerId: (group: string, consumerId: string) => `/consumers/${segment('group', group)}/ids/${segment('consumer id', consumerId)}`,
  owners: (group: string, topic: string) => `/consumers/${segment('group', group)}/owners/${segment('topic', topic)}`,
  owner: (group: string, topic: string, partition: number) =>
    `/consumers/${segment('group', group)}/owners/${segment('topic', topic)}/${id('partition', partition)}`,
  offsets: (group: string) => `/consumers/${segment('group', group)}/offsets`,
  topicOffsets: (group: string, topic: string) => `/consumers/${segment('group', group)}/offsets/${segment('topic', topic)}`,
  offset: (group: string, topic: string, partition: number) =>
    `/consumers/${segment('group', group)}/offsets/${segment('topic', topic)}/${id('partition', partition)}`,
} as const;
