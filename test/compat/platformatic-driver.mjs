// Runs @platformatic/kafka scenarios in a plain Node process and prints one JSON object
// with what the client saw. The library ships ES modules only (with import.meta), which
// Jest's CommonJS loader cannot run, so platformatic.test.ts spawns this driver and
// asserts on its report — the client runs untouched, as in an application.
//
//   node test/compat/platformatic-driver.mjs <host:port> admin|data|codecs
/* global process, console, setTimeout */
import { Admin, Consumer, Producer, stringSerializers } from '@platformatic/kafka';

const [bootstrap, scenario] = process.argv.slice(2);
const base = { clientId: 'kafkanest-compat', bootstrapBrokers: [bootstrap], retries: 2, retryDelay: 100 };

/** JSON with bigints as strings and Maps as objects. */
const replacer = (_key, value) =>
  typeof value === 'bigint' ? value.toString() : value instanceof Map ? Object.fromEntries(value) : value;

async function admin() {
  const client = new Admin(base);
  try {
    const created = await client.createTopics({ topics: ['pf-admin'], partitions: 3, replicas: 1 });
    const listed = await client.listTopics();
    const metadata = await client.metadata({ topics: ['pf-admin'], forceUpdate: true });
    await client.deleteTopics({ topics: ['pf-admin'] });
    // Deletion is acknowledged once the controller has it; poll the listing with a deadline.
    let listedAfterDelete = await client.listTopics();
    for (const deadline = Date.now() + 10_000; listedAfterDelete.includes('pf-admin') && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      listedAfterDelete = await client.listTopics();
    }
    return {
      created,
      listed,
      brokers: [...metadata.brokers.values()],
      topic: metadata.topics.get('pf-admin'),
      listedAfterDelete,
    };
  } finally {
    await client.close();
  }
}

async function data() {
  const admin = new Admin(base);
  const producer = new Producer({ ...base, serializers: stringSerializers });
  const consumer = new Consumer({ ...base, groupId: 'unused-no-group-calls' });
  try {
    await admin.createTopics({ topics: ['pf-data'], partitions: 2, replicas: 1 });
    const sent = [];
    for (let i = 0; i < 20; i++) sent.push({ partition: i % 2, key: `k${i}`, value: `value-${i}` });
    const first = await producer.send({ messages: sent.map((m) => ({ topic: 'pf-data', ...m })), acks: -1 });
    const second = await producer.send({ messages: [{ topic: 'pf-data', partition: 0, key: 'k20', value: 'value-20' }], idempotent: true, acks: -1 });
    sent.push({ partition: 0, key: 'k20', value: 'value-20' });

    const latest = await consumer.listOffsets({ topics: ['pf-data'] });
    const earliest = await consumer.listOffsets({ topics: ['pf-data'], timestamp: -2n });
    const metadata = await consumer.metadata({ topics: ['pf-data'] });
    const topicId = metadata.topics.get('pf-data').id;
    const nodeId = [...metadata.brokers.keys()][0];
    const response = await consumer.fetch({
      node: nodeId,
      maxWaitTime: 100,
      topics: [
        {
          topicId,
          partitions: [0, 1].map((partition) => ({ partition, fetchOffset: 0n, currentLeaderEpoch: -1, lastFetchedEpoch: -1, partitionMaxBytes: 1 << 20 })),
        },
      ],
    });
    const received = [];
    for (const topic of response.responses) {
      for (const partition of topic.partitions) {
        for (const batch of partition.records ?? []) {
          for (const record of batch.records) {
            received.push({
              topicId: topic.topicId,
              partition: partition.partitionIndex,
              errorCode: partition.errorCode,
              offset: batch.firstOffset + BigInt(record.offsetDelta),
              key: record.key?.toString() ?? null,
              value: record.value?.toString() ?? null,
            });
          }
        }
      }
    }
    const partitionErrors = response.responses.flatMap((t) => t.partitions.map((p) => p.errorCode));
    return { sent, first, second, latest, earliest, topicId, received, partitionErrors };
  } finally {
    await producer.close();
    await consumer.close();
    await admin.close();
  }
}

/**
 * One topic per codec: a compressed send, then a fetch that the client decompresses.
 * No zstd: this client takes it from node:zlib, which has it from Node 22.15 on (kcat covers zstd).
 */
async function codecs() {
  const admin = new Admin(base);
  const producer = new Producer({ ...base, serializers: stringSerializers });
  const consumer = new Consumer({ ...base, groupId: 'unused-no-group-calls' });
  const report = {};
  try {
    for (const codec of ['gzip', 'snappy', 'lz4']) {
      const topic = `pf-codec-${codec}`;
      await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
      const values = Array.from({ length: 50 }, (_, i) => `${codec} value ${i} `.repeat(4));
      await producer.send({ messages: values.map((value) => ({ topic, partition: 0, value })), compression: codec, acks: -1 });
      const metadata = await consumer.metadata({ topics: [topic] });
      const response = await consumer.fetch({
        node: [...metadata.brokers.keys()][0],
        maxWaitTime: 100,
        topics: [{ topicId: metadata.topics.get(topic).id, partitions: [{ partition: 0, fetchOffset: 0n, currentLeaderEpoch: -1, lastFetchedEpoch: -1, partitionMaxBytes: 1 << 20 }] }],
      });
      const partition = response.responses[0].partitions[0];
      const batches = partition.records ?? [];
      report[codec] = {
        sent: values,
        errorCode: partition.errorCode,
        // RecordBatch attributes bits 0-2: 1 gzip, 2 snappy, 3 lz4.
        compressionIds: batches.map((b) => b.attributes & 7),
        received: batches.flatMap((b) => b.records.map((r) => r.value.toString())),
      };
    }
    return report;
  } finally {
    await producer.close();
    await consumer.close();
    await admin.close();
  }
}

const scenarios = { admin, data, codecs };
try {
  const result = await scenarios[scenario]();
  console.log(JSON.stringify(result, replacer));
} catch (err) {
  // The client's errors nest the broker's answer (api id, error code) in `errors`/`cause`.
  console.log(JSON.stringify({ error: { message: err.message, code: err.code, errors: err.errors?.map((e) => ({ message: e.message, code: e.code, apiId: e.apiId })), cause: err.cause?.message } }, replacer));
  process.exitCode = 1;
}
