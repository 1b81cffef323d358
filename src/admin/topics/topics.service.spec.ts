import type { OffsetSpec, ReplicaLogDirInfo, TopicDescription, TopicPartitionRef } from '../../client/admin/admin-types';
import type { KafkaAdmin } from '../../client/admin/kafka-admin';
import { KafkaClientError } from '../../client/errors';
import { ErrorCode } from '../../protocol/errors/error-codes';
import type { AdminKafkaClients } from '../kafka/admin-kafka-clients';
import { TopicsService } from './topics.service';

const partition = (index: number, leader: number, replicas: number[], isr: number[], offlineReplicas: number[] = []) => ({
  topic: 'orders',
  partition: index,
  leader,
  leaderEpoch: 3,
  replicas,
  isr,
  offlineReplicas,
  errorCode: 0,
});

/** Partition 0 led by broker 1 with a follower on 2 (behind: its log ends before the leader's); partition 1 offline with its only replica. */
const ORDERS: TopicDescription = {
  name: 'orders',
  topicId: 'aaaaaaaaaaaaaaaaaaaaaa',
  isInternal: false,
  partitions: [partition(0, 1, [1, 2], [1]), partition(1, -1, [2], [], [2])],
};

function service() {
  const askedLogDirs: number[] = [];
  const offsetSpecs: OffsetSpec[] = [];
  const admin = {
    describeTopics: async () => [ORDERS],
    describeTopicConfigs: async () => [{ name: 'retention.ms', value: '1000', isDefault: false, isSensitive: false, readOnly: false }],
    listOffsets: async (refs: TopicPartitionRef[], spec: OffsetSpec) => {
      offsetSpecs.push(spec);
      const offset = spec === 'earliest' ? 2 : spec === 'latest' ? 5 : spec === 'logEnd' ? 7 : -1;
      return refs.map((r) => ({ ...r, offset, timestamp: -1, leaderEpoch: 3 }));
    },
    describeLogDirs: async ([id]: number[]): Promise<ReplicaLogDirInfo[]> => {
      askedLogDirs.push(id);
      if (id === 2) throw new KafkaClientError(ErrorCode.REQUEST_TIMED_OUT, 'broker 2 did not answer');
      return [
        { topic: 'orders', partition: 0, brokerId: 1, logDir: '/data/b1', sizeBytes: 4096, offsetLag: 0 },
        { topic: 'other', partition: 0, brokerId: 1, logDir: '/data/b1', sizeBytes: 9, offsetLag: 0 },
      ];
    },
  };
  const clients = { admin: async () => admin as unknown as KafkaAdmin } as unknown as AdminKafkaClients;
  return { topics: new TopicsService(clients), askedLogDirs, offsetSpecs };
}

describe('TopicsService.describe', () => {
  it("takes the log start, high watermark and log end through KafkaAdmin.listOffsets, and sizes from each replica's broker", async () => {
    const { topics, offsetSpecs } = service();
    const details = await topics.describe('orders');
    expect(details.partitions[0]).toEqual({
      partition: 0,
      leader: 1,
      leaderEpoch: 3,
      replicas: [1, 2],
      isr: [1],
      offlineReplicas: [],
      logStartOffset: 2,
      highWatermark: 5,
      logEndOffset: 7,
      sizeBytes: 4096,
      replicaLogs: [{ brokerId: 1, logDir: '/data/b1', sizeBytes: 4096 }],
    });
    expect(offsetSpecs.sort()).toEqual(['earliest', 'latest', 'logEnd']);
    expect(details.configs).toHaveLength(1);
  });

  it('still describes a leaderless partition, and a broker that does not answer only loses its own sizes', async () => {
    const { topics, askedLogDirs } = service();
    const details = await topics.describe('orders');
    expect(details.partitions[1]).toEqual({
      partition: 1,
      leader: -1,
      leaderEpoch: 3,
      replicas: [2],
      isr: [],
      offlineReplicas: [2],
      logStartOffset: null,
      highWatermark: null,
      logEndOffset: null,
      sizeBytes: null,
      replicaLogs: [],
    });
    // Broker 2 holds an online replica of partition 0 and was asked; its failure cost nothing else.
    expect(askedLogDirs.sort()).toEqual([1, 2]);
  });
});
