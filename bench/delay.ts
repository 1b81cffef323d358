/**
 * `npm run bench -- delay`: delayed messages on the built broker, in one run.
 *
 *  1. Ordinary produce (kcat, 100-byte values, acks=1, no delay headers; uncompressed and
 *     lz4) to a broker with delay.enable=true and to one with delay.enable=false, in turn,
 *     best of three runs each: throughput, and the broker's CPU time per record (/proc), whose
 *     on/off ratio is what the feature costs the ordinary path (the issue allows 5%).
 *  2. 1M delayed records across 10 levels (kcat -H x-delay-level=N, one run per level in
 *     parallel; levels 15s..24s, so the queues fill before they fall due): ingest rate,
 *     then, once every record is produced, the broker's CPU time per delivered record
 *     (from /proc, over the stretch where the broker only delivers) and the lateness of
 *     deliveries (acknowledged time minus due time, the schedulers' own p50/p99 over their
 *     last 65,536 deliveries each, from GET /api/delays).
 *
 *   BENCH_DELAY_RECORDS=1000000     delayed records (default 1M)
 *   BENCH_DELAY_ORDINARY=1000000    ordinary records per throughput run (default 1M)
 *
 * Client and broker share the machine's cores: figures are floors, and the on/off ratio is
 * the figure to compare across machines.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BrokerProcess } from '../test/support/broker-process';
import { createTopic } from '../test/support/wire-admin';
import { printFinalJson } from './support/report';
import { printTable } from './support/table';

const VALUE_BYTES = 100;
const DELAYED = Number(process.env.BENCH_DELAY_RECORDS ?? 1_000_000);
const ORDINARY = Number(process.env.BENCH_DELAY_ORDINARY ?? 1_000_000);
const ORDINARY_ROUNDS = 3;
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

async function ordinaryProduce(work: string): Promise<OrdinaryResults> {
  const input = path.join(work, 'ordinary.txt');
  writeInputFile(input, ORDINARY, 'o');
  const on = await BrokerProcess.start({ settings: { 'delay.enable': true } });
  const off = await BrokerProcess.start({ settings: { 'delay.enable': false } });
  const empty = (): OrdinaryFigures => ({ recordsPerSec: 0, cpuMicrosPerRecord: 0 });
  const results: OrdinaryResults = { none: { on: empty(), off: empty() }, lz4: { on: empty(), off: empty() } };
  try {
    for (let round = 0; round < ORDINARY_ROUNDS; round++) {
      for (const codec of ['none', 'lz4'] as const) {
        for (const [name, broker] of [['on', on], ['off', off]] as const) {
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
  } finally {
    await on.dispose();
    await off.dispose();
  }
  return results;
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
    return {
      records: total,
      ingestRecordsPerSec: total / ingestSeconds,
      deliveredAfterIngest: deliveredInStretch,
      cpuMicrosPerRecord: deliveredInStretch > 0 ? (cpu / deliveredInStretch) * 1e6 : null,
      latenessP50Ms: stats.lateness.p50,
      latenessP99Ms: stats.lateness.p99,
      latenessSamples: stats.lateness.samples,
      undelivered: total - delivered(stats),
    };
  } finally {
    await broker.dispose();
  }
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kafkanest-bench-delay-'));
  try {
    const ordinary = await ordinaryProduce(work);
    const rows = (['none', 'lz4'] as const).flatMap((codec) => {
      const { on, off } = ordinary[codec];
      return [
        [codec, 'false', off.recordsPerSec, 1, off.cpuMicrosPerRecord, 1],
        [codec, 'true', on.recordsPerSec, on.recordsPerSec / off.recordsPerSec, on.cpuMicrosPerRecord, on.cpuMicrosPerRecord / off.cpuMicrosPerRecord],
      ];
    });
    printTable(`Ordinary produce (kcat, ${ORDINARY} records, acks=1, 1 partition; best of ${ORDINARY_ROUNDS}, CPU over all)`, ['compression', 'delay.enable', 'records/s', 'ratio', 'broker CPU µs/record', 'ratio'], rows);
    const delayed = await delayedRun(work);
    printTable(`Delayed records (kcat -H x-delay-level=1..${LEVELS.length}, levels ${LEVELS[0]}..${LEVELS[LEVELS.length - 1]})`, ['figure', 'value'], [
      ['records', delayed.records],
      ['ingest records/s', delayed.ingestRecordsPerSec],
      ['delivered after ingest', delayed.deliveredAfterIngest],
      ['broker CPU µs per delivered record', delayed.cpuMicrosPerRecord],
      ['lateness p50 ms', delayed.latenessP50Ms],
      ['lateness p99 ms', delayed.latenessP99Ms],
      ['undelivered at the end', delayed.undelivered],
    ]);
    printFinalJson('delay', { ordinaryRecords: ORDINARY, ordinary, delayed });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

void main();
