/**
 * `npm run bench -- admin`: GET /api/topics/{name}/messages against the built broker,
 * paging through a partition `limit` records at a time over HTTP (each page: a topic check,
 * the offsets, a group-less SDK consumer reading the range, JSON encoding), beside kafkajs's
 * consumer reading the same records in the same run (from its first record to its last, so
 * its group join is left out). Also the latency of a one-record read, what a UI asks most.
 * Reporting only: the REST path is built for inspection, not to replace a consumer.
 *
 *   BENCH_ADMIN_RECORDS=200000  records in the partition (default 100k, 100-byte values)
 *   BENCH_ADMIN_LIMIT=1000      records per page (default and maximum 1000)
 */
import { Kafka, logLevel } from 'kafkajs';
import { BrokerProcess } from '../test/support/broker-process';
import { printFinalJson } from './support/report';
import { printTable } from './support/table';

const RECORDS = Number(process.env.BENCH_ADMIN_RECORDS ?? 100_000);
const LIMIT = Number(process.env.BENCH_ADMIN_LIMIT ?? 1000);
const VALUE_BYTES = 100;
const SMALL_READS = 200;
const TOPIC = 'bench-admin';

const seconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

async function http(url: string, init?: RequestInit): Promise<unknown> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function fill(kafka: Kafka): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  const value = Buffer.alloc(VALUE_BYTES, 'v');
  for (let sent = 0; sent < RECORDS; sent += 1000) {
    const count = Math.min(1000, RECORDS - sent);
    await producer.send({ topic: TOPIC, acks: 1, messages: Array.from({ length: count }, (_, i) => ({ key: `k${sent + i}`, value })) });
  }
  await producer.disconnect();
}

/** Pages through the partition over HTTP; returns records per second. */
async function restPaging(adminUrl: string): Promise<{ recordsPerSec: number; pages: number; msPerPage: number }> {
  let offset = 0;
  let read = 0;
  let pages = 0;
  const start = process.hrtime.bigint();
  while (offset < RECORDS) {
    const page = (await http(`${adminUrl}/api/topics/${TOPIC}/messages?partition=0&offset=${offset}&limit=${LIMIT}`)) as { messages: unknown[]; nextOffset: number };
    read += page.messages.length;
    pages++;
    if (page.nextOffset <= offset) throw new Error(`no progress at offset ${offset}`);
    offset = page.nextOffset;
  }
  const elapsed = seconds(start);
  if (read !== RECORDS) throw new Error(`read ${read} of ${RECORDS} records over REST`);
  return { recordsPerSec: read / elapsed, pages, msPerPage: (elapsed * 1000) / pages };
}

async function restSmallReads(adminUrl: string): Promise<{ p50Ms: number; p99Ms: number }> {
  const samples: number[] = [];
  for (let i = 0; i < SMALL_READS; i++) {
    const offset = Math.floor((i * RECORDS) / SMALL_READS);
    const start = process.hrtime.bigint();
    await http(`${adminUrl}/api/topics/${TOPIC}/messages?partition=0&offset=${offset}&limit=1`);
    samples.push(seconds(start) * 1000);
  }
  samples.sort((a, b) => a - b);
  return { p50Ms: samples[Math.floor(samples.length / 2)], p99Ms: samples[Math.min(samples.length - 1, Math.floor(samples.length * 0.99))] };
}

/** kafkajs's consumer from its first record to its last; returns records per second. */
async function kafkajsRead(kafka: Kafka, round: number): Promise<number> {
  const consumer = kafka.consumer({ groupId: `bench-admin-kafkajs-${round}`, maxBytes: 10 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  let count = 0;
  let first: bigint | undefined;
  let elapsed = 0;
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachBatch: async ({ batch }) => {
          first ??= process.hrtime.bigint();
          count += batch.messages.length;
          if (count >= RECORDS) {
            elapsed = seconds(first);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return count / elapsed;
}

async function main(): Promise<void> {
  const broker = await BrokerProcess.start({ settings: { 'group.initial.rebalance.delay.ms': 0 } });
  try {
    await http(`${broker.adminUrl}/api/topics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: TOPIC, partitions: 1 }) });
    const kafka = new Kafka({ clientId: 'bench-admin', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    await fill(kafka);

    // A warm-up pass each, then the better of two rounds.
    await restPaging(broker.adminUrl);
    const rest = [await restPaging(broker.adminUrl), await restPaging(broker.adminUrl)].sort((a, b) => b.recordsPerSec - a.recordsPerSec)[0];
    await kafkajsRead(kafka, 0);
    const kafkajs = Math.max(await kafkajsRead(kafka, 1), await kafkajsRead(kafka, 2));
    const small = await restSmallReads(broker.adminUrl);

    const ratio = rest.recordsPerSec / kafkajs;
    printTable(`${RECORDS} records of ${VALUE_BYTES} bytes, one partition, ${LIMIT} per REST page`, ['reader', 'records/s', 'MB/s', 'ms/page', 'ratio to kafkajs'], [
      ['REST GET .../messages', rest.recordsPerSec, (rest.recordsPerSec * VALUE_BYTES) / 1e6, rest.msPerPage, ratio],
      ['kafkajs consumer', kafkajs, (kafkajs * VALUE_BYTES) / 1e6, null, 1],
    ]);
    printTable(`one-record reads (limit=1), ${SMALL_READS} in a row`, ['p50 ms', 'p99 ms'], [[small.p50Ms, small.p99Ms]]);
    printFinalJson('admin', {
      records: RECORDS,
      valueBytes: VALUE_BYTES,
      pageLimit: LIMIT,
      restRecordsPerSec: rest.recordsPerSec,
      restMsPerPage: rest.msPerPage,
      kafkajsRecordsPerSec: kafkajs,
      ratioToKafkajs: ratio,
      singleReadP50Ms: small.p50Ms,
      singleReadP99Ms: small.p99Ms,
    });
  } finally {
    await broker.dispose();
  }
}

void main();
