/**
 * `npm run bench -- coordinator`: the group coordinator of the built broker (child
 * processes on loopback), on the embedded metadata store and on a real ZooKeeper
 * (Debian's, started by scripts/zookeeper.js) in the same run.
 *
 * 1. Join: 10 members join a fresh group and reach Stable (every member's SyncGroup
 *    answered in one generation that holds all 10). The members speak the protocol
 *    themselves over our codec (JoinGroup with the MEMBER_ID_REQUIRED round trip, the
 *    leader's SyncGroup carrying a round-robin assignment, Heartbeat to learn of a
 *    rebalance), so the figure is the broker's. Reference in the same run: 10 kafkajs
 *    consumers (connect, subscribe, run) until each holds one partition of the final
 *    generation. group.initial.rebalance.delay.ms=0 on both brokers, so when one
 *    member's second JoinGroup reaches the broker before another's first, the first
 *    generation completes without it and a second follows (column "max gen"); the early
 *    member learns of it on its next heartbeat, so such a repetition includes up to one
 *    heartbeat interval of client time.
 * 2. OffsetCommit throughput: connections x pipelined requests, generation -1 (commits
 *    without group management), every request slot committing to its own group so no
 *    two in-flight commits touch the same znode (the broker folds those into one write,
 *    which would flatter the figure). A commit counts once acknowledged, which the broker
 *    does only once it is durable. Reference: the store alone (ZooKeeperMetadataStore on
 *    the same server, EmbeddedMetadataStore on the same disk), set() calls pipelined from
 *    this process in the same pattern: as many slots, each writing as many nodes at once
 *    as a request has partitions. It is measured right before each broker round, and the
 *    best of the rounds is kept for both.
 *
 *   BENCH_COORD_JOIN_REPS=20       raw join repetitions per store (default 20)
 *   BENCH_COORD_KAFKAJS_REPS=5     kafkajs join repetitions (default 5)
 *   BENCH_COORD_SECONDS=2          measured seconds per throughput round (default 2)
 *   BENCH_COORD_ROUNDS=2           rounds per throughput case, best kept (default 2)
 *   BENCH_COORD_HEARTBEAT_MS=50    heartbeat interval of raw members and kafkajs (default 50)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { startZooKeeper, type ZooKeeperServerHandle } from '../scripts/zookeeper';
import { encodeAssignment, encodeSubscription, CONSUMER_PROTOCOL_TYPE } from '../src/protocol/consumer-protocol';
import { ErrorCode, errorName, HeartbeatApi, JoinGroupApi, LeaveGroupApi, OffsetCommitApi, SyncGroupApi } from '../src/protocol';
import { createIfAbsent } from '../src/zk/accessors/store-ops';
import { EmbeddedMetadataStore } from '../src/zk/embedded-metadata-store';
import type { MetadataStore, MetadataStoreLogger } from '../src/zk/metadata-store';
import { ZooKeeperMetadataStore } from '../src/zk/zookeeper-metadata-store';
import { BrokerProcess } from '../test/support/broker-process';
import { KafkaWireClient } from '../test/support/kafka-wire-client';
import { createTopic, negotiatedVersion } from '../test/support/wire-admin';
import { printFinalJson } from './support/report';
import { printTable, type Cell } from './support/table';

const MEMBERS = 10;
const JOIN_TOPIC = 'bench-join';
const COMMIT_TOPIC = 'bench-commits';
const COMMIT_TOPIC_PARTITIONS = 50;
const JOIN_REPS = Number(process.env.BENCH_COORD_JOIN_REPS ?? 20);
const KAFKAJS_REPS = Number(process.env.BENCH_COORD_KAFKAJS_REPS ?? 5);
const MEASURE_SECONDS = Number(process.env.BENCH_COORD_SECONDS ?? 2);
// Rounds per throughput case, each measuring the store alone right before the broker, best kept:
// on a shared machine the load drifts, and adjacent pairs keep the ratio honest.
const ROUNDS = Number(process.env.BENCH_COORD_ROUNDS ?? 2);
const WARMUP_SECONDS = 0.5;
const HEARTBEAT_MS = Number(process.env.BENCH_COORD_HEARTBEAT_MS ?? 50);
// Above the broker's group.min.session.timeout.ms (6 s); nothing here should ever expire.
const SESSION_TIMEOUT_MS = 10_000;
const REBALANCE_TIMEOUT_MS = 10_000;

/** The throughput cases: connections x requests pipelined per connection, partitions per request. */
const COMMIT_CASES = [
  { connections: 8, depth: 16, partitions: 1 },
  { connections: 8, depth: 4, partitions: 50 },
] as const;
type CommitCase = (typeof COMMIT_CASES)[number];

const quietLogger: MetadataStoreLogger = { log: () => undefined, warn: () => undefined, error: (m) => console.error(m) };
const runId = Date.now().toString(36);
const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const sortedCopy = (values: readonly number[]): number[] => [...values].sort((a, b) => a - b);

// ---- 1. join to Stable ----

interface JoinSample {
  ms: number;
  /** Generation of the group once Stable with all members: 1 means no rebalance was needed. */
  generation: number;
}

interface JoinRow {
  client: string;
  store: string;
  samples: JoinSample[];
  note: string;
}

interface ProtocolVersions {
  join: number;
  sync: number;
  heartbeat: number;
  leave: number;
}

/** Resolves once `count` members have synced in the same generation. */
class StableTracker {
  private readonly syncedByGeneration = new Map<number, number>();
  private settle!: (sample: { at: number; generation: number }) => void;
  readonly stable = new Promise<{ at: number; generation: number }>((resolve) => (this.settle = resolve));

  constructor(private readonly count: number) {}

  synced(generation: number): void {
    const n = (this.syncedByGeneration.get(generation) ?? 0) + 1;
    this.syncedByGeneration.set(generation, n);
    if (n === this.count) this.settle({ at: performance.now(), generation });
  }
}

/** Round robin: partition i goes to the (i mod n)-th member, members sorted by id. */
function roundRobinAssignments(memberIds: readonly string[], topic: string, partitions: number): { memberId: string; assignment: Buffer }[] {
  const sorted = [...memberIds].sort();
  return sorted.map((memberId, index) => {
    const owned: number[] = [];
    for (let p = index; p < partitions; p += sorted.length) owned.push(p);
    return { memberId, assignment: encodeAssignment({ assignedPartitions: [{ topic, partitions: owned }] }) };
  });
}

/**
 * One member's life until the group is Stable with everyone: join (twice on a first
 * join: MEMBER_ID_REQUIRED hands out the id), sync, then heartbeat until the tracker
 * says all members synced in one generation; a rebalance at any point sends it back
 * to JoinGroup, as a real consumer does. Returns the member id for the LeaveGroup.
 */
async function rawMember(client: KafkaWireClient, v: ProtocolVersions, groupId: string, tracker: StableTracker): Promise<string> {
  const subscription = encodeSubscription({ topics: [JOIN_TOPIC] });
  let memberId = '';
  let stable = false;
  void tracker.stable.then(() => (stable = true));
  const join = () =>
    client.request(JoinGroupApi, v.join, {
      groupId,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      rebalanceTimeoutMs: REBALANCE_TIMEOUT_MS,
      memberId,
      groupInstanceId: null,
      protocolType: CONSUMER_PROTOCOL_TYPE,
      protocols: [{ name: 'roundrobin', metadata: subscription }],
      reason: null,
    });
  for (;;) {
    let joined = await join();
    if (joined.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
      memberId = joined.memberId;
      joined = await join();
    }
    if (joined.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) continue;
    if (joined.errorCode !== ErrorCode.NONE) throw new Error(`JoinGroup v${v.join}: ${errorName(joined.errorCode)}`);
    memberId = joined.memberId;
    const generationId = joined.generationId;
    const isLeader = joined.leader === memberId;
    const synced = await client.request(SyncGroupApi, v.sync, {
      groupId,
      generationId,
      memberId,
      groupInstanceId: null,
      protocolType: joined.protocolType,
      protocolName: joined.protocolName,
      assignments: isLeader ? roundRobinAssignments(joined.members.map((m) => m.memberId), JOIN_TOPIC, MEMBERS) : [],
    });
    if (synced.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) continue;
    if (synced.errorCode !== ErrorCode.NONE) throw new Error(`SyncGroup v${v.sync}: ${errorName(synced.errorCode)}`);
    tracker.synced(generationId);
    // Wait for the others, heartbeating as a member must; REBALANCE_IN_PROGRESS means rejoin.
    while (!stable) {
      await Promise.race([tracker.stable, new Promise((resolve) => setTimeout(resolve, HEARTBEAT_MS))]);
      if (stable) break;
      const beat = await client.request(HeartbeatApi, v.heartbeat, { groupId, generationId, memberId, groupInstanceId: null });
      if (beat.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) break;
      if (beat.errorCode !== ErrorCode.NONE) throw new Error(`Heartbeat v${v.heartbeat}: ${errorName(beat.errorCode)}`);
    }
    if (stable) return memberId;
  }
}

async function rawJoinRow(broker: BrokerProcess, store: string): Promise<JoinRow> {
  const clients = await Promise.all(Array.from({ length: MEMBERS }, () => KafkaWireClient.connect(broker.port)));
  try {
    const v: ProtocolVersions = {
      join: await negotiatedVersion(clients[0], JoinGroupApi),
      sync: await negotiatedVersion(clients[0], SyncGroupApi),
      heartbeat: await negotiatedVersion(clients[0], HeartbeatApi),
      leave: await negotiatedVersion(clients[0], LeaveGroupApi),
    };
    if (v.join < 5 || v.leave < 3) throw new Error(`need JoinGroup v5+ and LeaveGroup v3+, got v${v.join} and v${v.leave}`);
    const samples: JoinSample[] = [];
    // One unmeasured round first: connections, JIT and the broker's first group all warm.
    for (let rep = -1; rep < JOIN_REPS; rep++) {
      const groupId = `bench-join-${runId}-${store}-${rep + 1}`;
      const tracker = new StableTracker(MEMBERS);
      const start = performance.now();
      const memberIds = await Promise.all(clients.map((c) => rawMember(c, v, groupId, tracker)));
      const { at, generation } = await tracker.stable;
      if (rep >= 0) samples.push({ ms: at - start, generation });
      // Unmeasured: empty the group so its timers stop and it does not weigh on the next round.
      const left = await clients[0].request(LeaveGroupApi, v.leave, {
        groupId,
        members: memberIds.map((memberId) => ({ memberId, groupInstanceId: null, reason: null })),
      });
      if (left.errorCode !== ErrorCode.NONE) throw new Error(`LeaveGroup v${v.leave}: ${errorName(left.errorCode)}`);
    }
    return {
      client: `raw JoinGroup v${v.join}`,
      store,
      samples,
      note: `first JoinGroup to the 10th SyncGroup answer; connections open; heartbeat every ${HEARTBEAT_MS} ms`,
    };
  } finally {
    for (const c of clients) c.close();
  }
}

/** Topic -> partitions of the member's latest GROUP_JOIN. */
type KafkajsAssignment = Record<string, number[]>;

/**
 * Final generation reached: every consumer's latest assignment is one partition and
 * together they cover the topic. Any generation with fewer than MEMBERS members gives
 * someone two partitions, so this holds only for a generation with all of them.
 */
function kafkajsSettled(latest: Map<Consumer, KafkajsAssignment>): boolean {
  if (latest.size !== MEMBERS) return false;
  const owned = new Set<number>();
  for (const assignment of latest.values()) {
    const partitions = assignment[JOIN_TOPIC] ?? [];
    if (partitions.length !== 1) return false;
    owned.add(partitions[0]);
  }
  return owned.size === MEMBERS;
}

async function kafkajsJoinRow(broker: BrokerProcess, store: string): Promise<JoinRow> {
  const kafka = new Kafka({ clientId: 'bench-coordinator', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const samples: JoinSample[] = [];
  for (let rep = -1; rep < KAFKAJS_REPS; rep++) {
    const groupId = `bench-kafkajs-${runId}-${rep + 1}`;
    const latest = new Map<Consumer, KafkajsAssignment>();
    const consumers: Consumer[] = [];
    let settle!: (at: number) => void;
    const settled = new Promise<number>((resolve) => (settle = resolve));
    const start = performance.now();
    try {
      for (let i = 0; i < MEMBERS; i++) {
        const consumer = kafka.consumer({
          groupId,
          sessionTimeout: SESSION_TIMEOUT_MS,
          rebalanceTimeout: REBALANCE_TIMEOUT_MS,
          // kafkajs notices a rebalance on its next heartbeat, sent between fetches: both at the raw members' pace.
          heartbeatInterval: HEARTBEAT_MS,
          maxWaitTimeInMs: HEARTBEAT_MS,
        });
        consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
          latest.set(consumer, payload.memberAssignment);
          if (kafkajsSettled(latest)) settle(performance.now());
        });
        consumers.push(consumer);
      }
      await Promise.all(
        consumers.map(async (consumer) => {
          await consumer.connect();
          await consumer.subscribe({ topics: [JOIN_TOPIC], fromBeginning: true });
          await consumer.run({ eachMessage: async () => undefined });
        }),
      );
      let timer: NodeJS.Timeout | undefined;
      const at = await Promise.race([
        settled,
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('kafkajs group not Stable with 10 members within 60 s')), 60_000))),
      ]).finally(() => clearTimeout(timer));
      if (rep >= 0) samples.push({ ms: at - start, generation: NaN });
    } finally {
      await Promise.all(consumers.map((c) => c.disconnect().catch(() => undefined)));
    }
  }
  return {
    client: 'kafkajs',
    store,
    samples,
    note: `connect + subscribe + run until each holds 1 of ${MEMBERS} partitions; heartbeatInterval=maxWaitTimeInMs=${HEARTBEAT_MS}`,
  };
}

// ---- 2. OffsetCommit throughput ----

interface ThroughputResult {
  commitsPerSec: number;
  requestsPerSec: number;
  p50Ms?: number;
  p99Ms?: number;
  /** Entries answered with an error (should be 0). */
  errors: number;
  firstError?: string;
}

/** Runs `slots` loops of `once` for the warm-up, then for the measured window. */
async function closedLoops(slots: number, once: (slot: number) => Promise<{ ok: number; failed: number; error?: string }>): Promise<ThroughputResult> {
  let measuring = false;
  let ok = 0;
  let failed = 0;
  let firstError: string | undefined;
  let requests = 0;
  const latencies: number[] = [];
  const warmupEnd = performance.now() + WARMUP_SECONDS * 1000;
  const end = warmupEnd + MEASURE_SECONDS * 1000;
  let measuredStart = 0;
  const loop = async (slot: number): Promise<void> => {
    for (let now = performance.now(); now < end; now = performance.now()) {
      if (!measuring && now >= warmupEnd) {
        measuring = true;
        measuredStart = now;
      }
      const counted = measuring;
      const t0 = now;
      const outcome = await once(slot);
      if (!counted) continue;
      latencies.push(performance.now() - t0);
      requests++;
      ok += outcome.ok;
      failed += outcome.failed;
      firstError ??= outcome.error;
    }
  };
  await Promise.all(Array.from({ length: slots }, (_, slot) => loop(slot)));
  const elapsed = (performance.now() - measuredStart) / 1000;
  const sorted = sortedCopy(latencies);
  return { commitsPerSec: ok / elapsed, requestsPerSec: requests / elapsed, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), errors: failed, firstError };
}

async function commitThroughput(broker: BrokerProcess, c: CommitCase): Promise<ThroughputResult & { version: number }> {
  const clients = await Promise.all(Array.from({ length: c.connections }, () => KafkaWireClient.connect(broker.port)));
  try {
    // v9 is KIP-848's member-epoch semantics; v8 is what classic clients send today.
    const version = await negotiatedVersion(clients[0], OffsetCommitApi, 8);
    const slots = c.connections * c.depth;
    const offsets = new Array<number>(slots).fill(0);
    const partitions = Array.from({ length: c.partitions }, (_, p) => p);
    const once = async (slot: number) => {
      const offset = ++offsets[slot];
      const response = await clients[slot % c.connections].request(OffsetCommitApi, version, {
        groupId: `bench-commit-${runId}-${c.partitions}p-${slot}`,
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [
          {
            name: COMMIT_TOPIC,
            partitions: partitions.map((partitionIndex) => ({ partitionIndex, committedOffset: offset, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: '' })),
          },
        ],
      });
      let ok = 0;
      let failed = 0;
      let error: string | undefined;
      for (const p of response.topics[0]?.partitions ?? []) {
        if (p.errorCode === ErrorCode.NONE) ok++;
        else {
          failed++;
          error ??= errorName(p.errorCode);
        }
      }
      return { ok, failed, error };
    };
    // Every slot's znodes exist before the measurement: a first commit creates its path (more round trips).
    await Promise.all(Array.from({ length: slots }, (_, slot) => once(slot)));
    return { ...(await closedLoops(slots, once)), version };
  } finally {
    for (const client of clients) client.close();
  }
}

/** `count` nodes under `prefix` for the store-alone reference; existing ones are reused. */
async function ceilingNodes(store: MetadataStore, prefix: string, count: number): Promise<string[]> {
  const paths = Array.from({ length: count }, (_, i) => `${prefix}/n${i}`);
  await Promise.all(paths.map((p) => createIfAbsent(store, p, null)));
  return paths;
}

/**
 * The store alone, in the broker's write pattern: one loop per request slot, each writing
 * its `batch` nodes at once (as one OffsetCommit of `batch` partitions does) and waiting
 * for all of them, with the value an offset commit writes.
 */
function storeCeiling(store: MetadataStore, paths: readonly string[], batch: number): Promise<ThroughputResult> {
  let offset = 0;
  return closedLoops(paths.length / batch, async (slot) => {
    const written = await Promise.allSettled(
      paths.slice(slot * batch, (slot + 1) * batch).map((p) => store.set(p, { offset: ++offset, metadata: '', commit_timestamp: Date.now() })),
    );
    const failed = written.filter((w): w is PromiseRejectedResult => w.status === 'rejected');
    return { ok: written.length - failed.length, failed: failed.length, error: failed.length ? message(failed[0].reason) : undefined };
  });
}

const faster = <T extends ThroughputResult>(a: T | undefined, b: T): T => (a && a.commitsPerSec >= b.commitsPerSec ? a : b);

// ---- run ----

interface CommitRow {
  store: string;
  c: CommitCase;
  result: ThroughputResult & { version: number };
  ceiling?: ThroughputResult;
}

async function main(): Promise<void> {
  const failures: string[] = [];
  const joinRows: JoinRow[] = [];
  const commitRows: CommitRow[] = [];
  const attempt = async (what: string, fn: () => Promise<void>): Promise<void> => {
    try {
      await fn();
    } catch (err) {
      failures.push(`${what}: ${message(err)}`);
    }
  };
  const groupSettings = { 'group.initial.rebalance.delay.ms': 0 };
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kafkanest-bench-coordinator-'));
  let zk: ZooKeeperServerHandle | undefined;
  /** Per store: the broker on it, and the same kind of store opened here for the store-alone reference. */
  const targets: { store: string; broker: BrokerProcess; reference: MetadataStore }[] = [];
  try {
    await attempt('embedded broker', async () => {
      const reference = await EmbeddedMetadataStore.open({ dataDir: path.join(work, 'embedded'), logger: quietLogger });
      targets.push({ store: 'embedded', reference, broker: await BrokerProcess.start({ settings: groupSettings }) });
    });
    await attempt('ZooKeeper broker', async () => {
      zk = await startZooKeeper();
      const root = await ZooKeeperMetadataStore.connect({ connect: zk.connectString, logger: quietLogger });
      try {
        await root.create('/kafkanest', null);
        await root.create('/reference', null);
      } finally {
        await root.close();
      }
      const reference = await ZooKeeperMetadataStore.connect({ connect: `${zk.connectString}/reference`, logger: quietLogger });
      targets.push({ store: 'zookeeper', reference, broker: await BrokerProcess.start({ settings: { ...groupSettings, 'zookeeper.connect': `${zk.connectString}/kafkanest` } }) });
    });
    for (const { store, broker } of targets) {
      await attempt(`topics on ${store}`, async () => {
        await createTopic(broker.port, JOIN_TOPIC, MEMBERS);
        await createTopic(broker.port, COMMIT_TOPIC, COMMIT_TOPIC_PARTITIONS);
      });
    }

    for (const { store, broker } of targets) await attempt(`raw join on ${store}`, async () => void joinRows.push(await rawJoinRow(broker, store)));
    const embedded = targets.find((b) => b.store === 'embedded');
    if (embedded) await attempt('kafkajs join', async () => void joinRows.push(await kafkajsJoinRow(embedded.broker, embedded.store)));

    for (const { store, broker, reference } of targets) {
      for (const c of COMMIT_CASES) {
        await attempt(`commits on ${store}, ${c.partitions} partition(s) per request`, async () => {
          const paths = await ceilingNodes(reference, `/p${c.partitions}`, c.connections * c.depth * c.partitions);
          let result: (ThroughputResult & { version: number }) | undefined;
          let ceiling: ThroughputResult | undefined;
          for (let round = 0; round < ROUNDS; round++) {
            ceiling = faster(ceiling, await storeCeiling(reference, paths, c.partitions));
            result = faster(result, await commitThroughput(broker, c));
          }
          commitRows.push({ store, c, result: result!, ceiling });
        });
      }
    }
  } catch (err) {
    failures.push(`setup: ${message(err)}`);
  } finally {
    for (const { broker, reference } of targets) {
      await broker.dispose().catch(() => undefined);
      await reference.close().catch(() => undefined);
    }
    await zk?.stop().catch(() => undefined);
    fs.rmSync(work, { recursive: true, force: true });
  }

  const joinStats = joinRows.map((row) => {
    const ms = sortedCopy(row.samples.map((s) => s.ms));
    const generations = sortedCopy(row.samples.map((s) => s.generation).filter((g) => !Number.isNaN(g)));
    return { row, medianMs: percentile(ms, 50), p95Ms: percentile(ms, 95), minMs: ms[0], generations: percentile(generations, 50), maxGenerations: generations.at(-1) };
  });
  const kafkajsMedian = joinStats.find((s) => s.row.client.startsWith('kafkajs'))?.medianMs;
  printTable(
    `time for ${MEMBERS} members to join a fresh group and reach Stable, group.initial.rebalance.delay.ms=0 (ratio = median / kafkajs median, same broker binary, same run)`,
    ['client', 'store', 'reps', 'median ms', 'p95 ms', 'min ms', 'generation', 'max gen', 'ratio', 'note'],
    joinStats.map((s): Cell[] => [
      s.row.client,
      s.row.store,
      s.row.samples.length,
      s.medianMs,
      s.p95Ms,
      s.minMs,
      s.generations,
      s.maxGenerations,
      kafkajsMedian && s.medianMs !== undefined ? s.medianMs / kafkajsMedian : undefined,
      s.row.note,
    ]),
  );

  const embeddedRate = (c: CommitCase) => commitRows.find((r) => r.store === 'embedded' && r.c === c)?.result.commitsPerSec;
  printTable(
    `OffsetCommit throughput, generation -1, best of ${ROUNDS} rounds of ${MEASURE_SECONDS} s after ${WARMUP_SECONDS} s warm-up (zk/emb = ZooKeeper / embedded commits/s; of store = commits/s / the store's own set()/s at the same writes in flight, measured from this process before each round)`,
    ['store', 'conns x depth', 'partitions/req', 'writes in flight', 'commits/s', 'requests/s', 'p50 ms', 'p99 ms', 'errors', 'zk/emb', 'store set()/s', 'of store'],
    commitRows.map((r): Cell[] => {
      const reference = embeddedRate(r.c);
      return [
        r.store,
        `${r.c.connections} x ${r.c.depth}`,
        r.c.partitions,
        r.c.connections * r.c.depth * r.c.partitions,
        r.result.commitsPerSec,
        r.result.requestsPerSec,
        r.result.p50Ms,
        r.result.p99Ms,
        r.result.errors ? `${r.result.errors} (${r.result.firstError})` : 0,
        r.store === 'zookeeper' && reference ? r.result.commitsPerSec / reference : undefined,
        r.ceiling?.commitsPerSec,
        r.ceiling ? r.result.commitsPerSec / r.ceiling.commitsPerSec : undefined,
      ];
    }),
  );
  for (const failure of failures) console.log(`FAILED ${failure}`);

  printFinalJson('coordinator', {
    members: MEMBERS,
    heartbeatMs: HEARTBEAT_MS,
    join: joinStats.map((s) => ({
      client: s.row.client,
      store: s.row.store,
      reps: s.row.samples.length,
      medianMs: s.medianMs ?? null,
      p95Ms: s.p95Ms ?? null,
      minMs: s.minMs ?? null,
      medianGeneration: s.generations ?? null,
      ratioToKafkajs: kafkajsMedian && s.medianMs !== undefined ? s.medianMs / kafkajsMedian : null,
    })),
    commits: commitRows.map((r) => ({
      store: r.store,
      connections: r.c.connections,
      depth: r.c.depth,
      partitionsPerRequest: r.c.partitions,
      offsetCommitVersion: r.result.version,
      commitsPerSec: r.result.commitsPerSec,
      requestsPerSec: r.result.requestsPerSec,
      p50Ms: r.result.p50Ms ?? null,
      p99Ms: r.result.p99Ms ?? null,
      errors: r.result.errors,
      storeSetPerSec: r.ceiling?.commitsPerSec ?? null,
      ratioToStore: r.ceiling ? r.result.commitsPerSec / r.ceiling.commitsPerSec : null,
      ratioZkToEmbedded: r.store === 'zookeeper' && embeddedRate(r.c) ? r.result.commitsPerSec / embeddedRate(r.c)! : null,
    })),
    failures,
  });
}

void main();
