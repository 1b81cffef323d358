/**
 * `npm run bench -- delay`: delayed messages on the built broker, in one run.
 *
 *  1. Ordinary produce (kcat, 100-byte values, acks=1, no delay headers; uncompressed and
 *     lz4) to a broker with delay.enable=true and to one with delay.enable=false, in turn,
 *     best of three runs each: throughput, and the broker's CPU time per record (/proc), whose
 *     on/off ratio is what the feature costs the ordinary path (the issue allows 5%).
 *  2. The same end to end from an application: the SDK's KafkaProducer (acks=all,
 *     idempotent, Java's batching defaults, 100-byte values of varied letters) against the
 *     same two brokers, uncompressed and lz4, rounds interleaved (on then off, off then on,
 *     ...) so drift on shared cores weighs on both: median records/s and the median of each
 *     round's on/off ratio — the figure the issue's 5% is about.
 *  3. The check alone, in process and deterministic: per 16 KB batch (what the SDK sends),
 *     the Produce path's look for delay headers in a batch without them, next to the
 *     ordinary append of the same batch (validation, CRC, log write) as the reference.
 *  4. 1M delayed records across 10 levels (kcat -H x-delay-level=N, one run per level in
 *     parallel; levels 15s..24s, so the queues fill before they fall due): ingest rate,
 *     then, once every record is produced, the broker's CPU time per delivered record
 *     (from /proc, over the stretch where the broker only delivers) and the lateness of
 *     deliveries (acknowledged time minus due time, the schedulers' own p50/p99 over their
 *     last 65,536 deliveries each, from GET /api/delays).
 *
 *   BENCH_DELAY_RECORDS=1000000     delayed records (default 1M)
 *   BENCH_DELAY_ORDINARY=1000000    ordinary records per kcat throughput run (default 1M)
 *   BENCH_DELAY_SDK_RECORDS=300000  ordinary records per SDK run (default 300k)
 *   BENCH_DELAY_SDK_ROUNDS=6        SDK rounds per codec and setting (default 6)
 *   BENCH_DELAY_ONLY=kcat,sdk,check,delayed  the parts to run (default all)
 *
 * Client and broker share the machine's cores: figures are floors, and the on/off ratio is
 * the figure to compare across machines.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DelayedRecords } from '../src/broker/handlers/produce/delayed-records';
import { createDataPath } from '../src/broker/replica/replica-manager.test-helpers';
import { BrokerConfig } from '../src/config/broker.config';
import type { DelayCluster } from '../src/coordinator/delay/delay-cluster';
import type { DelayService } from '../src/coordinator/delay/delay.service';
import { encodeRecordBatch } from '../src/protocol/record-batch/record-batch-encoder';
import { CompressionType } from '../src/protocol/record-batch/record-batch-layout';
import { BrokerProcess } from '../test/support/broker-process';
import { createTopic } from '../test/support/wire-admin';
import { printFinalJson } from './support/report';
import { printTable } from './support/table';
import { median } from './support/timing';
import { WorkerProcess } from './support/worker-process';

const VALUE_BYTES = 100;
const DELAYED = Number(process.env.BENCH_DELAY_RECORDS ?? 1_000_000);
const ORDINARY = Number(process.env.BENCH_DELAY_ORDINARY ?? 1_000_000);
const ORDINARY_ROUNDS = 3;
const SDK_RECORDS = Number(process.env.BENCH_DELAY_SDK_RECORDS ?? 300_000);
const SDK_ROUNDS = Number(process.env.BENCH_DELAY_SDK_ROUNDS ?? 6);
/** Sends outstanding before the SDK loop awaits acknowledgements (bench/client.ts's window). */
const SDK_WINDOW = 20_000;
/** Different values the SDK cycles through: enough that lz4 finds no repeats within a batch. */
const SDK_DISTINCT_VALUES = 4096;
const CODECS = ['none', 'lz4'] as const;
const ONLY = new Set((process.env.BENCH_DELAY_ONLY ?? 'kcat,sdk,check,delayed').split(',').map((s) => s.trim()));
const LEVELS = Array.from({ length: 10 }, (_, i) => `${15 + i}s`);
/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
const CLOCK_TICKS_PER_SECOND = 100;

const seconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

/**
 * One line per record: a 100-byte value of varied letters (a run of one byte would let the
 * produce path's byte search for the delay header keys skip through it unrealistically fast).
 */
function writeInputFile(file: string, records: number, tag: string): void {
  const lines: string[] = [];
  let seed = 12345;
  for (let i = 0; i < records; i++) {
    let line = `${tag}${i}:`;
    while (line.length < VALUE_BYTES) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      line += String.fromCharCode(97 + (seed % 26));
    }
    lines.push(line);
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

function kcatProduce(bootstrap: string, topic: string, inputFile: string, headers: string[] = [], codec = 'none'): Promise<number> {
  return new Promise((resolve, reject) => {
    const stdin = fs.openSync(inputFile, 'r');
    const start = process.hrtime.bigint();
    const args = ['-b', bootstrap, '-P', '-t', topic, '-q', '-X', 'acks=1', '-X', 'linger.ms=5', '-X', 'batch.num.messages=10000', '-X', 'queue.buffering.max.messages=1000000', '-z', codec];
    for (const h of headers) args.push('-H', h);
    const child = spawn('kcat', args, { stdio: [stdin, 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    child.once('error', reject);
    child.once('close', (code) => {
      fs.closeSync(stdin);
      if (code === 0) resolve(seconds(start));
      else reject(new Error(`kcat -P exited ${code}: ${stderr.slice(-1000)}`));
    });
  });
}

/** The broker process's CPU seconds so far (user + system). */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat(5), counted from the state field (3) here.
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

async function delayStats(broker: BrokerProcess): Promise<any> {
  return (await fetch(`${broker.adminUrl}/api/delays`)).json();
}

function delivered(stats: any): number {
  return stats.levels.reduce((n: number, l: any) => n + (l.stats?.delivered ?? 0), 0);
}

interface OrdinaryFigures {
  /** Best kcat throughput over the rounds. */
  recordsPerSec: number;
  /** The broker's CPU time per record over all rounds (/proc counts in 10 ms ticks): steadier than throughput on shared cores. */
  cpuMicrosPerRecord: number;
}

type OrdinaryResults = Record<'none' | 'lz4', { on: OrdinaryFigures; off: OrdinaryFigures }>;

interface Brokers {
  readonly on: BrokerProcess;
  readonly off: BrokerProcess;
}

async function ordinaryProduce(work: string, brokers: Brokers): Promise<OrdinaryResults> {
  const input = path.join(work, 'ordinary.txt');
  writeInputFile(input, ORDINARY, 'o');
  const empty = (): OrdinaryFigures => ({ recordsPerSec: 0, cpuMicrosPerRecord: 0 });
  const results: OrdinaryResults = { none: { on: empty(), off: empty() }, lz4: { on: empty(), off: empty() } };
  for (let round = 0; round < ORDINARY_ROUNDS; round++) {
    for (const codec of CODECS) {
      for (const name of ['on', 'off'] as const) {
        const broker = brokers[name];
        const topic = `ordinary-${codec}-${round}`;
        await createTopic(broker.port, topic, 1);
        const cpuBefore = cpuSeconds(broker.pid!);
        const elapsed = await kcatProduce(broker.bootstrap, topic, input, [], codec);
        const figures = results[codec][name];
        figures.recordsPerSec = Math.max(figures.recordsPerSec, ORDINARY / elapsed);
        figures.cpuMicrosPerRecord += ((cpuSeconds(broker.pid!) - cpuBefore) / (ORDINARY * ORDINARY_ROUNDS)) * 1e6;
      }
    }
  }
  return results;
}

interface SdkFigures {
  /** Median over the rounds. */
  onRecordsPerSec: number;
  offRecordsPerSec: number;
  /** Median of each round's on/off ratio. */
  ratio: number;
  ratios: number[];
  /** The broker's CPU time per record over all rounds (steadier than throughput on shared cores). */
  onCpuMicrosPerRecord: number;
  offCpuMicrosPerRecord: number;
}

/** The SDK's KafkaProducer, one warm worker process per broker, rounds interleaved. */
async function sdkOrdinaryProduce(brokers: Brokers): Promise<Record<(typeof CODECS)[number], SdkFigures>> {
  const workers = { on: new WorkerProcess('client-worker.ts', ['sdk', brokers.on.bootstrap]), off: new WorkerProcess('client-worker.ts', ['sdk', brokers.off.bootstrap]) };
  const run = async (name: 'on' | 'off', codec: (typeof CODECS)[number], topic: string, records: number): Promise<number> => {
    await createTopic(brokers[name].port, topic, 1);
    const m = await workers[name].run({
      op: 'produce',
      topic,
      records,
      valueBytes: VALUE_BYTES,
      idempotent: true,
      window: SDK_WINDOW,
      batch: 1,
      concurrency: 1,
      compression: codec,
      distinctValues: SDK_DISTINCT_VALUES,
    });
    if (m.errors > 0) throw new Error(`SDK produce to ${topic} (delay.enable ${name}): ${m.errors} errors, first: ${m.firstError}`);
    return m.records / m.seconds;
  };
  const cpu = Object.fromEntries(CODECS.map((c) => [c, { on: 0, off: 0 }]));
  const measured = async (name: 'on' | 'off', codec: (typeof CODECS)[number], topic: string): Promise<number> => {
    const before = cpuSeconds(brokers[name].pid!);
    const rate = await run(name, codec, topic, SDK_RECORDS);
    cpu[codec][name] += cpuSeconds(brokers[name].pid!) - before;
    return rate;
  };
  try {
    const samples = Object.fromEntries(CODECS.map((c) => [c, { on: [] as number[], off: [] as number[] }]));
    for (const codec of CODECS) {
      // Warm-up: each worker's JIT and each broker's partition path, not measured.
      for (const name of ['on', 'off'] as const) await run(name, codec, `sdk-warmup-${codec}`, SDK_RECORDS / 3);
    }
    for (let round = 0; round < SDK_ROUNDS; round++) {
      for (const codec of CODECS) {
        const order = round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
        for (const name of order) samples[codec][name].push(await measured(name, codec, `sdk-${codec}-${round}`));
      }
    }
    return Object.fromEntries(
      CODECS.map((codec) => {
        const { on, off } = samples[codec];
        const ratios = on.map((r, i) => r / off[i]);
        const perRecord = (seconds: number): number => (seconds / (SDK_RECORDS * SDK_ROUNDS)) * 1e6;
        return [
          codec,
          { onRecordsPerSec: median(on), offRecordsPerSec: median(off), ratio: median(ratios), ratios, onCpuMicrosPerRecord: perRecord(cpu[codec].on), offCpuMicrosPerRecord: perRecord(cpu[codec].off) },
        ];
      }),
    ) as Record<(typeof CODECS)[number], SdkFigures>;
  } finally {
    await Promise.all([workers.on.stop(), workers.off.stop()]);
  }
}

/** Batches per codec for the in-process check: 3000 x 16 KB written to a temp log. */
const CHECK_BATCHES = 3000;
const CHECK_WARMUP_BATCHES = 500;

/** Per 16 KB batch without delay headers: the delay check's time and the ordinary append's, in process. */
async function checkCost(): Promise<Record<(typeof CODECS)[number], { checkMicros: number; appendMicros: number }>> {
  const fx = createDataPath();
  fx.metadata.addTopic('t', 1);
  // Only a batch with delay headers reaches the queues or the cluster: none does here.
  const check = new DelayedRecords(new BrokerConfig(), fx.replicas, {} as DelayService, {} as DelayCluster);
  let seed = 12345;
  const records = Array.from({ length: 150 }, () => {
    const value = Buffer.allocUnsafe(VALUE_BYTES);
    for (let i = 0; i < VALUE_BYTES; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      value[i] = 97 + ((seed >>> 16) % 26);
    }
    return { value };
  });
  try {
    const out = {} as Record<(typeof CODECS)[number], { checkMicros: number; appendMicros: number }>;
    for (const codec of CODECS) {
      const batch = encodeRecordBatch(records, { compression: codec === 'lz4' ? CompressionType.Lz4 : CompressionType.None });
      const entry = { topic: 't', partition: 0, records: batch };
      let checkNs = 0;
      let appendNs = 0;
      // Both paths compiled and the log's first segment started before anything is timed.
      for (let i = 0; i < CHECK_WARMUP_BATCHES; i++) {
        check.divert(1, 1000, entry);
        batch.writeBigInt64BE(0n, 0);
        fx.replicas.appendRecords(1, 1000, [entry]);
      }
      // Interleaved in slices, so drift weighs on both.
      for (let slice = 0; slice < 10; slice++) {
        let start = process.hrtime.bigint();
        for (let i = 0; i < CHECK_BATCHES / 10; i++) if (check.divert(1, 1000, entry) !== undefined) throw new Error('a batch without delay headers was diverted');
        checkNs += Number(process.hrtime.bigint() - start);
        start = process.hrtime.bigint();
        for (let i = 0; i < CHECK_BATCHES / 10; i++) {
          // The log stamps the base offset into the bytes (outside the CRC): back to 0 as a producer sends it.
          batch.writeBigInt64BE(0n, 0);
          const [outcome] = fx.replicas.appendRecords(1, 1000, [entry]) as Awaited<ReturnType<typeof fx.replicas.appendRecords>>;
          if (outcome.errorCode !== 0) throw new Error(`append failed: ${outcome.errorMessage}`);
        }
        appendNs += Number(process.hrtime.bigint() - start);
      }
      out[codec] = { checkMicros: checkNs / CHECK_BATCHES / 1000, appendMicros: appendNs / CHECK_BATCHES / 1000 };
    }
    return out;
  } finally {
    await fx.close();
  }
}

async function delayedRun(work: string): Promise<Record<string, number | null>> {
  const perLevel = Math.ceil(DELAYED / LEVELS.length);
  const input = path.join(work, 'delayed.txt');
  writeInputFile(input, perLevel, 'd');
  const broker = await BrokerProcess.start({ settings: { 'delay.levels': LEVELS.join(' '), 'delay.tick.ms': 50 } });
  try {
    await createTopic(broker.port, 'delayed', 6);
    const pid = broker.pid!;
    const start = process.hrtime.bigint();
    await Promise.all(LEVELS.map((_, i) => kcatProduce(broker.bootstrap, 'delayed', input, [`x-delay-level=${i + 1}`])));
    const ingestSeconds = seconds(start);
    const total = perLevel * LEVELS.length;
    // From here on the broker only delivers: CPU and delivered counts over this stretch.
    const fromCpu = cpuSeconds(pid);
    const fromDelivered = delivered(await delayStats(broker));
    let stats = await delayStats(broker);
    const deadline = Date.now() + 300_000;
    while (delivered(stats) < total && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      stats = await delayStats(broker);
    }
    const cpu = cpuSeconds(pid) - fromCpu;
    const deliveredInStretch = delivered(stats) - fromDelivered;
    // One broker: the lateness list holds just its entry.
    const [lateness] = stats.lateness;
    return {
      records: total,
      ingestRecordsPerSec: total / ingestSeconds,
      deliveredAfterIngest: deliveredInStretch,
      cpuMicrosPerRecord: deliveredInStretch > 0 ? (cpu / deliveredInStretch) * 1e6 : null,
      latenessP50Ms: lateness.p50,
      latenessP99Ms: lateness.p99,
      latenessSamples: lateness.samples,
      undelivered: total - delivered(stats),
    };
  } finally {
    await broker.dispose();
  }
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kafkanest-bench-delay-'));
  try {
    const brokers = { on: await BrokerProcess.start({ settings: { 'delay.enable': true } }), off: await BrokerProcess.start({ settings: { 'delay.enable': false } }) };
    let ordinary: OrdinaryResults | undefined;
    let sdk: Awaited<ReturnType<typeof sdkOrdinaryProduce>> | undefined;
    try {
      if (ONLY.has('kcat')) ordinary = await ordinaryProduce(work, brokers);
      if (ONLY.has('sdk')) sdk = await sdkOrdinaryProduce(brokers);
    } finally {
      await Promise.all([brokers.on.dispose(), brokers.off.dispose()]);
    }
    if (ordinary) {
      const kcat = ordinary;
      const rows = CODECS.flatMap((codec) => {
        const { on, off } = kcat[codec];
        return [
          [codec, 'false', off.recordsPerSec, 1, off.cpuMicrosPerRecord, 1],
          [codec, 'true', on.recordsPerSec, on.recordsPerSec / off.recordsPerSec, on.cpuMicrosPerRecord, on.cpuMicrosPerRecord / off.cpuMicrosPerRecord],
        ];
      });
      printTable(`Ordinary produce (kcat, ${ORDINARY} records, acks=1, 1 partition; best of ${ORDINARY_ROUNDS}, CPU over all)`, ['compression', 'delay.enable', 'records/s', 'ratio', 'broker CPU µs/record', 'ratio'], rows);
    }
    if (sdk) {
      const figures = sdk;
      printTable(
        `Ordinary produce end to end (SDK KafkaProducer, ${SDK_RECORDS} x ${VALUE_BYTES} B varied values, acks=all, idempotent, 1 partition; median of ${SDK_ROUNDS} interleaved rounds, CPU over all)`,
        ['compression', 'off records/s', 'on records/s', 'on/off (median of rounds)', 'each round', 'broker CPU µs/record off', 'on', 'ratio'],
        CODECS.map((codec) => {
          const f = figures[codec];
          return [codec, f.offRecordsPerSec, f.onRecordsPerSec, f.ratio, f.ratios.map((r) => r.toFixed(3)).join(' '), f.offCpuMicrosPerRecord, f.onCpuMicrosPerRecord, f.onCpuMicrosPerRecord / f.offCpuMicrosPerRecord];
        }),
      );
    }
    const check = ONLY.has('check') ? await checkCost() : undefined;
    if (check) {
      printTable(
        `The check alone, in process (a 16 KB batch of 150 x ${VALUE_BYTES} B records without delay headers, ${CHECK_BATCHES} batches)`,
        ['compression', 'check µs/batch', 'ordinary append µs/batch', 'check / append'],
        CODECS.map((codec) => [codec, check[codec].checkMicros, check[codec].appendMicros, check[codec].checkMicros / check[codec].appendMicros]),
      );
    }
    const delayed = ONLY.has('delayed') ? await delayedRun(work) : undefined;
    if (delayed) {
      printTable(`Delayed records (kcat -H x-delay-level=1..${LEVELS.length}, levels ${LEVELS[0]}..${LEVELS[LEVELS.length - 1]})`, ['figure', 'value'], [
        ['records', delayed.records],
        ['ingest records/s', delayed.ingestRecordsPerSec],
        ['delivered after ingest', delayed.deliveredAfterIngest],
        ['broker CPU µs per delivered record', delayed.cpuMicrosPerRecord],
        ['lateness p50 ms', delayed.latenessP50Ms],
        ['lateness p99 ms', delayed.latenessP99Ms],
        ['undelivered at the end', delayed.undelivered],
      ]);
    }
    printFinalJson('delay', { ordinaryRecords: ORDINARY, ordinary, sdkRecords: SDK_RECORDS, sdk, check, delayed });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

void main();
