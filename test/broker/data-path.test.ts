// The data path against the built broker: kafkajs produces (acks -1, idempotent) and reads
// offsets through its admin; raw Fetch/Produce/InitProducerId through our own codec check
// what kafkajs cannot show (long polls, duplicates after a restart, byte-exact batches).
import { Kafka, logLevel } from 'kafkajs';
import {
  encodeRecordBatch,
  ErrorCode,
  FetchApi,
  InitProducerIdApi,
  ProduceApi,
  RecordBatchSplitter,
} from '../../src/protocol';
import { BrokerProcess } from '../support/broker-process';
import { KafkaWireClient } from '../support/kafka-wire-client';
import { createTopic, fetchAllBatches } from '../support/wire-admin';

function recordsOf(batches: Buffer[]): Array<{ offset: number; key: string | null; value: string }> {
  const out: Array<{ offset: number; key: string | null; value: string }> = [];
  for (const b of batches) {
    const split = new RecordBatchSplitter(b);
    while (split.next()) for (const r of split.view.records()) out.push({ offset: r.offset, key: r.key?.toString() ?? null, value: r.value!.toString() });
  }
  return out;
}

describe('data path on the built broker', () => {
  let broker: BrokerProcess;

  beforeAll(async () => {
    broker = await BrokerProcess.start();
  });

  afterAll(async () => {
    await broker?.dispose();
  });

  it('kafkajs produces idempotently with acks -1; a raw fetch and the admin offsets agree', async () => {
    await createTopic(broker.port, 'dp-kafkajs', 3);
    const kafka = new Kafka({ clientId: 'data-path-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      for (let round = 0; round < 3; round++) {
        const metadata = await producer.send({
          topic: 'dp-kafkajs',
          acks: -1,
          messages: Array.from({ length: 10 }, (_, i) => ({ partition: 1, key: `k${round}-${i}`, value: `v${round}-${i}` })),
        });
        expect(metadata).toEqual([expect.objectContaining({ partition: 1, errorCode: 0, baseOffset: String(round * 10) })]);
      }
    } finally {
      await producer.disconnect();
    }
    const client = await KafkaWireClient.connect(broker.port);
    try {
      const records = recordsOf(await fetchAllBatches(client, 'dp-kafkajs', 1));
      expect(records).toHaveLength(30);
      expect(records[29]).toEqual({ offset: 29, key: 'k2-9', value: 'v2-9' });
    } finally {
      client.close();
    }
    const admin = kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets('dp-kafkajs');
      expect(offsets.sort((a, b) => a.partition - b.partition).map((o) => [o.partition, o.low, o.high])).toEqual([
        [0, '0', '0'],
        [1, '0', '30'],
        [2, '0', '0'],
      ]);
    } finally {
      await admin.disconnect();
    }
  });

  it('wakes a long-poll fetch when a produce arrives, well before maxWaitMs', async () => {
    await createTopic(broker.port, 'dp-poll', 1);
    const consumer = await KafkaWireClient.connect(broker.port);
    const producer = await KafkaWireClient.connect(broker.port);
    try {
      const started = Date.now();
      const polled = consumer.request(FetchApi, 11, {
        replicaId: -1,
        maxWaitMs: 10_000,
        minBytes: 1,
        maxBytes: 1 << 20,
        isolationLevel: 1,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [{ topic: 'dp-poll', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] } as never],
      });
      const produced = await producer.request(ProduceApi, 7, {
        transactionalId: null,
        acks: 1,
        timeoutMs: 5000,
        topicData: [{ name: 'dp-poll', partitionData: [{ index: 0, records: encodeRecordBatch([{ value: Buffer.from('wake up') }]) }] }],
      });
      expect(produced.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.NONE);
      const response = await polled;
      const elapsed = Date.now() - started;
      expect(response.responses[0].partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, highWatermark: 1, lastStableOffset: 1 });
      expect(recordsOf([response.responses[0].partitions[0].records!]).map((r) => r.value)).toEqual(['wake up']);
      expect(elapsed).toBeLessThan(5000);
    } finally {
      consumer.close();
      producer.close();
    }
  });

  it('acknowledges a retried idempotent batch with its original offset after a restart, without a second append', async () => {
    await createTopic(broker.port, 'dp-idem', 1);
    let client = await KafkaWireClient.connect(broker.port);
    const init = await client.request(InitProducerIdApi, 4, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
    expect(init.errorCode).toBe(ErrorCode.NONE);
    const batchAt = (seq: number): Buffer =>
      encodeRecordBatch([{ value: Buffer.from(`s${seq}`) }, { value: Buffer.from(`s${seq + 1}`) }], { producerId: init.producerId, producerEpoch: init.producerEpoch, baseSequence: seq });
    const produce = async (seq: number) =>
      (
        await client.request(ProduceApi, 8, {
          transactionalId: null,
          acks: -1,
          timeoutMs: 5000,
          topicData: [{ name: 'dp-idem', partitionData: [{ index: 0, records: batchAt(seq) }] }],
        })
      ).responses[0].partitionResponses[0];
    expect(await produce(0)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });
    expect(await produce(2)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 2 });
    client.close();

    await broker.restart();
    client = await KafkaWireClient.connect(broker.port);
    try {
      expect(await produce(2)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 2 });
      expect(await produce(7)).toMatchObject({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
      expect(await produce(4)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 4 });
      expect(recordsOf(await fetchAllBatches(client, 'dp-idem', 0)).map((r) => r.value)).toEqual(['s0', 's1', 's2', 's3', 's4', 's5']);
      const next = await client.request(InitProducerIdApi, 4, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
      expect(next.producerId).not.toBe(init.producerId);
    } finally {
      client.close();
    }
  });
});
