// kafkajs 2.2 against the built broker: its idempotent producer (InitProducerId, then
// Produce v7 with sequences, acks -1) and its admin client. kafkajs's consumer needs
// consumer groups (a later issue), so what the producer wrote is read back with raw
// Fetch requests and checked batch by batch: producer id, sequences, records.
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { RecordBatchView } from '../../src/protocol';
import { BrokerProcess } from '../support/broker-process';
import { KafkaWireClient } from '../support/kafka-wire-client';
import { waitFor } from '../support/wait-for';
import { fetchAllBatches } from '../support/wire-admin';

let broker: BrokerProcess;
let kafka: Kafka;
let admin: Admin;

beforeAll(async () => {
  broker = await BrokerProcess.start();
  kafka = new Kafka({ clientId: 'kafkanest-compat', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 3, initialRetryTime: 100 } });
  admin = kafka.admin();
  await admin.connect();
}, 60_000);

afterAll(async () => {
  await admin?.disconnect();
  await broker?.dispose();
}, 30_000);

describe('kafkajs', () => {
  it('admin creates topics, lists them, describes their partitions, reports offsets and deletes them', async () => {
    expect(
      await admin.createTopics({
        topics: [
          { topic: 'kjs-a', numPartitions: 3 },
          { topic: 'kjs-b', numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '3600000' }] },
        ],
        waitForLeaders: true,
      }),
    ).toBe(true);
    // Creating an existing topic is not an error for kafkajs: it answers false.
    expect(await admin.createTopics({ topics: [{ topic: 'kjs-a', numPartitions: 3 }] })).toBe(false);

    expect(await admin.listTopics()).toEqual(expect.arrayContaining(['kjs-a', 'kjs-b']));

    const { topics } = await admin.fetchTopicMetadata({ topics: ['kjs-a', 'kjs-b'] });
    const byName = new Map(topics.map((t) => [t.name, t]));
    const id = broker.brokerId;
    expect(byName.get('kjs-a')!.partitions.map((p) => [p.partitionId, p.leader, p.replicas, p.isr, p.partitionErrorCode]).sort()).toEqual([
      [0, id, [id], [id], 0],
      [1, id, [id], [id], 0],
      [2, id, [id], [id], 0],
    ]);
    expect(byName.get('kjs-b')!.partitions).toHaveLength(1);

    expect(await admin.fetchTopicOffsets('kjs-a')).toEqual(
      expect.arrayContaining([0, 1, 2].map((partition) => ({ partition, offset: '0', high: '0', low: '0' }))),
    );

    await admin.deleteTopics({ topics: ['kjs-a', 'kjs-b'] });
    await waitFor(async () => (await admin.listTopics()).every((t) => t !== 'kjs-a' && t !== 'kjs-b'), { what: 'deleted topics to leave listTopics' });
  }, 30_000);

  it('an idempotent producer with acks -1 appends every record once, with its producer id and gapless sequences', async () => {
    await admin.createTopics({ topics: [{ topic: 'kjs-idem', numPartitions: 2 }], waitForLeaders: true });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const sent = new Map<number, string[]>([
      [0, []],
      [1, []],
    ]);
    try {
      for (let round = 0; round < 5; round++) {
        const messages = Array.from({ length: 40 }, (_, i) => ({ partition: i % 2, key: `k${i}`, value: `r${round}-m${i}` }));
        const metadata = await producer.send({ topic: 'kjs-idem', acks: -1, messages });
        for (const m of messages) sent.get(m.partition)!.push(m.value);
        for (const result of metadata) expect(result.errorCode).toBe(0);
      }
    } finally {
      await producer.disconnect();
    }

    const offsets = await admin.fetchTopicOffsets('kjs-idem');
    expect(offsets.map((o) => [o.partition, o.high]).sort()).toEqual([
      [0, '100'],
      [1, '100'],
    ]);

    const client = await KafkaWireClient.connect(broker.port);
    try {
      for (const partition of [0, 1]) {
        const values: string[] = [];
        const producerIds = new Set<number>();
        let nextSequence = 0;
        for (const bytes of await fetchAllBatches(client, 'kjs-idem', partition)) {
          const batch = new RecordBatchView(bytes);
          batch.validate();
          producerIds.add(batch.producerId);
          expect(batch.baseSequence).toBe(nextSequence);
          nextSequence = batch.lastSequence + 1;
          const reader = batch.recordReader();
          while (reader.next()) values.push(reader.value()!.toString());
        }
        expect(producerIds.size).toBe(1);
        expect([...producerIds][0]).toBeGreaterThanOrEqual(0);
        expect(values).toEqual(sent.get(partition));
      }
    } finally {
      client.close();
    }
  }, 30_000);
});
