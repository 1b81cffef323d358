// KafkaAdmin against the built broker: topics (create, describe, grow, configs, delete),
// offsets at the leader, log dirs (DescribeLogDirs, key 35), and consumer groups with a
// real SDK consumer as a member — listed, described with its assignment, protected from
// offset rewrites and deletion while it consumes, and rewritable once it has left.
import { KafkaAdmin, KafkaAdminError } from '../../src/client/admin/kafka-admin';
import { KafkaProducer } from '../../src/client/producer/kafka-producer';
import { ErrorCode } from '../../src/protocol';
import { BrokerProcess } from '../support/broker-process';
import { consumingMember } from '../support/sdk-group-member';
import { waitFor } from '../support/wait-for';

let broker: BrokerProcess;
let admin: KafkaAdmin;

beforeAll(async () => {
  broker = await BrokerProcess.start({ settings: { 'group.initial.rebalance.delay.ms': 0, 'group.min.session.timeout.ms': 1000 } });
  admin = new KafkaAdmin({ bootstrapServers: broker.bootstrap, apiTimeoutMs: 15_000 });
  await admin.connect();
}, 60_000);

afterAll(async () => {
  await admin?.close();
  await broker?.dispose();
}, 30_000);

async function failure(call: Promise<unknown>): Promise<KafkaAdminError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KafkaAdminError);
  return err as KafkaAdminError;
}

async function produce(topic: string, count: number, partition = 0): Promise<void> {
  const producer = new KafkaProducer<string, string>({ bootstrapServers: broker.bootstrap, lingerMs: 0 });
  try {
    await Promise.all(Array.from({ length: count }, (_, i) => producer.send({ topic, partition, key: `k${i}`, value: `v${i}` })));
  } finally {
    await producer.close();
  }
}

describe('KafkaAdmin topics', () => {
  it('describes the cluster: this broker, which is also the controller', async () => {
    const cluster = await admin.describeCluster();
    expect(cluster.brokers).toEqual([expect.objectContaining({ nodeId: broker.brokerId, host: '127.0.0.1', port: broker.port })]);
    expect(cluster.controllerId).toBe(broker.brokerId);
    expect(cluster.clusterId).toEqual(expect.any(String));
  });

  it('creates, lists, describes, grows and deletes a topic, with per-topic errors for the ones that fail', async () => {
    await admin.createTopics([{ name: 'adm-orders', numPartitions: 2, replicationFactor: 1, configs: { 'retention.ms': '3600000' } }]);
    expect(await admin.listTopics()).toContain('adm-orders');

    const [described] = await admin.describeTopics(['adm-orders']);
    expect(described.name).toBe('adm-orders');
    expect(described.topicId).not.toBe('AAAAAAAAAAAAAAAAAAAAAA');
    expect(described.partitions.map((p) => [p.partition, p.leader, p.replicas, p.isr])).toEqual([
      [0, broker.brokerId, [broker.brokerId], [broker.brokerId]],
      [1, broker.brokerId, [broker.brokerId], [broker.brokerId]],
    ]);

    const exists = await failure(admin.createTopics([{ name: 'adm-orders', numPartitions: 1 }, { name: 'adm-other', numPartitions: 1 }]));
    expect(exists.code).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
    expect(exists.items.map((i) => i.name)).toEqual(['adm-orders']);
    expect(exists.message).toContain('TOPIC_ALREADY_EXISTS');
    expect(await admin.listTopics()).toContain('adm-other');

    await admin.createPartitions('adm-orders', 4);
    expect((await admin.describeTopics(['adm-orders']))[0].partitions).toHaveLength(4);
    expect((await failure(admin.createPartitions('adm-orders', 2))).code).toBe(ErrorCode.INVALID_PARTITIONS);

    await admin.deleteTopics(['adm-orders', 'adm-other']);
    await waitFor(async () => !(await admin.listTopics()).includes('adm-orders'), { what: 'the topic to be gone' });
    const missing = await failure(admin.describeTopics(['adm-orders']));
    expect(missing.code).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect((await failure(admin.deleteTopics(['adm-never']))).code).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('validateOnly checks a topic without creating it', async () => {
    await admin.createTopics([{ name: 'adm-dry', numPartitions: 1 }], { validateOnly: true });
    expect(await admin.listTopics()).not.toContain('adm-dry');
    expect((await failure(admin.createTopics([{ name: 'bad/name', numPartitions: 1 }]))).code).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
  });

  it('describes configs with their defaults and alters them incrementally (set and revert)', async () => {
    await admin.createTopics([{ name: 'adm-configs', numPartitions: 1, configs: { 'cleanup.policy': 'compact' } }]);
    const entry = (entries: { name: string }[], name: string): unknown => entries.find((e) => e.name === name);
    let configs = await admin.describeTopicConfigs('adm-configs');
    expect(entry(configs, 'cleanup.policy')).toMatchObject({ value: 'compact', isDefault: false });
    expect(entry(configs, 'retention.ms')).toMatchObject({ isDefault: true });

    await admin.alterTopicConfigs('adm-configs', { 'retention.ms': '60000' }, ['cleanup.policy']);
    configs = await admin.describeTopicConfigs('adm-configs');
    expect(entry(configs, 'retention.ms')).toMatchObject({ value: '60000', isDefault: false });
    expect(entry(configs, 'cleanup.policy')).toMatchObject({ value: 'delete', isDefault: true });

    expect((await failure(admin.describeTopicConfigs('adm-none'))).code).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect((await failure(admin.alterTopicConfigs('adm-configs', { 'retention.ms': 'soon' }))).code).toBe(ErrorCode.INVALID_CONFIG);
  });
});

describe('KafkaAdmin offsets and log dirs', () => {
  it('lists earliest, latest and by-timestamp offsets at the leader, and each replica in its log dir', async () => {
    await admin.createTopics([{ name: 'adm-offsets', numPartitions: 2 }]);
    const before = Date.now();
    await produce('adm-offsets', 5, 0);
    const p0 = { topic: 'adm-offsets', partition: 0 };
    const p1 = { topic: 'adm-offsets', partition: 1 };
    expect((await admin.listOffsets([p0, p1], 'earliest')).map((o) => o.offset)).toEqual([0, 0]);
    expect((await admin.listOffsets([p0, p1], 'latest')).map((o) => o.offset)).toEqual([5, 0]);
    expect((await admin.listOffsets([p0], { timestamp: before - 60_000 }))[0].offset).toBe(0);
    expect((await admin.listOffsets([p0], { timestamp: Date.now() + 60_000 }))[0].offset).toBe(-1);
    expect((await failure(admin.listOffsets([{ topic: 'adm-offsets', partition: 7 }], 'latest'))).code).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);

    const replicas = await admin.describeLogDirs();
    const mine = replicas.filter((r) => r.topic === 'adm-offsets').sort((a, b) => a.partition - b.partition);
    expect(mine).toEqual([
      expect.objectContaining({ brokerId: broker.brokerId, partition: 0, logDir: broker.logDir, offsetLag: 0 }),
      expect.objectContaining({ brokerId: broker.brokerId, partition: 1, logDir: broker.logDir, sizeBytes: 0 }),
    ]);
    expect(mine[0].sizeBytes).toBeGreaterThan(5 * 10);
  });
});

describe('KafkaAdmin consumer groups', () => {
  it('sees a consuming group, refuses to rewrite or delete it while it has members, then does both once it is empty', async () => {
    await admin.createTopics([{ name: 'adm-group', numPartitions: 2 }]);
    await produce('adm-group', 3, 0);
    const consumer = await consumingMember({ bootstrap: broker.bootstrap, groupId: 'adm-g1', clientId: 'adm-client', topic: 'adm-group', records: 3 });
    try {
      await consumer.commitSync();

      expect(await admin.listConsumerGroups()).toContainEqual({ groupId: 'adm-g1', state: 'Stable', protocolType: 'consumer', coordinatorId: broker.brokerId });
      const [group] = await admin.describeConsumerGroups(['adm-g1']);
      expect(group).toMatchObject({ groupId: 'adm-g1', state: 'Stable', protocolType: 'consumer', coordinatorId: broker.brokerId });
      expect(group.protocol).not.toBe('');
      expect(group.members).toHaveLength(1);
      expect(group.members[0]).toMatchObject({ clientId: 'adm-client', groupInstanceId: null });
      expect([...group.members[0].assignment].sort((a, b) => a.partition - b.partition)).toEqual([
        { topic: 'adm-group', partition: 0 },
        { topic: 'adm-group', partition: 1 },
      ]);
      expect(await admin.listConsumerGroupOffsets('adm-g1')).toEqual([
        { topic: 'adm-group', partition: 0, offset: 3, metadata: '' },
        { topic: 'adm-group', partition: 1, offset: 0, metadata: '' },
      ]);

      const refused = await failure(admin.alterConsumerGroupOffsets('adm-g1', [{ topic: 'adm-group', partition: 0, offset: 0 }]));
      expect(refused.code).toBe(ErrorCode.NON_EMPTY_GROUP);
      expect(refused.message).toMatch(/inactive.*Stable/);
      expect((await failure(admin.deleteConsumerGroups(['adm-g1']))).code).toBe(ErrorCode.NON_EMPTY_GROUP);
    } finally {
      await consumer.close();
    }

    await waitFor(async () => (await admin.describeConsumerGroups(['adm-g1']))[0].state === 'Empty', { what: 'the group to be empty' });
    await admin.alterConsumerGroupOffsets('adm-g1', [
      { topic: 'adm-group', partition: 0, offset: 1 },
      { topic: 'adm-group', partition: 1, offset: 0, metadata: 'reset' },
    ]);
    expect(await admin.listConsumerGroupOffsets('adm-g1')).toEqual([
      { topic: 'adm-group', partition: 0, offset: 1, metadata: '' },
      { topic: 'adm-group', partition: 1, offset: 0, metadata: 'reset' },
    ]);

    await admin.deleteConsumerGroups(['adm-g1']);
    expect(await admin.listConsumerGroupOffsets('adm-g1')).toEqual([]);
    expect((await admin.describeConsumerGroups(['adm-g1']))[0].state).toBe('Dead');
    expect((await failure(admin.deleteConsumerGroups(['adm-g1']))).code).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  });
});

describe('KafkaAdmin failures', () => {
  it('fails an offset commit for a partition that does not exist at once, naming the partition', async () => {
    const started = Date.now();
    const err = await failure(admin.alterConsumerGroupOffsets('adm-g2', [{ topic: 'adm-nowhere', partition: 0, offset: 1 }]));
    expect(err.code).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(err.items).toEqual([{ name: 'adm-nowhere-0', code: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: null }]);
    expect(Date.now() - started).toBeLessThan(5000);
  });


  it('fails connect within the API timeout when no broker answers', async () => {
    const unreachable = new KafkaAdmin({ bootstrapServers: '127.0.0.1:1', apiTimeoutMs: 1500, requestTimeoutMs: 1000 });
    const started = Date.now();
    await expect(unreachable.connect()).rejects.toThrow(/127\.0\.0\.1:1/);
    expect(Date.now() - started).toBeLessThan(10_000);
    await unreachable.close();
  });
});
