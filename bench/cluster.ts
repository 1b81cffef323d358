/**
 * `npm run bench -- cluster`: three built brokers (child processes on loopback) on a
 * ZooKeeper the bench starts (Debian's, via scripts/zookeeper.js).
 *
 * 1. Produce throughput with replication. One producer, our SDK's KafkaProducer as built
 *    (dist/, as an application loads it; the fastest producer we have, see bench/client),
 *    in this process: send() per record with a callback, at most WINDOW unacknowledged,
 *    no idempotence, Java's defaults otherwise (batch.size 16384, linger.ms 5, 5 requests
 *    in flight). 100-byte values, null keys, a fresh 6-partition topic per case and round
 *    (the shape of Kafka's 2014 benchmark: leaders spread over the three brokers).
 *    Cases: RF 1 acks=1 (the reference), RF 3 acks=1, RF 3 acks=all (min.insync.replicas
 *    1, so acks=all waits for the whole ISR, all three replicas). Rounds are interleaved
 *    (each runs every case once) after an unmeasured warm-up round; the ratio compares
 *    medians. Column "replicated/s" runs the clock until the high watermarks cover every
 *    record (every replica holds it): with acks=1 the followers may still be copying when
 *    the last acknowledgement arrives, and the next case waits for them so it does not
 *    compete with this one's replication. Beside the ratio, Kafka's figures from
 *    "Benchmarking Apache Kafka: 2 Million Writes Per Second (On Three Cheap Machines)"
 *    (Kreps, 2014), one producer thread, 6 partitions: no replication 821,557 records/s,
 *    3x asynchronous 786,980 (0.96), 3x synchronous (acks=all) 421,823 (0.51). There
 *    each broker had a machine of its
 *    own; here three brokers, ZooKeeper and the producer share this machine's cores, so
 *    the followers' fetching competes with the leaders for CPU: compare shapes.
 * 2. Failover: a fresh topic (3 partitions, RF 3, so each broker leads one), the leader of
 *    one partition killed with SIGKILL, then the clock runs until the first acks=all
 *    Produce to that partition succeeds. Probes are raw Produce v7 requests (one batch of
 *    one record) sent every PROBE_INTERVAL_MS to both survivors over connections opened
 *    before the kill, at most one in flight per broker, so no client's metadata refresh
 *    or back-off is in the figure (its resolution is the interval). The brokers run with
 *    zookeeper.session.timeout.ms=6000 (Kafka's default is 18000): the dead broker is
 *    noticed when its session expires, and that dominates. Column "state" is when the
 *    partition's state node in ZooKeeper first names another leader (the controller's
 *    decision), "produce" when the new leader first accepts a write. Repetitions kill a
 *    leader that is not the controller; one more kills the leader that is also the
 *    controller (a controller election comes first). The killed broker is restarted and
 *    back in the ISR before the next repetition. The same repetitions are then made with
 *    SIGTERM instead: a controlled shutdown hands leadership over before the broker closes
 *    anything, so the session timeout should drop out of the figure (ratio to SIGKILL).
 *
 *   BENCH_CLUSTER_RECORDS=1000000  records per produce case and round (default 500k)
 *   BENCH_CLUSTER_ROUNDS=3         measured produce rounds (default 3)
 *   BENCH_CLUSTER_FAILOVERS=5      failover repetitions of a non-controller leader (default 3)
 */
import { resolve } from 'node:path';
import { startZooKeeper, type ZooKeeperServerHandle } from '../scripts/zookeeper';
import type * as ProducerModule from '../src/client/producer/kafka-producer';
import { CreateTopicsApi, encodeRecordBatch, ErrorCode, errorName, ListOffsetsApi, ProduceApi } from '../src/protocol';
import type { MetadataStoreLogger } from '../src/zk/metadata-store';
import { ControllerAccessor } from '../src/zk/accessors/controller.accessor';
import { PartitionStatesAccessor, type PartitionState } from '../src/zk/accessors/partition-state.accessor';
import { ZkPaths } from '../src/zk/zk-paths';
import { ZooKeeperMetadataStore } from '../src/zk/zookeeper-metadata-store';
import { BrokerProcess } from '../test/support/broker-process';
import { KafkaWireClient } from '../test/support/kafka-wire-client';
import { waitFor } from '../test/support/wait-for';
import { negotiatedVersion } from '../test/support/wire-admin';
import { printFinalJson } from './support/report';
import { printTable, type Cell } from './support/table';

const BROKERS = 3;
const VALUE_BYTES = 100;
const PARTITIONS = 6;
const RECORDS = Number(process.env.BENCH_CLUSTER_RECORDS ?? 500_000);
const ROUNDS = Number(process.env.BENCH_CLUSTER_ROUNDS ?? 3);
const WARMUP_FRACTION = 0.25;
/** Sends outstanding before the loop waits for acknowledgements (2 MB of values, under buffer.memory). */
const WINDOW = 20_000;
const FAILOVERS = Number(process.env.BENCH_CLUSTER_FAILOVERS ?? 3);
const SESSION_TIMEOUT_MS = 6_000;
const PROBE_INTERVAL_MS = 20;
/** ListOffsets: as a consumer (the leader answers up to its high watermark), the latest offset. */
const CONSUMER = -1;
const LATEST = -1;
/** Give up on one failover after this long: a broken election must not hang the bench. */
const FAILOVER_LIMIT_MS = 30_000;

/** Kafka 0.8.1 on three machines, 2014: records/s for one producer thread, 6 partitions, 100-byte records. */
const KAFKA_2014 = { rf1: 821_557, rf3Async: 786_980, rf3Sync: 421_823 };

const quiet: MetadataStoreLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };
const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const median = (values: readonly number[]): number | undefined => {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ZERO_TIME = process.hrtime.bigint();
const nowMs = (): number => Number(process.hrtime.bigint() - ZERO_TIME) / 1e6;

/** The SDK as built: dist/, not the sources through swc (see bench/support/client-worker.ts). */
function sdkProducer(): typeof ProducerModule.KafkaProducer {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the build, not the sources this file is compiled with
  return (require(resolve(__dirname, '..', 'dist', 'client', 'producer', 'kafka-producer')) as typeof ProducerModule).KafkaProducer;
}

class Cluster {
  private constructor(
    readonly zookeeper: ZooKeeperServerHandle,
    readonly store: ZooKeeperMetadataStore,
    readonly brokers: BrokerProcess[],
    readonly states: PartitionStatesAccessor,
    readonly controllers: ControllerAccessor,
  ) {}

  static async start(): Promise<Cluster> {
    const zookeeper = await startZooKeeper();
    let store: ZooKeeperMetadataStore | undefined;
    const brokers: BrokerProcess[] = [];
    try {
      store = await ZooKeeperMetadataStore.connect({ connect: zookeeper.connectString, logger: quiet });
      const settings = {
        'zookeeper.connect': zookeeper.connectString,
        'zookeeper.session.timeout.ms': SESSION_TIMEOUT_MS,
        'auto.create.topics.enable': false,
        // A restarted follower retries its leader this often while the leader is still starting.
        'replica.fetch.backoff.ms': 200,
      };
      const started = await Promise.allSettled(Array.from({ length: BROKERS }, (_, id) => BrokerProcess.start({ settings: { ...settings, 'broker.id': id } })));
      for (const s of started) if (s.status === 'fulfilled') brokers.push(s.value);
      const failed = started.find((s) => s.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
      const cluster = new Cluster(zookeeper, store, brokers, new PartitionStatesAccessor(store), new ControllerAccessor(store));
      await waitFor(async () => (await store!.children(ZkPaths.brokerIds)).length === BROKERS, { timeoutMs: 30_000, what: 'three registered brokers' });
      return cluster;
    } catch (err) {
      await Promise.all(brokers.map((b) => b.dispose()));
      await store?.close();
      await zookeeper.stop();
      throw err;
    }
  }

  get bootstrap(): string[] {
    return this.brokers.map((b) => b.bootstrap);
  }

  broker(id: number): BrokerProcess {
    return this.brokers.find((b) => b.brokerId === id)!;
  }

  liveBroker(id: number): BrokerProcess | undefined {
    return this.brokers.find((b) => b.brokerId === id && b.isAlive());
  }

  /**
   * Creates a topic through the controller (as clients do: others answer NOT_CONTROLLER)
   * and waits until every partition has a leader and its full ISR.
   */
  async createTopic(name: string, partitions: number, replicationFactor: number): Promise<PartitionState[]> {
    for (let attempt = 1; ; attempt++) {
      const controller = await waitFor(async () => this.liveBroker(await this.controllers.controllerId()), {
        timeoutMs: 30_000,
        intervalMs: 50,
        what: 'a live controller',
      });
      const client = await KafkaWireClient.connect(controller.port);
      let errorCode: number;
      try {
        const version = await negotiatedVersion(client, CreateTopicsApi);
        const response = await client.request(CreateTopicsApi, version, {
          topics: [{ name, numPartitions: partitions, replicationFactor, assignments: [], configs: [] }],
          timeoutMs: 30_000,
          validateOnly: false,
        });
        errorCode = response.topics.find((t) => t.name === name)?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
      } finally {
        client.close();
      }
      if (errorCode === ErrorCode.NONE) break;
      // The controller moved between reading /controller and asking it.
      if (errorCode !== ErrorCode.NOT_CONTROLLER || attempt === 5) throw new Error(`CreateTopics ${name}: ${errorName(errorCode)}`);
    }
    return this.waitForFullIsr(name, partitions, replicationFactor);
  }

  waitForFullIsr(topic: string, partitions: number, replicationFactor: number): Promise<PartitionState[]> {
    return waitFor(
      async () => {
        const states = await Promise.all(Array.from({ length: partitions }, (_, p) => this.states.get(topic, p)));
        return states.every((s) => s !== null && s.leader >= 0 && s.isr.length === replicationFactor) ? (states as PartitionState[]) : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 50, what: `${topic}: a leader and ${replicationFactor} in-sync replicas for every partition` },
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.brokers.map((b) => b.dispose().catch(() => undefined)));
    await this.store.close().catch(() => undefined);
    await this.zookeeper.stop();
  }
}

// ---- 1. produce throughput ----

interface ProduceCase {
  name: string;
  replicationFactor: number;
  acks: 1 | 'all';
  kafka2014: number;
}

const CASES: readonly ProduceCase[] = [
  { name: 'RF 1, acks=1', replicationFactor: 1, acks: 1, kafka2014: 1 },
  { name: 'RF 3, acks=1', replicationFactor: 3, acks: 1, kafka2014: KAFKA_2014.rf3Async / KAFKA_2014.rf1 },
  { name: 'RF 3, acks=all', replicationFactor: 3, acks: 'all', kafka2014: KAFKA_2014.rf3Sync / KAFKA_2014.rf1 },
];

interface ProduceRun {
  /** From the first send() to the last acknowledgement. */
  seconds: number;
  /** From the first send() to high watermarks covering every record (every replica has it). */
  replicatedSeconds: number;
  errors: number;
  firstError?: string;
}

/**
 * Sum over partitions of the high watermark (ListOffsets latest as a consumer, asked of
 * each partition's leader): records that every in-sync replica holds.
 */
async function highWatermarkSum(cluster: Cluster, clients: Map<number, KafkaWireClient>, topic: string, partitions: number): Promise<number> {
  const states = await Promise.all(Array.from({ length: partitions }, (_, p) => cluster.states.get(topic, p)));
  const byLeader = new Map<number, number[]>();
  states.forEach((state, p) => byLeader.set(state!.leader, [...(byLeader.get(state!.leader) ?? []), p]));
  let sum = 0;
  for (const [leader, owned] of byLeader) {
    let client = clients.get(leader);
    if (!client) {
      client = await KafkaWireClient.connect(cluster.broker(leader).port);
      clients.set(leader, client);
    }
    const response = await client.request(ListOffsetsApi, 4, {
      replicaId: CONSUMER,
      isolationLevel: 0,
      topics: [{ name: topic, partitions: owned.map((p) => ({ partitionIndex: p, currentLeaderEpoch: -1, timestamp: LATEST, maxNumOffsets: 1 })) }],
    });
    for (const answer of response.topics[0].partitions) {
      if (answer.errorCode !== ErrorCode.NONE) throw new Error(`ListOffsets ${topic}-${answer.partitionIndex}: ${errorName(answer.errorCode)}`);
      sum += Number(answer.offset);
    }
  }
  return sum;
}

async function produce(cluster: Cluster, topic: string, acks: 1 | 'all', records: number): Promise<ProduceRun> {
  const KafkaProducer = sdkProducer();
  const producer = new KafkaProducer<Buffer, Buffer>({
    bootstrapServers: cluster.bootstrap,
    acks,
    enableIdempotence: false,
    keySerializer: 'buffer',
    valueSerializer: 'buffer',
  });
  const value = Buffer.alloc(VALUE_BYTES, 'v');
  let settled = 0;
  let errors = 0;
  let firstError: string | undefined;
  let waiter: { until: number; wake: () => void } | undefined;
  const onDone = (error: Error | null): void => {
    settled++;
    if (error) {
      errors++;
      firstError ??= error.message;
    }
    if (waiter && settled >= waiter.until) {
      const { wake } = waiter;
      waiter = undefined;
      wake();
    }
  };
  const settledAtLeast = (until: number): Promise<void> => (settled >= until ? Promise.resolve() : new Promise((wake) => (waiter = { until, wake })));
  try {
    await producer.partitionsFor(topic);
    const start = process.hrtime.bigint();
    for (let i = 0; i < records; i++) {
      producer.send({ topic, value }, onDone);
      if (i - settled >= WINDOW) await settledAtLeast(i - WINDOW / 2);
    }
    await settledAtLeast(records);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    // With acks=1 the followers may still be copying: wait, so the next case does not
    // compete with this one's replication, and say how long it took.
    const clients = new Map<number, KafkaWireClient>();
    try {
      await waitFor(async () => (await highWatermarkSum(cluster, clients, topic, PARTITIONS)) === records, {
        timeoutMs: 120_000,
        intervalMs: 10,
        what: `${topic}: high watermarks covering all ${records} records`,
      });
    } finally {
      clients.forEach((c) => c.close());
    }
    return { seconds, replicatedSeconds: Number(process.hrtime.bigint() - start) / 1e9, errors, firstError };
  } finally {
    await producer.close();
  }
}

interface ProduceRow {
  case: ProduceCase;
  recordsPerSec: number[];
  replicatedPerSec: number[];
}

async function measureProduce(cluster: Cluster, failures: string[]): Promise<ProduceRow[]> {
  const rows: ProduceRow[] = CASES.map((c) => ({ case: c, recordsPerSec: [], replicatedPerSec: [] }));
  for (let round = 0; round <= ROUNDS; round++) {
    const warmUp = round === 0;
    const records = warmUp ? Math.max(1, Math.round(RECORDS * WARMUP_FRACTION)) : RECORDS;
    for (const row of rows) {
      const { replicationFactor, acks } = row.case;
      const topic = `produce-rf${replicationFactor}-acks${acks}-${round}`;
      try {
        await cluster.createTopic(topic, PARTITIONS, replicationFactor);
        const run = await produce(cluster, topic, acks, records);
        if (run.errors > 0) throw new Error(`${run.errors} of ${records} sends failed, first: ${run.firstError}`);
        if (warmUp) continue;
        row.recordsPerSec.push(records / run.seconds);
        row.replicatedPerSec.push(records / run.replicatedSeconds);
      } catch (err) {
        failures.push(`produce ${row.case.name}, ${warmUp ? 'warm-up' : `round ${round}`}: ${message(err)}`);
      }
    }
  }
  return rows;
}

// ---- 2. failover ----

type Stop = 'SIGKILL' | 'SIGTERM';

interface FailoverSample {
  signal: Stop;
  killed: number;
  wasController: boolean;
  newLeader: number;
  /** From the kill to the state node naming another leader. */
  stateMs: number | undefined;
  /** From the kill to the first acknowledged acks=all Produce. */
  produceMs: number;
}

/** One acks=all Produce of one record; true when the partition accepted it. */
async function probe(client: KafkaWireClient, topic: string, partition: number): Promise<boolean> {
  const response = await client.request(ProduceApi, 7, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 10_000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records: encodeRecordBatch([{ value: Buffer.from('probe') }]) }] }],
  });
  return response.responses[0].partitionResponses[0].errorCode === ErrorCode.NONE;
}

async function failoverOnce(cluster: Cluster, rep: number, killController: boolean, signal: Stop): Promise<FailoverSample> {
  const topic = `failover-${signal.toLowerCase()}-${rep}`;
  const states = await cluster.createTopic(topic, BROKERS, BROKERS);
  const controller = await cluster.controllers.controllerId();
  const partition = states.findIndex((s) => (s.leader === controller) === killController);
  if (partition < 0) throw new Error(`no partition of ${topic} is led by ${killController ? '' : 'a broker other than '}the controller (${controller})`);
  const victimId = states[partition].leader;
  const victim = cluster.broker(victimId);
  const survivors = cluster.brokers.filter((b) => b !== victim);
  const clients = await Promise.all(survivors.map((b) => KafkaWireClient.connect(b.port)));

  let stateMs: number | undefined;
  let produceMs: number | undefined;
  let newLeader = -1;
  try {
    const killedAt = nowMs();
    // SIGTERM: not awaited, since the controlled shutdown runs while the broker still serves.
    const stopped = signal === 'SIGKILL' ? await victim.kill() : victim.stop();
    const deadline = killedAt + FAILOVER_LIMIT_MS;
    const inFlight = new Set<number>();
    while (produceMs === undefined && nowMs() < deadline) {
      clients.forEach((client, i) => {
        if (inFlight.has(i)) return;
        inFlight.add(i);
        probe(client, topic, partition)
          .then((ok) => {
            if (ok && produceMs === undefined) {
              produceMs = nowMs() - killedAt;
              newLeader = survivors[i].brokerId;
            }
          })
          .catch(() => undefined)
          .finally(() => inFlight.delete(i));
      });
      if (stateMs === undefined) {
        const state = await cluster.states.get(topic, partition).catch(() => null);
        if (state && state.leader !== victimId) stateMs = nowMs() - killedAt;
      }
      await new Promise((r) => setTimeout(r, PROBE_INTERVAL_MS));
    }
    if (produceMs === undefined) throw new Error(`no produce to ${topic}-${partition} succeeded within ${FAILOVER_LIMIT_MS} ms of ${signal} to broker ${victimId}`);
    await stopped;
  } finally {
    clients.forEach((c) => c.close());
    // Back to three brokers for the next repetition, with the restarted one caught up.
    await victim.restart();
    await cluster.waitForFullIsr(topic, BROKERS, BROKERS);
  }
  return { signal, killed: victimId, wasController: killController, newLeader, stateMs, produceMs };
}

async function measureFailover(cluster: Cluster, failures: string[]): Promise<FailoverSample[]> {
  const samples: FailoverSample[] = [];
  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    for (let rep = 0; rep <= FAILOVERS; rep++) {
      // The last repetition stops the controller's own leadership.
      const killController = rep === FAILOVERS;
      try {
        samples.push(await failoverOnce(cluster, rep, killController, signal));
      } catch (err) {
        failures.push(`failover ${signal} ${rep} (${killController ? 'leader and controller' : 'leader'}): ${message(err)}`);
      }
    }
  }
  return samples;
}

// ---- report ----

async function main(): Promise<void> {
  const failures: string[] = [];
  let produceRows: ProduceRow[] = [];
  let failovers: FailoverSample[] = [];
  let cluster: Cluster | undefined;
  try {
    cluster = await Cluster.start();
    produceRows = await measureProduce(cluster, failures);
    failovers = await measureFailover(cluster, failures);
  } catch (err) {
    failures.push(`setup: ${message(err)}`);
  } finally {
    await cluster?.close().catch((err: unknown) => failures.push(`teardown: ${message(err)}`));
  }

  const reference = median(produceRows[0]?.recordsPerSec ?? []);
  const produceTable: Cell[][] = produceRows.map((row) => {
    const med = median(row.recordsPerSec);
    return [
      row.case.name,
      row.recordsPerSec.length,
      med,
      med === undefined ? undefined : (med * VALUE_BYTES) / 1e6,
      row.recordsPerSec.length ? Math.max(...row.recordsPerSec) : undefined,
      med !== undefined && reference ? med / reference : undefined,
      row.case.kafka2014,
      median(row.replicatedPerSec),
    ];
  });
  printTable(
    `produce throughput, 3 brokers on one machine, SDK KafkaProducer, ${VALUE_BYTES}-byte values, ${PARTITIONS} partitions, ${RECORDS.toLocaleString('en-US')} records per round (ratio = median / median of RF 1 acks=1)`,
    ['case', 'rounds', 'records/s', 'MB/s', 'best', 'ratio', 'Kafka 2014', 'replicated/s'],
    produceTable,
  );

  const ordinary = (signal: Stop): FailoverSample[] => failovers.filter((s) => s.signal === signal && !s.wasController);
  const medianProduceMs = (signal: Stop): number | undefined => median(ordinary(signal).map((s) => s.produceMs));
  const failoverTable: Cell[][] = failovers.map((s, i) => [
    i,
    s.signal,
    s.wasController ? 'leader + controller' : 'leader',
    s.killed,
    s.newLeader,
    s.stateMs,
    s.produceMs,
  ]);
  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    failoverTable.push(['median', signal, 'leader', undefined, undefined, median(ordinary(signal).flatMap((s) => (s.stateMs === undefined ? [] : [s.stateMs]))), medianProduceMs(signal)]);
  }
  printTable(
    `failover: SIGKILL, then SIGTERM (controlled shutdown), of a partition's leader to the first acks=all produce to it (zookeeper.session.timeout.ms=${SESSION_TIMEOUT_MS}, probes every ${PROBE_INTERVAL_MS} ms; ms from the signal)`,
    ['rep', 'signal', 'stopped', 'broker', 'new leader', 'state ms', 'produce ms'],
    failoverTable,
  );
  const killMs = medianProduceMs('SIGKILL');
  const termMs = medianProduceMs('SIGTERM');
  if (killMs !== undefined && termMs !== undefined) console.log(`controlled shutdown: median ${Math.round(termMs)} ms to the first produce, ${(termMs / killMs).toFixed(3)} of a SIGKILL's ${Math.round(killMs)} ms`);
  for (const failure of failures) console.log(`FAILED ${failure}`);

  printFinalJson('cluster', {
    valueBytes: VALUE_BYTES,
    partitions: PARTITIONS,
    recordsPerRound: RECORDS,
    produce: produceRows.map((row) => ({
      case: row.case.name,
      recordsPerSec: median(row.recordsPerSec) ?? null,
      rounds: row.recordsPerSec,
      replicatedRecordsPerSec: median(row.replicatedPerSec) ?? null,
      ratioToRf1Acks1: reference ? (median(row.recordsPerSec) ?? 0) / reference : null,
      kafka2014Ratio: row.case.kafka2014,
    })),
    failover: {
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      probeIntervalMs: PROBE_INTERVAL_MS,
      medianProduceMs: medianProduceMs('SIGKILL') ?? null,
      medianControlledShutdownProduceMs: medianProduceMs('SIGTERM') ?? null,
      samples: failovers,
    },
    failures,
  });
}

void main();
