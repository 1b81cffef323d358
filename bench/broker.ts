/**
 * `npm run bench -- broker`: the built broker as a child process, driven over loopback
 * by kcat (librdkafka) and by kafkajs in the same run. Produce: 100-byte values, acks=1,
 * to a 1-partition and a 6-partition topic; then fetch everything back. Each row is
 * also shown as a ratio to a raw sequential write loop on the same disk in the same run
 * (bench/log's reference: positioned writes of a 16 KiB batch of 100-byte records), so
 * figures from different machines compare by shape. The client runs on the same cores
 * as the broker, so these are floors, not the broker's ceiling.
 *
 *   BENCH_BROKER_RECORDS=2000000   records per kcat run (default 1M)
 *   BENCH_BROKER_KAFKAJS=200000    records per kafkajs run (default 100k)
 *
 * Latency: kafkajs figures are per send() (one batch of KAFKAJS_BATCH messages, acks=1).
 * kcat prints neither delivery times nor librdkafka's statistics (it registers no stats
 * callback), so its rows are totals: spawn to exit, metadata and start-up included.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { encodeRecordBatch } from '../src/protocol/record-batch/record-batch-encoder';
import { BrokerProcess } from '../test/support/broker-process';
import { KafkaWireClient } from '../test/support/kafka-wire-client';
import { createTopic, fetchAllBatches } from '../test/support/wire-admin';
import { printFinalJson } from './support/report';
import { printTable, type Cell } from './support/table';

const VALUE_BYTES = 100;
const KCAT_RECORDS = Number(process.env.BENCH_BROKER_RECORDS ?? 1_000_000);
const KAFKAJS_RECORDS = Number(process.env.BENCH_BROKER_KAFKAJS ?? 100_000);
const KAFKAJS_BATCH = 500;
const KAFKAJS_IN_FLIGHT = 4;

interface Row {
  client: string;
  op: string;
  partitions: number;
  records: number;
  seconds: number;
  /** Payload bytes (values only) moved. */
  bytes: number;
  p50Ms?: number;
  p99Ms?: number;
  note?: string;
}

const seconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** bench/log's reference: positioned sequential writes of one 16 KiB batch of 100-byte records. */
function rawAppend(dir: string, volumeBytes: number): { recordsPerSec: number; mbPerSec: number } {
  const count = Math.floor((16 * 1024 - 61) / (VALUE_BYTES + 12));
  const value = Buffer.alloc(VALUE_BYTES, 'x');
  const batch = encodeRecordBatch(Array.from({ length: count }, () => ({ value })));
  const total = Math.max(1, Math.floor(volumeBytes / batch.length)) * batch.length;
  const file = path.join(dir, 'raw-append.bin');
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const fd = fs.openSync(file, 'w');
    const start = process.hrtime.bigint();
    for (let pos = 0; pos < total; pos += batch.length) fs.writeSync(fd, batch, 0, batch.length, pos);
    best = Math.min(best, seconds(start));
    fs.closeSync(fd);
    fs.rmSync(file);
  }
  const records = (total / batch.length) * count;
  return { recordsPerSec: records / best, mbPerSec: (records * VALUE_BYTES) / 1e6 / best };
}

/** One line per record: a 100-byte value (counter-prefixed so values differ). */
function writeInputFile(file: string, records: number): void {
  const fd = fs.openSync(file, 'w');
  const chunk: string[] = [];
  for (let i = 0; i < records; i++) {
    const prefix = `${i}:`;
    chunk.push(prefix + 'v'.repeat(VALUE_BYTES - prefix.length));
    if (chunk.length === 10_000) {
      fs.writeSync(fd, chunk.join('\n') + '\n');
      chunk.length = 0;
    }
  }
  if (chunk.length) fs.writeSync(fd, chunk.join('\n') + '\n');
  fs.closeSync(fd);
}

interface KcatRun {
  code: number | null;
  seconds: number;
  stdoutLines: number;
  stderr: string;
}

/** Runs kcat with stdin from `inputFile` (or nothing), timing spawn to exit. */
function runKcatTimed(args: string[], inputFile?: string): Promise<KcatRun> {
  return new Promise((resolve, reject) => {
    const stdin = inputFile ? fs.openSync(inputFile, 'r') : 'ignore';
    const start = process.hrtime.bigint();
    const child = spawn('kcat', args, { stdio: [stdin, 'pipe', 'pipe'] });
    let lines = 0;
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    });
    child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (typeof stdin === 'number') fs.closeSync(stdin);
      resolve({ code, seconds: seconds(start), stdoutLines: lines, stderr });
    });
  });
}

async function kcatProduce(broker: BrokerProcess, topic: string, partitions: number, inputFile: string): Promise<Row> {
  const run = await runKcatTimed(
    [
      '-b', broker.bootstrap, '-P', '-t', topic, '-q',
      '-X', 'acks=1',
      '-X', 'linger.ms=5',
      '-X', 'batch.num.messages=10000',
      '-X', 'queue.buffering.max.messages=1000000',
    ],
    inputFile,
  );
  if (run.code !== 0) throw new Error(`kcat -P exited ${run.code}: ${run.stderr.slice(-2000)}`);
  return {
    client: 'kcat',
    op: 'produce',
    partitions,
    records: KCAT_RECORDS,
    seconds: run.seconds,
    bytes: KCAT_RECORDS * VALUE_BYTES,
    note: 'totals only: kcat reports no per-request times',
  };
}

async function kcatFetch(broker: BrokerProcess, topic: string, partitions: number): Promise<Row> {
  const run = await runKcatTimed(['-b', broker.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%o\n', '-X', 'fetch.max.bytes=52428800']);
  if (run.code !== 0) throw new Error(`kcat -C exited ${run.code}: ${run.stderr.slice(-2000)}`);
  if (run.stdoutLines !== KCAT_RECORDS) throw new Error(`kcat -C read ${run.stdoutLines} of ${KCAT_RECORDS} records`);
  return { client: 'kcat', op: 'fetch', partitions, records: run.stdoutLines, seconds: run.seconds, bytes: run.stdoutLines * VALUE_BYTES };
}

async function kafkajsProduce(broker: BrokerProcess, topic: string, partitions: number): Promise<Row> {
  const kafka = new Kafka({ clientId: 'bench', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const value = Buffer.alloc(VALUE_BYTES, 'v');
  const latencies: number[] = [];
  let next = 0;
  const start = process.hrtime.bigint();
  const sender = async (): Promise<void> => {
    while (next < KAFKAJS_RECORDS) {
      const n = Math.min(KAFKAJS_BATCH, KAFKAJS_RECORDS - next);
      next += n;
      const messages = Array.from({ length: n }, () => ({ value }));
      const t0 = performance.now();
      await producer.send({ topic, acks: 1, messages });
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: KAFKAJS_IN_FLIGHT }, sender));
  const elapsed = seconds(start);
  await producer.disconnect();
  latencies.sort((a, b) => a - b);
  return {
    client: 'kafkajs',
    op: 'produce',
    partitions,
    records: KAFKAJS_RECORDS,
    seconds: elapsed,
    bytes: KAFKAJS_RECORDS * VALUE_BYTES,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    note: `latency per send() of ${KAFKAJS_BATCH}, ${KAFKAJS_IN_FLIGHT} in flight`,
  };
}

/** kafkajs's consumer needs groups (a later issue): read back with raw Fetch v4 requests on our codec. */
async function rawFetch(broker: BrokerProcess, topic: string, partitions: number): Promise<Row> {
  const client = await KafkaWireClient.connect(broker.port);
  let records = 0;
  const start = process.hrtime.bigint();
  try {
    for (let p = 0; p < partitions; p++) {
      for (const batch of await fetchAllBatches(client, topic, p)) records += batch.readInt32BE(57);
    }
  } finally {
    client.close();
  }
  const elapsed = seconds(start);
  return { client: 'raw Fetch v4', op: 'fetch', partitions, records, seconds: elapsed, bytes: records * VALUE_BYTES, note: 'one connection, partitions in turn' };
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kafkanest-bench-broker-'));
  const rows: Row[] = [];
  const failures: string[] = [];
  let broker: BrokerProcess | undefined;
  const attempt = async (what: string, fn: () => Promise<Row>): Promise<void> => {
    try {
      rows.push(await fn());
    } catch (err) {
      failures.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  const raw = rawAppend(work, KCAT_RECORDS * (VALUE_BYTES + 12));
  try {
    const inputFile = path.join(work, 'records.txt');
    writeInputFile(inputFile, KCAT_RECORDS);
    broker = await BrokerProcess.start();
    for (const partitions of [1, 6]) {
      const kcatTopic = `bench-kcat-${partitions}`;
      const kafkajsTopic = `bench-kafkajs-${partitions}`;
      try {
        await createTopic(broker.port, kcatTopic, partitions);
        await createTopic(broker.port, kafkajsTopic, partitions);
      } catch (err) {
        failures.push(`create topics (${partitions} partitions): ${err instanceof Error ? err.message : String(err)}`);
        continue;
      }
      await attempt(`kcat produce ${partitions}p`, () => kcatProduce(broker!, kcatTopic, partitions, inputFile));
      await attempt(`kafkajs produce ${partitions}p`, () => kafkajsProduce(broker!, kafkajsTopic, partitions));
      await attempt(`kcat fetch ${partitions}p`, () => kcatFetch(broker!, kcatTopic, partitions));
      await attempt(`raw fetch ${partitions}p`, () => rawFetch(broker!, kcatTopic, partitions));
    }
  } catch (err) {
    failures.push(`setup: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await broker?.dispose().catch(() => undefined);
    fs.rmSync(work, { recursive: true, force: true });
  }

  const table: Cell[][] = rows.map((r) => [
    r.client,
    r.op,
    r.partitions,
    r.records,
    r.records / r.seconds,
    r.bytes / 1e6 / r.seconds,
    r.p50Ms,
    r.p99Ms,
    r.records / r.seconds / raw.recordsPerSec,
    r.note ?? '',
  ]);
  printTable(
    `broker throughput, ${VALUE_BYTES}-byte values, acks=1, loopback (ratio = records/s / raw sequential append ${Math.round(raw.recordsPerSec).toLocaleString('en-US')} records/s, ${raw.mbPerSec.toFixed(0)} MB/s)`,
    ['client', 'op', 'partitions', 'records', 'records/s', 'MB/s', 'p50 ms', 'p99 ms', 'ratio', 'note'],
    table,
  );
  for (const failure of failures) console.log(`FAILED ${failure}`);
  printFinalJson('broker', {
    valueBytes: VALUE_BYTES,
    rawAppend: raw,
    results: rows.map((r) => ({
      client: r.client,
      op: r.op,
      partitions: r.partitions,
      records: r.records,
      recordsPerSec: r.records / r.seconds,
      MBps: r.bytes / 1e6 / r.seconds,
      p50Ms: r.p50Ms ?? null,
      p99Ms: r.p99Ms ?? null,
      ratioToRawAppend: r.records / r.seconds / raw.recordsPerSec,
    })),
    failures,
  });
}

void main();
