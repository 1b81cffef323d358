/**
 * `npm run bench -- client`: the SDK's producer and consumer (src/client) beside kafkajs
 * 2.2 and @platformatic/kafka 1.x, all against one built broker (a child process on
 * loopback), 100-byte values, null keys, in the same run.
 *
 * The SDK is measured as built (dist/, which `npm run bench` builds first), as an
 * application loads it. Every client library runs in a worker process of its own
 * (bench/support/*-worker), so no client's heap, timers or JIT state weigh on
 * another's figures; this process only orders the work and prints. Rounds are interleaved (each round runs every case once)
 * so drift on a shared machine spreads over all clients; an unmeasured warm-up round of
 * a tenth of the records comes first. Each case reports the median and the best of its
 * rounds; the ratios compare medians.
 *
 * Produce: each case and round writes a fresh topic of PARTITIONS partitions, acks=all.
 *   SDK: one send() per record (KafkaProducer, or KafkaTemplate over it), not awaited,
 *   at most SDK_WINDOW outstanding; Java's defaults: batch.size 16384, linger.ms 5,
 *   buffer.memory 32 MiB, max.in.flight 5; sticky partitioner for null keys.
 *   kafkajs / @platformatic/kafka: CONCURRENCY loops, each awaiting send() of BATCH
 *   messages (a send is one Produce request per broker; nothing lingers); round-robin
 *   per message for null keys. Idempotent: kafkajs lets one request per broker be in
 *   flight; @platformatic/kafka gets one send at a time, since it advances sequence
 *   numbers only when a response arrives (concurrent idempotent sends reuse them and
 *   fail with OUT_OF_ORDER_SEQUENCE_NUMBER). No compression anywhere
 *   (@platformatic/kafka's zstd needs Node >= 22).
 * Consume: CONSUME_RECORDS pre-produced on PARTITIONS partitions, read from the start;
 *   the clock runs from assign()/subscribe()/run()/consume() to the last record, so group
 *   rows include joining (group.initial.rebalance.delay.ms=0 on the broker). Every
 *   client reads each value's length. SDK: poll() loop, max.poll.records 500, 1 MiB per
 *   partition, buffer deserializers; kafkajs: eachBatch; @platformatic/kafka: the
 *   stream's 'data' events. Fetch sizes 1 MiB per partition for all; commits every 5 s
 *   for the group members.
 *
 *   BENCH_CLIENT_PRODUCE=500000    records per produce case and round (default 500k)
 *   BENCH_CLIENT_CONSUME=1000000   records read per consume case and round (default 1M)
 *   BENCH_CLIENT_ROUNDS=3          measured rounds (default 3)
 *   BENCH_CLIENT_PARTITIONS=6      partitions per topic (default 6)
 *   BENCH_CLIENT_ONLY=sdk          run only these clients (comma-separated: sdk, kafkajs, platformatic)
 *   BENCH_CLIENT_CPU_PROF=dir      write a V8 CPU profile of the SDK worker into dir
 *   BENCH_CLIENT_SDK=src           the SDK's sources (via swc) instead of dist/; or an absolute path to another build
 */
import * as path from 'node:path';
import { BrokerProcess } from '../test/support/broker-process';
import { createTopic } from '../test/support/wire-admin';
import { printFinalJson } from './support/report';
import { printTable, type Cell } from './support/table';
import type { Measurement } from './support/worker-protocol';
import { WorkerProcess } from './support/worker-process';

const VALUE_BYTES = 100;
const PRODUCE_RECORDS = Number(process.env.BENCH_CLIENT_PRODUCE ?? 500_000);
const CONSUME_RECORDS = Number(process.env.BENCH_CLIENT_CONSUME ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_CLIENT_ROUNDS ?? 3);
const PARTITIONS = Number(process.env.BENCH_CLIENT_PARTITIONS ?? 6);
const WARMUP_FRACTION = 0.1;
/**
 * SDK: sends outstanding before the loop awaits acknowledgements (2 MB of values, well
 * under buffer.memory). Larger windows measured no faster: more records wait in old
 * space for their acknowledgements, so collection costs more.
 */
const SDK_WINDOW = 20_000;
/** Batch APIs: messages per send() and send() loops at once. */
const BATCH = 1000;
const CONCURRENCY = 4;

type ClientName = 'sdk' | 'kafkajs' | 'platformatic';
const CLIENT_LABEL: Record<ClientName, string> = { sdk: 'SDK', kafkajs: 'kafkajs', platformatic: '@platformatic/kafka' };
const ONLY = new Set((process.env.BENCH_CLIENT_ONLY ?? 'sdk,kafkajs,platformatic').split(',').map((s) => s.trim()));

interface ProduceCase {
  readonly client: ClientName;
  readonly api: string;
  readonly idempotent: boolean;
  readonly window: number;
  readonly batch: number;
  readonly concurrency: number;
  readonly note: string;
}

interface ConsumeCase {
  readonly client: ClientName;
  readonly api: string;
  readonly group: boolean;
  readonly note: string;
}

const PRODUCE_CASES: readonly ProduceCase[] = [
  { client: 'sdk', api: 'KafkaProducer', idempotent: false, window: SDK_WINDOW, batch: 1, concurrency: 1, note: `send() per record, <= ${SDK_WINDOW / 1000}k unacked; batch.size 16384, linger.ms 5` },
  { client: 'sdk', api: 'KafkaProducer', idempotent: true, window: SDK_WINDOW, batch: 1, concurrency: 1, note: 'as above, idempotence on (the default)' },
  { client: 'sdk', api: 'KafkaTemplate', idempotent: true, window: SDK_WINDOW, batch: 1, concurrency: 1, note: 'template.send(topic, value) over the same producer' },
  { client: 'kafkajs', api: 'producer.send', idempotent: false, window: 0, batch: BATCH, concurrency: CONCURRENCY, note: `${CONCURRENCY} x send() of ${BATCH} in flight` },
  { client: 'kafkajs', api: 'producer.send', idempotent: true, window: 0, batch: BATCH, concurrency: CONCURRENCY, note: `${CONCURRENCY} x send() of ${BATCH}; kafkajs sends 1 request per broker at a time` },
  { client: 'platformatic', api: 'producer.send', idempotent: false, window: 0, batch: BATCH, concurrency: CONCURRENCY, note: `${CONCURRENCY} x send() of ${BATCH} in flight` },
  { client: 'platformatic', api: 'producer.send', idempotent: true, window: 0, batch: BATCH, concurrency: 1, note: `1 x send() of ${BATCH} (concurrent idempotent sends reuse sequences)` },
];

const CONSUME_CASES: readonly ConsumeCase[] = [
  { client: 'sdk', api: 'KafkaConsumer assign()', group: false, note: 'poll() loop, no group' },
  { client: 'sdk', api: 'KafkaConsumer subscribe()', group: true, note: 'poll() loop, joins a fresh group' },
  { client: 'kafkajs', api: 'consumer.run eachBatch', group: true, note: 'joins a fresh group' },
  { client: 'platformatic', api: 'consumer.consume stream', group: true, note: "joins a fresh group; 'data' per message" },
];

interface CaseResult<C> {
  readonly spec: C;
  readonly samples: Measurement[];
  readonly failures: string[];
}

interface Summary {
  readonly rounds: number;
  readonly median?: number;
  readonly best?: number;
  readonly errors: number;
  readonly firstError?: string;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const runId = Date.now().toString(36);

function summarize(samples: readonly Measurement[]): Summary {
  const rates = samples.map((s) => s.records / s.seconds).sort((a, b) => a - b);
  const errors = samples.reduce((n, s) => n + s.errors, 0);
  return {
    rounds: rates.length,
    // Even counts: the lower middle, so a figure is always one a round really reached.
    median: rates.length ? rates[Math.floor((rates.length - 1) / 2)] : undefined,
    best: rates.at(-1),
    errors,
    firstError: samples.find((s) => s.firstError)?.firstError,
  };
}

function workerFor(client: ClientName, broker: BrokerProcess): WorkerProcess {
  if (client === 'platformatic') return new WorkerProcess('platformatic-worker.mjs', [broker.bootstrap]);
  const profileDir = process.env.BENCH_CLIENT_CPU_PROF;
  const nodeArgs = client === 'sdk' && profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`] : [];
  return new WorkerProcess('client-worker.ts', [client, broker.bootstrap], nodeArgs);
}

const ratio = (value: number | undefined, reference: number | undefined): number | undefined =>
  value !== undefined && reference !== undefined && reference > 0 ? value / reference : undefined;

async function main(): Promise<void> {
  const started = process.hrtime.bigint();
  const failures: string[] = [];
  const produced: CaseResult<ProduceCase>[] = PRODUCE_CASES.filter((c) => ONLY.has(c.client)).map((spec) => ({ spec, samples: [], failures: [] }));
  const consumed: CaseResult<ConsumeCase>[] = CONSUME_CASES.filter((c) => ONLY.has(c.client)).map((spec) => ({ spec, samples: [], failures: [] }));
  let broker: BrokerProcess | undefined;
  const workers = new Map<ClientName, WorkerProcess>();
  let preProduced: Measurement | undefined;
  try {
    broker = await BrokerProcess.start({ settings: { 'group.initial.rebalance.delay.ms': 0 } });
    for (const client of ONLY) if (client in CLIENT_LABEL) workers.set(client as ClientName, workerFor(client as ClientName, broker));
    const worker = (client: ClientName): WorkerProcess => workers.get(client)!;

    // Round 0 is the warm-up: a tenth of the records, not reported.
    let topicSeq = 0;
    for (let round = 0; round <= ROUNDS; round++) {
      const records = round === 0 ? Math.ceil(PRODUCE_RECORDS * WARMUP_FRACTION) : PRODUCE_RECORDS;
      for (const result of produced) {
        const c = result.spec;
        try {
          const topic = `bench-produce-${c.client}-${topicSeq++}`;
          await createTopic(broker.port, topic, PARTITIONS);
          const m = await worker(c.client).run({
            op: 'produce',
            topic,
            records,
            valueBytes: VALUE_BYTES,
            idempotent: c.idempotent,
            api: c.api === 'KafkaTemplate' ? 'template' : 'producer',
            window: c.window,
            batch: c.batch,
            concurrency: c.concurrency,
          });
          if (round > 0) result.samples.push(m);
        } catch (err) {
          result.failures.push(`round ${round}: ${message(err)}`);
        }
      }
    }

    const consumeTopic = 'bench-consume';
    await createTopic(broker.port, consumeTopic, PARTITIONS);
    // The SDK's worker writes the topic (any client would do; it is the quickest), unmeasured.
    const writer = workers.get('sdk') ?? workerFor('sdk', broker);
    preProduced = await writer.run({ op: 'produce', topic: consumeTopic, records: CONSUME_RECORDS, valueBytes: VALUE_BYTES, idempotent: true, window: SDK_WINDOW, batch: 1, concurrency: 1 });
    if (!workers.has('sdk')) await writer.stop();
    if (preProduced.errors > 0) throw new Error(`pre-producing ${consumeTopic}: ${preProduced.errors} records failed (${preProduced.firstError})`);
    for (let round = 0; round <= ROUNDS; round++) {
      const records = round === 0 ? Math.ceil(CONSUME_RECORDS * WARMUP_FRACTION) : CONSUME_RECORDS;
      for (const result of consumed) {
        const c = result.spec;
        try {
          const groupId = c.group ? `bench-${c.client}-${runId}-${round}` : null;
          const m = await worker(c.client).run({ op: 'consume', topic: consumeTopic, partitions: PARTITIONS, records, groupId });
          if (m.records !== records || m.bytes !== records * VALUE_BYTES) throw new Error(`read ${m.records} records, ${m.bytes} value bytes; expected ${records}, ${records * VALUE_BYTES}`);
          if (round > 0) result.samples.push(m);
        } catch (err) {
          result.failures.push(`round ${round}: ${message(err)}`);
        }
      }
    }
  } catch (err) {
    failures.push(`setup: ${message(err)}`);
  } finally {
    for (const w of workers.values()) await w.stop().catch(() => undefined);
    await broker?.dispose().catch(() => undefined);
  }
  const totalSeconds = Number(process.hrtime.bigint() - started) / 1e9;

  // Ratios: a row's median over the reference client's median with the same idempotence (produce) or the group member (consume).
  const produceSummaries = produced.map((r) => ({ r, s: summarize(r.samples) }));
  const produceReference = (client: ClientName, idempotent: boolean) => produceSummaries.find((x) => x.r.spec.client === client && x.r.spec.idempotent === idempotent)?.s.median;
  const produceRatios = produceSummaries.map(({ r, s }) => ({
    kafkajs: r.spec.client === 'sdk' ? ratio(s.median, produceReference('kafkajs', r.spec.idempotent)) : undefined,
    platformatic: r.spec.client === 'sdk' ? ratio(s.median, produceReference('platformatic', r.spec.idempotent)) : undefined,
  }));
  printTable(
    `producer, ${VALUE_BYTES}-byte values, null keys, acks=all, no compression, ${PARTITIONS} partitions, ${PRODUCE_RECORDS.toLocaleString('en-US')} records per round, median and best of ${ROUNDS} (x = SDK median / the other client's median at the same idempotence)`,
    ['client', 'api', 'idempotent', 'rounds', 'median rec/s', 'best rec/s', 'MB/s', 'errors', 'x kafkajs', 'x platformatic', 'settings'],
    produceSummaries.map(({ r, s }, i): Cell[] => [
      CLIENT_LABEL[r.spec.client],
      r.spec.api,
      r.spec.idempotent ? 'yes' : 'no',
      s.rounds,
      s.median,
      s.best,
      s.median !== undefined ? (s.median * VALUE_BYTES) / 1e6 : undefined,
      s.errors ? `${s.errors} (${s.firstError})` : 0,
      produceRatios[i].kafkajs,
      produceRatios[i].platformatic,
      r.spec.note,
    ]),
  );

  const consumeSummaries = consumed.map((r) => ({ r, s: summarize(r.samples) }));
  const consumeReference = (client: ClientName) => consumeSummaries.find((x) => x.r.spec.client === client)?.s.median;
  const consumeRatios = consumeSummaries.map(({ r, s }) => ({
    kafkajs: r.spec.client === 'sdk' ? ratio(s.median, consumeReference('kafkajs')) : undefined,
    platformatic: r.spec.client === 'sdk' ? ratio(s.median, consumeReference('platformatic')) : undefined,
  }));
  printTable(
    `consumer, ${CONSUME_RECORDS.toLocaleString('en-US')} records of ${VALUE_BYTES} bytes on ${PARTITIONS} partitions read from the beginning, median and best of ${ROUNDS}, group rows include the join (x = SDK median / the other client's median)`,
    ['client', 'api', 'group', 'rounds', 'median rec/s', 'best rec/s', 'MB/s', 'median s', 'x kafkajs', 'x platformatic', 'settings'],
    consumeSummaries.map(({ r, s }, i): Cell[] => [
      CLIENT_LABEL[r.spec.client],
      r.spec.api,
      r.spec.group ? 'yes' : 'no',
      s.rounds,
      s.median,
      s.best,
      s.median !== undefined ? (s.median * VALUE_BYTES) / 1e6 : undefined,
      s.median !== undefined ? CONSUME_RECORDS / s.median : undefined,
      consumeRatios[i].kafkajs,
      consumeRatios[i].platformatic,
      r.spec.note,
    ]),
  );
  for (const r of [...produced, ...consumed]) for (const f of r.failures) failures.push(`${CLIENT_LABEL[r.spec.client]} ${r.spec.api}: ${f}`);
  for (const failure of failures) console.log(`FAILED ${failure}`);
  console.log(`\n(whole run ${totalSeconds.toFixed(1)} s; consume topic written by the SDK at ${preProduced ? Math.round(preProduced.records / preProduced.seconds).toLocaleString('en-US') : '-'} rec/s)`);

  printFinalJson('client', {
    valueBytes: VALUE_BYTES,
    partitions: PARTITIONS,
    produceRecords: PRODUCE_RECORDS,
    consumeRecords: CONSUME_RECORDS,
    rounds: ROUNDS,
    produce: produceSummaries.map(({ r, s }, i) => ({
      client: r.spec.client,
      api: r.spec.api,
      idempotent: r.spec.idempotent,
      rounds: s.rounds,
      medianRecordsPerSec: s.median ?? null,
      bestRecordsPerSec: s.best ?? null,
      errors: s.errors,
      ratioToKafkajs: produceRatios[i].kafkajs ?? null,
      ratioToPlatformatic: produceRatios[i].platformatic ?? null,
    })),
    consume: consumeSummaries.map(({ r, s }, i) => ({
      client: r.spec.client,
      api: r.spec.api,
      group: r.spec.group,
      rounds: s.rounds,
      medianRecordsPerSec: s.median ?? null,
      bestRecordsPerSec: s.best ?? null,
      ratioToKafkajs: consumeRatios[i].kafkajs ?? null,
      ratioToPlatformatic: consumeRatios[i].platformatic ?? null,
    })),
    totalSeconds,
    failures,
  });
}

void main();
