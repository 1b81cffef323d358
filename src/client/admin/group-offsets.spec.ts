import type { ConsumerGroupDescription, OffsetSpec, TopicPartitionRef } from './admin-types';
import { describeGroupOffsets } from './group-offsets';
import type { KafkaAdmin } from './kafka-admin';

describe('describeGroupOffsets (kafka-consumer-groups --describe rows)', () => {
  const member = { memberId: 'm-1', groupInstanceId: null, clientId: 'billing', host: '/10.0.0.7', assignment: [{ topic: 'orders', partition: 1 }, { topic: 'orders', partition: 0 }] };
  const group: ConsumerGroupDescription = { groupId: 'g', state: 'Stable', protocolType: 'consumer', protocol: 'range', coordinatorId: 0, members: [member] };

  function fakeAdmin(topics: string[]) {
    const asked: Array<{ refs: TopicPartitionRef[]; spec: OffsetSpec }> = [];
    const admin = {
      listTopics: async () => topics,
      listOffsets: async (refs: TopicPartitionRef[], spec: OffsetSpec) => {
        asked.push({ refs, spec });
        return refs.map((r) => ({ ...r, offset: 10, timestamp: -1, leaderEpoch: 0 }));
      },
    } as unknown as KafkaAdmin;
    return { admin, asked };
  }

  it('has a row per owned or committed partition, by topic then partition, with the lag against the high watermark', async () => {
    const { admin, asked } = fakeAdmin(['orders', 'audit']);
    const rows = await describeGroupOffsets(admin, group, [
      { topic: 'orders', partition: 0, offset: 4, metadata: null },
      { topic: 'audit', partition: 0, offset: 12, metadata: null },
    ]);
    expect(rows).toEqual([
      { topic: 'audit', partition: 0, currentOffset: 12, logEndOffset: 10, lag: 0, consumerId: null, host: null, clientId: null },
      { topic: 'orders', partition: 0, currentOffset: 4, logEndOffset: 10, lag: 6, consumerId: 'm-1', host: '/10.0.0.7', clientId: 'billing' },
      { topic: 'orders', partition: 1, currentOffset: null, logEndOffset: 10, lag: null, consumerId: 'm-1', host: '/10.0.0.7', clientId: 'billing' },
    ]);
    expect(asked.map((a) => a.spec)).toEqual(['latest']);
  });

  it('keeps the rows of a deleted topic, without log end or lag, instead of failing the description', async () => {
    const { admin, asked } = fakeAdmin(['orders']);
    const rows = await describeGroupOffsets(admin, { ...group, members: [] }, [{ topic: 'gone', partition: 0, offset: 3, metadata: null }]);
    expect(rows).toEqual([{ topic: 'gone', partition: 0, currentOffset: 3, logEndOffset: null, lag: null, consumerId: null, host: null, clientId: null }]);
    expect(asked).toEqual([]);
  });
});
