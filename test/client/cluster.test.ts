// The SDK's cluster view against built brokers: two brokers sharing a real ZooKeeper, each
// leading some partitions (produce requests must reach the right one), plus metadata
// refreshes, coordinator lookup and reconnection after a broker restart on one node.
import { KafkaCluster } from '../../src/client/cluster/kafka-cluster';
import { KafkaProducer } from '../../src/client/producer/kafka-producer';
import { partitionForKey } from '../../src/client/producer/partitioner';
import { CreatePartitionsApi, ErrorCode, RecordBatchView } from '../../src/protocol';
import { quietStoreLogger } from '../../src/broker/metadata/metadata-node.test-helpers';
import { ZooKeeperMetadataStore } from '../../src/zk/zookeeper-metadata-store';
import { BrokerProcess } from '../support/broker-process';
import { KafkaWireClient } from '../support/kafka-wire-client';
import { testZkConnect, uniqueZkRoot } from '../support/test-zookeeper';
import { waitFor } from '../support/wait-for';
import { createTopic, fetchAllBatches } from '../support/wire-admin';

async function valuesOf(port: number, topic: string, partition: number): Promise<string[]> {
  const client = await KafkaWireClient.connect(port);
  try {
    const values: string[] = [];
    for (const bytes of await fetchAllBatches(client, topic, partition)) for (const r of new RecordBatchView(bytes).records()) values.push(r.value!.toString());
    return values;
  } finally {
    client.close();
  }
}

describe('KafkaCluster with two brokers on ZooKeeper', () => {
  const brokers: BrokerProcess[] = [];
  let cluster: KafkaCluster | undefined;
  let producer: KafkaProducer<string, string> | undefined;

  beforeAll(async () => {
    const root = await ZooKeeperMetadataStore.connect({ connect: testZkConnect(), logger: quietStoreLogger });
    const chroot = uniqueZkRoot('client');
    await root.create(chroot, null);
    await root.close();
    const settings = { 'zookeeper.connect': `${testZkConnect()}${chroot}`, 'num.partitions': 1, 'default.replication.factor': 1 };
    brokers.push(...(await Promise.all([0, 1].map((id) => BrokerProcess.start({ settings: { ...settings, 'broker.id': id } })))));
  });

  afterAll(async () => {
    await producer?.close(5_000);
    cluster?.close();
    await Promise.all(brokers.map((b) => b.dispose()));
  });

  it('routes each partition to its own leader', async () => {
    cluster = new KafkaCluster({ bootstrapServers: brokers.map((b) => b.bootstrap) });
    await cluster.connect();
    await waitFor(
      async () => {
        await cluster!.refreshMetadata();
        return cluster!.brokers().length === 2 && cluster!.metadata.controllerId >= 0;
      },
      { what: 'both brokers and a controller in metadata' },
    );
    const controller = brokers.find((b) => b.brokerId === cluster!.metadata.controllerId)!;
    await createTopic(controller.port, 'spread', 4);
    await cluster.ensureTopics(['spread']);
    await waitFor(
      async () => {
        await cluster!.refreshMetadata();
        return cluster!.topic('spread')?.partitions.every((p) => p.leader >= 0);
      },
      { what: 'a leader for every partition' },
    );
    const leaders = cluster.topic('spread')!.partitions.map((p) => p.leader);
    expect(new Set(leaders)).toEqual(new Set([0, 1]));

    producer = new KafkaProducer<string, string>({ bootstrapServers: [brokers[0].bootstrap] });
    const keys = Array.from({ length: 200 }, (_, i) => `key-${i}`);
    const sent = await Promise.all(keys.map((key) => producer!.send({ topic: 'spread', key, value: key })));
    for (const [i, meta] of sent.entries()) expect(meta.partition).toBe(partitionForKey(Buffer.from(keys[i]), 4));

    for (let partition = 0; partition < 4; partition++) {
      const leader = brokers.find((b) => b.brokerId === leaders[partition])!;
      const expected = keys.filter((key) => partitionForKey(Buffer.from(key), 4) === partition);
      expect(await valuesOf(leader.port, 'spread', partition)).toEqual(expected);
    }
  });

  it('finds a group coordinator among the brokers and reaches it', async () => {
    const node = await cluster!.coordinatorFor('client-suite-group');
    expect([0, 1]).toContain(node.nodeId);
    const connection = await cluster!.coordinatorConnection('client-suite-group');
    expect(connection.port).toBe(brokers.find((b) => b.brokerId === node.nodeId)!.port);
    expect(connection.isOpen).toBe(true);
  });
});

describe('KafkaCluster against one broker', () => {
  let broker: BrokerProcess;

  beforeAll(async () => {
    broker = await BrokerProcess.start({ settings: { 'num.partitions': 1 } });
  });

  afterAll(async () => {
    await broker?.dispose();
  });

  it('picks up new partitions on metadata.max.age.ms and new topics when watching all', async () => {
    await createTopic(broker.port, 'growing', 1);
    const cluster = new KafkaCluster({ bootstrapServers: [broker.bootstrap], metadataMaxAgeMs: 100 });
    try {
      await cluster.ensureTopics(['growing']);
      expect(cluster.partitionCount('growing')).toBe(1);
      const admin = await KafkaWireClient.connect(broker.port);
      const answer = await admin.request(CreatePartitionsApi, 0, { topics: [{ name: 'growing', count: 3, assignments: null }], timeoutMs: 10_000, validateOnly: false });
      admin.close();
      expect(answer.results[0].errorCode).toBe(ErrorCode.NONE);
      await waitFor(() => cluster.partitionCount('growing') === 3, { what: 'the periodic refresh to see 3 partitions' });

      expect(await cluster.watchAllTopics()).toContain('growing');
      await createTopic(broker.port, 'appeared', 2);
      await waitFor(() => cluster.topicNames().includes('appeared'), { what: 'the new topic in all-topics metadata' });
    } finally {
      cluster.close();
    }
  });

  it('reconnects after the broker restarts and keeps producing without duplicates', async () => {
    await createTopic(broker.port, 'restarts', 1);
    const producer = new KafkaProducer<string, string>({ bootstrapServers: [broker.bootstrap], retryBackoffMs: 50 });
    try {
      const before = await Promise.all(Array.from({ length: 10 }, (_, i) => producer.send({ topic: 'restarts', value: `before-${i}` })));
      await broker.restart();
      const after = await Promise.all(Array.from({ length: 10 }, (_, i) => producer.send({ topic: 'restarts', value: `after-${i}` })));
      expect([...before, ...after].map((m) => m.offset)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect(await valuesOf(broker.port, 'restarts', 0)).toEqual([...before.map((_, i) => `before-${i}`), ...after.map((_, i) => `after-${i}`)]);
    } finally {
      await producer.close(5_000);
    }
  });
});
