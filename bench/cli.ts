/**
 * `npm run bench -- cli`: `kafkanest producer-perf-test` (the built bin, the SDK's
 * producer) beside kcat (librdkafka) producing the same records to the same built broker
 * in the same run: RECORDS values of 100 bytes, null keys, acks=all, linger.ms=5, to a
 * fresh topic of PARTITIONS partitions per case and round. Both are timed from spawn to
 * exit (process start, metadata and the final acknowledgements included), so the ratio
 * compares what a user waits for; the perf tool's own figure (its clock starts after
 * connecting) and its latency percentiles are shown beside. Rounds are interleaved so
 * drift on a shared machine weighs on both tools; the ratio compares medians. Reporting
 * only: nothing here fails.
 *
 *   BENCH_CLI_RECORDS=500000   records per case and round (default 500k)
 *   BENCH_CLI_ROUNDS=3         measured rounds (default 3)
 *   BENCH_CLI_PARTITIONS=6     partitions per topic (default 6)
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KafkaAdmin } from '../src/client/admin/kafka-admin';
import { BROKER_MAIN, BrokerProcess } from '../test/support/broker-process';
import { createTopic } from '../test/support/wire-admin';
import { printFinalJson } from './support/report';
import { printTable } from './support/table';
import { median } from './support/timing';

const VALUE_BYTES = 100;
const RECORDS = Number(process.env.BENCH_CLI_RECORDS ?? 500_000);
const ROUNDS = Number(process.env.BENCH_CLI_ROUNDS ?? 3);
const PARTITIONS = Number(process.env.BENCH_CLI_PARTITIONS ?? 6);
const FINAL_LINE = /^(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th\.$/m;

interface TimedRun {
  readonly code: number | null;
  readonly seconds: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end with stdin from `inputFile` (or none), timing spawn to exit. */
function runTimed(command: string, args: readonly string[], inputFile?: string): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const stdin = inputFile ? fs.openSync(inputFile, 'r') : 'ignore';
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { stdio: [stdin, 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (typeof stdin === 'number') fs.closeSync(stdin);
      resolve({ code, seconds: Number(process.hrtime.bigint() - started) / 1e9, stdout, stderr });
    });
  });
}

interface Sample {
  readonly seconds: number;
  /** The perf tool's own figures; kcat reports none. */
  readonly reported?: { recordsPerSec: number; p50: number; p99: number };
}

async function kafkanestRound(broker: BrokerProcess, topic: string): Promise<Sample> {
  const run = await runTimed(process.execPath, [
    BROKER_MAIN, 'producer-perf-test', '--bootstrap-server', broker.bootstrap, '--topic', topic,
    '--num-records', String(RECORDS), '--record-size', String(VALUE_BYTES), '--throughput', '-1',
    '--producer-props', 'acks=all', 'linger.ms=5',
  ]);
  const line = FINAL_LINE.exec(run.stdout);
  if (run.code !== 0 || !line) throw new Error(`producer-perf-test exited ${run.code}: ${run.stderr.slice(-2000)}${run.stdout.slice(-500)}`);
  return { seconds: run.seconds, reported: { recordsPerSec: Number(line[2]), p50: Number(line[6]), p99: Number(line[8]) } };
}

async function kcatRound(broker: BrokerProcess, topic: string, inputFile: string): Promise<Sample> {
  const run = await runTimed(
    'kcat',
    ['-b', broker.bootstrap, '-P', '-t', topic, '-q', '-X', 'acks=all', '-X', 'linger.ms=5', '-X', 'batch.num.messages=10000', '-X', 'queue.buffering.max.messages=1000000'],
    inputFile,
  );
  if (run.code !== 0) throw new Error(`kcat -P exited ${run.code}: ${run.stderr.slice(-2000)}`);
  return { seconds: run.seconds };
}

async function main(): Promise<void> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kafkanest-bench-cli-'));
  const inputFile = path.join(workDir, 'values.txt');
  // The same bytes for both tools: 100 upper-case letters per line, as producer-perf-test makes its payload.
  const line = Buffer.alloc(VALUE_BYTES + 1, 'A');
  line[VALUE_BYTES] = 10;
  const fd = fs.openSync(inputFile, 'w');
  const chunk = Buffer.concat(Array.from({ length: 10_000 }, () => line));
  for (let written = 0; written < RECORDS; written += 10_000) fs.writeSync(fd, written + 10_000 <= RECORDS ? chunk : chunk.subarray(0, (RECORDS - written) * line.length));
  fs.closeSync(fd);

  const broker = await BrokerProcess.start();
  const admin = new KafkaAdmin({ bootstrapServers: broker.bootstrap });
  const samples = { kafkanest: [] as Sample[], kcat: [] as Sample[] };
  /** A round counts only if every record is in the topic. */
  const checked = async (topic: string, sample: Sample): Promise<Sample> => {
    const partitions = Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition }));
    const stored = (await admin.listOffsets(partitions, 'latest')).reduce((sum, o) => sum + o.offset, 0);
    if (stored !== RECORDS) throw new Error(`${topic}: ${stored} records stored, ${RECORDS} sent`);
    return sample;
  };
  try {
    await admin.connect();
    let topics = 0;
    const fresh = async (): Promise<string> => {
      const topic = `bench-cli-${++topics}`;
      await createTopic(broker.port, topic, PARTITIONS);
      return topic;
    };
    // Warm-up (the broker's JIT, the page cache), not measured.
    await kcatRound(broker, await fresh(), inputFile);
    await kafkanestRound(broker, await fresh());
    for (let round = 0; round < ROUNDS; round++) {
      let topic = await fresh();
      samples.kafkanest.push(await checked(topic, await kafkanestRound(broker, topic)));
      topic = await fresh();
      samples.kcat.push(await checked(topic, await kcatRound(broker, topic, inputFile)));
    }
  } finally {
    await admin.close();
    await broker.dispose();
    fs.rmSync(workDir, { recursive: true, force: true });
  }

  const rate = (s: readonly Sample[]) => RECORDS / median(s.map((x) => x.seconds));
  const ours = rate(samples.kafkanest);
  const kcat = rate(samples.kcat);
  const reported = samples.kafkanest.map((s) => s.reported!);
  printTable(
    `Produce ${RECORDS.toLocaleString('en-US')} x ${VALUE_BYTES} B, ${PARTITIONS} partitions, acks=all, median of ${ROUNDS} rounds (spawn to exit)`,
    ['tool', 'records/s', 'MB/s', 'best s', 'median s', 'tool-reported rec/s', 'p50 ms', 'p99 ms'],
    [
      ['kafkanest producer-perf-test', ours, (ours * VALUE_BYTES) / 1e6, Math.min(...samples.kafkanest.map((s) => s.seconds)), RECORDS / ours, median(reported.map((r) => r.recordsPerSec)), median(reported.map((r) => r.p50)), median(reported.map((r) => r.p99))],
      ['kcat -P (librdkafka)', kcat, (kcat * VALUE_BYTES) / 1e6, Math.min(...samples.kcat.map((s) => s.seconds)), RECORDS / kcat, null, null, null],
    ],
  );
  console.log(`\nratio kafkanest producer-perf-test / kcat (records/s, spawn to exit): ${(ours / kcat).toFixed(2)}`);
  printFinalJson('cli', {
    records: RECORDS,
    valueBytes: VALUE_BYTES,
    partitions: PARTITIONS,
    rounds: ROUNDS,
    kafkanestRecordsPerSec: ours,
    kcatRecordsPerSec: kcat,
    ratio: ours / kcat,
    kafkanestReportedRecordsPerSec: median(reported.map((r) => r.recordsPerSec)),
    kafkanestP50Ms: median(reported.map((r) => r.p50)),
    kafkanestP99Ms: median(reported.map((r) => r.p99)),
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
