// Re-captures the golden request frames under test/fixtures/protocol from real clients
// (kcat/librdkafka, kafkajs and @platformatic/kafka) talking to a scripted stub broker on
// loopback:
//
//   node -r @swc-node/register scripts/capture-protocol-fixtures.ts
//
// The stub answers with OUR codec, but only so each client moves on to its next request;
// what is stored is the client's bytes, untouched. The expected values written beside each
// frame come from how the client was driven (topic, keys, acks, timeouts, group, member id)
// and from the frame's first eight bytes read directly, never from decoding the body with
// our codec — the spec then checks the codec against them. Dev tooling: not run by tests.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import type { GoldenExpectation } from '../src/protocol/codec/testing/golden-fixture';
import {
  ALL_APIS,
  ApiKey,
  type ApiSpec,
  decodeRequestBody,
  decodeRequestHeader,
  encodeRecordBatch,
  encodeResponseFrame,
  highestVersion,
  indexApis,
  ZERO_UUID,
} from '../src/protocol';

const OUT_DIR = resolve(__dirname, '../test/fixtures/protocol');
const TOPIC = 'golden';
const ADMIN_TOPIC = 'golden-admin';
const TOPIC_ID = Buffer.from('6f6c64656e2d746f7069632d69642d31', 'hex').toString('base64url');
const NODE_ID = 1;
const CLIENT_DEADLINE_MS = 20_000;
const EMPTY_FETCH_DELAY_MS = 100;

/** What the stub serves to every fetch at offset < 2: two keyed records at offsets 0 and 1. */
const SERVED_RECORDS = [
  { key: 'served-k0', value: 'served-v0' },
  { key: 'served-k1', value: 'served-v1' },
];
const SERVED_BATCH = encodeRecordBatch(
  SERVED_RECORDS.map((r) => ({ key: Buffer.from(r.key), value: Buffer.from(r.value), timestamp: 1_700_000_000_000 })),
  { baseOffset: 0, partitionLeaderEpoch: 0 },
);

/** What each client produces (to partition 0 of TOPIC). */
const PRODUCED = {
  kcat: [
    { key: 'kcat-k1', value: 'kcat-v1' },
    { key: 'kcat-k2', value: 'kcat-v2' },
  ],
  kafkajs: [
    { key: 'kafkajs-k1', value: 'kafkajs-v1' },
    { key: 'kafkajs-k2', value: 'kafkajs-v2' },
  ],
  platformatic: [
    { key: 'platformatic-k1', value: 'platformatic-v1' },
    { key: 'platformatic-k2', value: 'platformatic-v2' },
  ],
};

type ClientName = 'kcat' | 'kafkajs' | 'platformatic';

interface Captured {
  client: ClientName;
  scenario: string;
  apiKey: number;
  apiVersion: number;
  frame: Buffer;
}

const apis = indexApis(ALL_APIS);

// ---------------------------------------------------------------------------------------
// The stub broker.

interface StubState {
  port: number;
  client: ClientName;
  scenario: string;
  /** Member id the stub hands out in JoinGroup, per client: known in advance for the expectations. */
  memberIds: Record<ClientName, string>;
  captured: Captured[];
  decodeFailures: string[];
}

const state: StubState = {
  port: 0,
  client: 'kcat',
  scenario: '',
  memberIds: { kcat: 'golden-kcat-member-1', kafkajs: 'golden-kafkajs-member-1', platformatic: 'golden-platformatic-member-1' },
  captured: [],
  decodeFailures: [],
};

function startStub(): Promise<Server> {
  const server = createServer((socket) => serveConnection(socket, state.client, state.scenario));
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

function serveConnection(socket: Socket, client: ClientName, scenario: string): void {
  socket.setNoDelay(true);
  socket.on('error', () => undefined);
  let buffered: Buffer = Buffer.alloc(0);
  // Responses leave in request order even when one (an empty fetch) is held back.
  let queue: Promise<void> = Promise.resolve();
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    while (buffered.length >= 4) {
      const size = buffered.readInt32BE(0);
      if (buffered.length < 4 + size) break;
      const frame = Buffer.from(buffered.subarray(4, 4 + size));
      buffered = buffered.subarray(4 + size);
      state.captured.push({ client, scenario, apiKey: frame.readInt16BE(0), apiVersion: frame.readInt16BE(2), frame });
      queue = queue.then(() => answer(socket, client, frame));
    }
  });
}

async function answer(socket: Socket, client: ClientName, frame: Buffer): Promise<void> {
  let reply: Buffer | null;
  try {
    const header = decodeRequestHeader(frame, apis);
    if (!header.api) throw new Error(`unknown api key ${header.apiKey}`);
    const body = decodeRequestBody(header.api, header.apiVersion, frame, header.bodyOffset) as Record<string, any>;
    const out = await respond(client, header.api, header.apiVersion, body);
    reply = out === null ? null : encodeResponseFrame(header.api, header.apiVersion, header.correlationId, out as never);
  } catch (err) {
    state.decodeFailures.push(`${client} key ${frame.readInt16BE(0)} v${frame.readInt16BE(2)}: ${(err as Error).message}`);
    socket.destroy();
    return;
  }
  if (reply && !socket.destroyed) socket.write(reply);
}

const delay = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** A canned, valid answer that lets the client go on; null for acks=0 produce. */
async function respond(client: ClientName, api: ApiSpec, version: number, req: Record<string, any>): Promise<object | null> {
  const host = '127.0.0.1';
  const port = state.port;
  switch (api.apiKey as ApiKey) {
    case ApiKey.ApiVersions:
      // Minimum 0 for every key: librdkafka enables features by range overlap.
      return {
        errorCode: 0,
        apiKeys: ALL_APIS.map((a) => ({ apiKey: a.apiKey, minVersion: 0, maxVersion: highestVersion(a.validVersions) })),
        throttleTimeMs: 0,
      };
    case ApiKey.Metadata: {
      const names: string[] = req.topics === null || req.topics.length === 0 ? [TOPIC] : req.topics.map((t: any) => t.name);
      return {
        throttleTimeMs: 0,
        brokers: [{ nodeId: NODE_ID, host, port, rack: null }],
        clusterId: 'golden-cluster',
        controllerId: NODE_ID,
        topics: names.map((name) => ({
          errorCode: 0,
          name,
          topicId: TOPIC_ID,
          isInternal: false,
          partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: NODE_ID, leaderEpoch: 0, replicaNodes: [NODE_ID], isrNodes: [NODE_ID], offlineReplicas: [] }],
        })),
      };
    }
    case ApiKey.Produce:
      if (req.acks === 0) return null;
      return {
        responses: req.topicData.map((t: any) => ({
          name: t.name,
          partitionResponses: t.partitionData.map((p: any) => ({ index: p.index, errorCode: 0, baseOffset: 0, logAppendTimeMs: -1, logStartOffset: 0 })),
        })),
        throttleTimeMs: 0,
      };
    case ApiKey.Fetch: {
      const served = SERVED_RECORDS.length;
      const anyData = req.topics.some((t: any) => t.partitions.some((p: any) => p.fetchOffset < served));
      // Nothing new: hold the answer back a little, as a long poll would, so the client does not spin.
      if (!anyData) await delay(Math.min(req.maxWaitMs, EMPTY_FETCH_DELAY_MS));
      return {
        throttleTimeMs: 0,
        errorCode: 0,
        sessionId: 0,
        responses: req.topics.map((t: any) => ({
          topic: t.topic,
          topicId: t.topicId,
          partitions: t.partitions.map((p: any) => ({
            partitionIndex: p.partition,
            errorCode: 0,
            highWatermark: served,
            lastStableOffset: served,
            logStartOffset: 0,
            abortedTransactions: [],
            preferredReadReplica: -1,
            records: p.fetchOffset < served ? SERVED_BATCH : Buffer.alloc(0),
          })),
        })),
      };
    }
    case ApiKey.ListOffsets:
      return {
        throttleTimeMs: 0,
        topics: req.topics.map((t: any) => ({
          name: t.name,
          partitions: t.partitions.map((p: any) => {
            const offset = p.timestamp === -2 ? 0 : SERVED_RECORDS.length;
            return { partitionIndex: p.partitionIndex, errorCode: 0, oldStyleOffsets: [offset], timestamp: -1, offset, leaderEpoch: 0 };
          }),
        })),
      };
    case ApiKey.FindCoordinator:
      return {
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: null,
        nodeId: NODE_ID,
        host,
        port,
        coordinators: (req.coordinatorKeys ?? []).map((key: string) => ({ key, nodeId: NODE_ID, host, port, errorCode: 0, errorMessage: null })),
      };
    case ApiKey.JoinGroup: {
      // The sole member leads; its own protocols come back so its assignor runs on them.
      const memberId = state.memberIds[client];
      const chosen = req.protocols[0];
      return {
        throttleTimeMs: 0,
        errorCode: 0,
        generationId: 1,
        protocolType: req.protocolType,
        protocolName: chosen.name,
        leader: memberId,
        memberId,
        members: [{ memberId, groupInstanceId: null, metadata: chosen.metadata }],
      };
    }
    case ApiKey.SyncGroup: {
      // The leader computed the assignment itself: hand its own share back.
      const mine = req.assignments.find((a: any) => a.memberId === req.memberId);
      return { throttleTimeMs: 0, errorCode: 0, protocolType: req.protocolType, protocolName: req.protocolName, assignment: mine ? mine.assignment : Buffer.alloc(0) };
    }
    case ApiKey.Heartbeat:
      return { throttleTimeMs: 0, errorCode: 0 };
    case ApiKey.OffsetFetch:
      return {
        throttleTimeMs: 0,
        errorCode: 0,
        topics: (req.topics ?? []).map((t: any) => ({
          name: t.name,
          partitions: t.partitionIndexes.map((p: number) => ({ partitionIndex: p, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 })),
        })),
        groups: (req.groups ?? []).map((g: any) => ({
          groupId: g.groupId,
          errorCode: 0,
          topics: (g.topics ?? []).map((t: any) => ({
            name: t.name,
            partitions: t.partitionIndexes.map((p: number) => ({ partitionIndex: p, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 })),
          })),
        })),
      };
    case ApiKey.OffsetCommit:
      return {
        throttleTimeMs: 0,
        topics: req.topics.map((t: any) => ({ name: t.name, partitions: t.partitions.map((p: any) => ({ partitionIndex: p.partitionIndex, errorCode: 0 })) })),
      };
    case ApiKey.LeaveGroup:
      return {
        throttleTimeMs: 0,
        errorCode: 0,
        members: (req.members ?? []).map((m: any) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: 0 })),
      };
    case ApiKey.CreateTopics:
      return {
        throttleTimeMs: 0,
        topics: req.topics.map((t: any) => ({ name: t.name, topicId: TOPIC_ID, errorCode: 0, errorMessage: null, numPartitions: t.numPartitions, replicationFactor: t.replicationFactor, configs: [] })),
      };
    case ApiKey.InitProducerId:
      return { throttleTimeMs: 0, errorCode: 0, producerId: 1000, producerEpoch: 0 };
    default:
      // Every field at its version's empty value: error code 0 and empty lists.
      return {};
  }
}

// ---------------------------------------------------------------------------------------
// Driving the clients.

function kcatVersion(): { kcat: string; librdkafka: string } {
  const out = spawnSync('kcat', ['-V'], { encoding: 'utf8' }).stdout;
  const m = /Version (\S+) .*librdkafka (\S+?)[ )]/.exec(out);
  if (!m) throw new Error(`cannot read kcat -V:\n${out}`);
  return { kcat: m[1], librdkafka: m[2] };
}

/** Settings the kcat expectations rely on, set explicitly rather than trusting defaults. */
const KCAT_SETTINGS = {
  'client.id': 'golden-kcat',
  'broker.address.family': 'v4',
  'request.required.acks': '1',
  'request.timeout.ms': '5000',
  'linger.ms': '200',
  'fetch.wait.max.ms': '100',
  'fetch.min.bytes': '1',
  'fetch.max.bytes': '1000000',
  'fetch.message.max.bytes': '65536',
  'isolation.level': 'read_committed',
  'session.timeout.ms': '10000',
  'max.poll.interval.ms': '20000',
  'heartbeat.interval.ms': '100',
  'partition.assignment.strategy': 'range,roundrobin',
  'enable.auto.commit': 'true',
  'auto.commit.interval.ms': '100',
  'auto.offset.reset': 'earliest',
};
const KCAT_GROUP = 'golden-kcat-group';

function runKcat(scenario: string, args: string[], input?: string): Promise<void> {
  state.client = 'kcat';
  state.scenario = scenario;
  const settings = Object.entries(KCAT_SETTINGS).flatMap(([k, v]) => ['-X', `${k}=${v}`]);
  const child = spawn('kcat', ['-b', `127.0.0.1:${state.port}`, ...settings, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  child.stdout.on('data', () => undefined);
  child.stdin.on('error', () => undefined);
  child.stdin.end(input ?? '');
  return new Promise((ok) => {
    const timer = setTimeout(() => {
      console.warn(`kcat ${scenario}: killed after ${CLIENT_DEADLINE_MS} ms\n${stderr}`);
      child.kill('SIGKILL');
    }, CLIENT_DEADLINE_MS);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code !== 0 && code !== null) console.warn(`kcat ${scenario}: exit ${code}\n${stderr}`);
      ok();
    });
  });
}

async function driveKcat(): Promise<void> {
  await runKcat('metadata', ['-L']);
  await runKcat('produce', ['-P', '-t', TOPIC, '-p', '0', '-K', ':'], PRODUCED.kcat.map((r) => `${r.key}:${r.value}\n`).join(''));
  await runKcat('consume', ['-C', '-t', TOPIC, '-p', '0', '-o', 'beginning', '-c', '1']);
  await runKcat('group', ['-G', KCAT_GROUP, TOPIC, '-c', '1']);
}

const KAFKAJS = {
  clientId: 'golden-kafkajs',
  groupId: 'golden-kafkajs-group',
  sessionTimeout: 10_000,
  rebalanceTimeout: 20_000,
  produceTimeout: 5_000,
  acks: -1,
  maxWaitTimeInMs: 100,
  minBytes: 1,
  maxBytes: 1_000_000,
  maxBytesPerPartition: 65_536,
};

async function withDeadline<T>(what: string, work: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((ok) => {
    timer = setTimeout(() => {
      console.warn(`kafkajs ${what}: gave up after ${CLIENT_DEADLINE_MS} ms`);
      ok(undefined);
    }, CLIENT_DEADLINE_MS);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function driveKafkajs(): Promise<void> {
  // Loaded lazily so the stub and kcat part do not depend on it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Kafka, logLevel } = require('kafkajs') as typeof import('kafkajs');
  const kafka = new Kafka({ clientId: KAFKAJS.clientId, brokers: [`127.0.0.1:${state.port}`], logLevel: logLevel.NOTHING, retry: { retries: 2 } });
  state.client = 'kafkajs';

  state.scenario = 'admin';
  const admin = kafka.admin();
  await withDeadline('admin', (async () => {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: ADMIN_TOPIC, numPartitions: 1, replicationFactor: 1 }], timeout: 5000 });
    await admin.fetchTopicOffsets(TOPIC);
  })());
  await admin.disconnect();

  state.scenario = 'produce';
  const producer = kafka.producer();
  await withDeadline('produce', (async () => {
    await producer.connect();
    await producer.send({
      topic: TOPIC,
      acks: KAFKAJS.acks,
      timeout: KAFKAJS.produceTimeout,
      messages: PRODUCED.kafkajs.map((r) => ({ key: r.key, value: r.value, partition: 0 })),
    });
  })());
  await producer.disconnect();

  state.scenario = 'group';
  const consumer = kafka.consumer({
    groupId: KAFKAJS.groupId,
    sessionTimeout: KAFKAJS.sessionTimeout,
    rebalanceTimeout: KAFKAJS.rebalanceTimeout,
    heartbeatInterval: 100,
    maxWaitTimeInMs: KAFKAJS.maxWaitTimeInMs,
    minBytes: KAFKAJS.minBytes,
    maxBytes: KAFKAJS.maxBytes,
    maxBytesPerPartition: KAFKAJS.maxBytesPerPartition,
  });
  await withDeadline('group', (async () => {
    await consumer.connect();
    await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
    await consumer.run({ autoCommit: true, eachMessage: async () => undefined });
    // Auto commit follows the first batch; a heartbeat follows within its interval.
    const seen = () => new Set(state.captured.filter((c) => c.client === 'kafkajs').map((c) => c.apiKey));
    while (!(seen().has(ApiKey.OffsetCommit) && seen().has(ApiKey.Heartbeat))) await delay(20);
  })());
  await consumer.disconnect();
}

const PLATFORMATIC = {
  clientId: 'golden-platformatic',
  groupId: 'golden-platformatic-group',
  sessionTimeout: 10_000,
  rebalanceTimeout: 20_000,
  // The client-wide request timeout: Produce carries it as timeoutMs.
  produceTimeout: 7_000,
  acks: -1,
  maxWaitTime: 100,
  minBytes: 1,
  maxBytes: 1_000_000,
};

function platformaticVersion(): string {
  return (JSON.parse(readFileSync(resolve(__dirname, '../node_modules/@platformatic/kafka/package.json'), 'utf8')) as { version: string }).version;
}

async function drivePlatformatic(): Promise<void> {
  // An ES module: loaded lazily, only for this part.
  const { Admin, Consumer, Producer, stringDeserializers, stringSerializers } = await import('@platformatic/kafka');
  const base = { clientId: PLATFORMATIC.clientId, bootstrapBrokers: [`127.0.0.1:${state.port}`], retries: 2, retryDelay: 100 };
  state.client = 'platformatic';

  state.scenario = 'admin';
  const admin = new Admin(base);
  await withDeadline('platformatic admin', (async () => {
    await admin.createTopics({ topics: [ADMIN_TOPIC], partitions: 1, replicas: 1 });
    await admin.metadata({ topics: [TOPIC] });
  })());
  await admin.close();

  state.scenario = 'produce';
  const producer = new Producer({ ...base, serializers: stringSerializers, timeout: PLATFORMATIC.produceTimeout });
  await withDeadline('platformatic produce', producer.send({
    acks: PLATFORMATIC.acks,
    messages: PRODUCED.platformatic.map((r) => ({ topic: TOPIC, partition: 0, key: r.key, value: r.value })),
  }));
  await producer.close();

  state.scenario = 'group';
  const consumer = new Consumer({
    ...base,
    groupId: PLATFORMATIC.groupId,
    deserializers: stringDeserializers,
    sessionTimeout: PLATFORMATIC.sessionTimeout,
    rebalanceTimeout: PLATFORMATIC.rebalanceTimeout,
    heartbeatInterval: 100,
    maxWaitTime: PLATFORMATIC.maxWaitTime,
    minBytes: PLATFORMATIC.minBytes,
    maxBytes: PLATFORMATIC.maxBytes,
  });
  await withDeadline('platformatic group', (async () => {
    const stream = await consumer.consume({ topics: [TOPIC], mode: 'committed', fallbackMode: 'earliest', autocommit: 100 });
    stream.on('data', () => undefined);
    const seen = () => new Set(state.captured.filter((c) => c.client === 'platformatic').map((c) => c.apiKey));
    while (!(seen().has(ApiKey.OffsetCommit) && seen().has(ApiKey.Heartbeat))) await delay(20);
    await stream.close();
  })());
  await consumer.close(true);
}

// ---------------------------------------------------------------------------------------
// Expectations: what each captured request must decode to, from how the client was driven.

interface Expected extends GoldenExpectation {
  client: ClientName;
}

type Shape = Omit<Expected, 'fixture' | 'client' | 'clientVersion' | 'scenario' | 'api' | 'header'>;

function kcatExpectation(apiKey: ApiKey, version: number, variant: MetadataVariant | null, scenario: string): Shape | null {
  const s = KCAT_SETTINGS;
  const member = state.memberIds.kcat;
  switch (apiKey) {
    case ApiKey.ApiVersions:
      return { body: version >= 3 ? { clientSoftwareName: 'librdkafka', clientSoftwareVersion: versions.librdkafka } : {} };
    case ApiKey.Metadata:
      // allow.auto.create.topics defaults to true for producer handles (kcat -L and -P
      // use one) and false for consumers; a brokers-only refresh never asks for it.
      return {
        body: { topics: metadataTopics(variant), allowAutoTopicCreation: variant !== 'no-topics' && (scenario === 'metadata' || scenario === 'produce') },
      };
    case ApiKey.Produce:
      return {
        body: { transactionalId: null, acks: Number(s['request.required.acks']), timeoutMs: Number(s['request.timeout.ms']), topicData: [{ name: TOPIC, partitionData: [{ index: 0 }] }] },
        records: PRODUCED.kcat,
      };
    case ApiKey.Fetch:
      return {
        body: {
          replicaId: -1,
          maxWaitMs: Number(s['fetch.wait.max.ms']),
          minBytes: Number(s['fetch.min.bytes']),
          maxBytes: Number(s['fetch.max.bytes']),
          isolationLevel: 1,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [{ topic: TOPIC, partitions: [{ partition: 0, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: Number(s['fetch.message.max.bytes']) }] }],
          forgottenTopicsData: [],
        },
      };
    case ApiKey.ListOffsets:
      // -o beginning: the earliest offset (-2).
      return { body: { replicaId: -1, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, timestamp: -2 }] }] } };
    case ApiKey.FindCoordinator:
      return { body: { key: KCAT_GROUP, keyType: 0 } };
    case ApiKey.JoinGroup:
      return {
        body: {
          groupId: KCAT_GROUP,
          sessionTimeoutMs: Number(s['session.timeout.ms']),
          rebalanceTimeoutMs: Number(s['max.poll.interval.ms']),
          memberId: '',
          protocolType: 'consumer',
          protocols: s['partition.assignment.strategy'].split(',').map((name) => ({ name })),
        },
        subscriptions: s['partition.assignment.strategy'].split(',').map((name) => ({ name, topics: [TOPIC] })),
      };
    case ApiKey.SyncGroup:
      return {
        body: { groupId: KCAT_GROUP, generationId: 1, memberId: member, assignments: [{ memberId: member }] },
        assignments: [{ memberId: member, topics: [{ topic: TOPIC, partitions: [0] }] }],
      };
    case ApiKey.Heartbeat:
      return { body: { groupId: KCAT_GROUP, generationId: 1, memberId: member } };
    case ApiKey.OffsetFetch:
      return { body: { groupId: KCAT_GROUP, topics: [{ name: TOPIC, partitionIndexes: [0] }] } };
    case ApiKey.OffsetCommit:
      // -c 1: one record consumed, so the next offset to read is 1.
      return {
        body: {
          groupId: KCAT_GROUP,
          generationIdOrMemberEpoch: 1,
          memberId: member,
          topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: 1 }] }],
        },
      };
    case ApiKey.LeaveGroup:
      return { body: { groupId: KCAT_GROUP, memberId: member } };
    default:
      return null;
  }
}

function kafkajsExpectation(apiKey: ApiKey, version: number, variant: MetadataVariant | null, scenario: string): Shape | null {
  const k = KAFKAJS;
  const member = state.memberIds.kafkajs;
  switch (apiKey) {
    case ApiKey.ApiVersions:
      return { body: version >= 3 ? { clientSoftwareName: 'kafkajs' } : {} };
    case ApiKey.Metadata:
      // The admin client never asks for auto-creation (producers and consumers do by
      // default); its first named Metadata waits for the leader of the topic it created.
      return { body: { topics: metadataTopics(variant, scenario === 'admin' ? ADMIN_TOPIC : TOPIC), allowAutoTopicCreation: scenario !== 'admin' } };
    case ApiKey.CreateTopics:
      return { body: { topics: [{ name: ADMIN_TOPIC, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false } };
    case ApiKey.ListOffsets:
      // fetchTopicOffsets asks for the latest offset (-1) first, read committed by default.
      return { body: { replicaId: -1, isolationLevel: 1, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, timestamp: -1 }] }] } };
    case ApiKey.Produce:
      return {
        body: { transactionalId: null, acks: k.acks, timeoutMs: k.produceTimeout, topicData: [{ name: TOPIC, partitionData: [{ index: 0 }] }] },
        records: PRODUCED.kafkajs,
      };
    case ApiKey.Fetch:
      return {
        body: {
          replicaId: -1,
          maxWaitMs: k.maxWaitTimeInMs,
          minBytes: k.minBytes,
          maxBytes: k.maxBytes,
          isolationLevel: 1,
          topics: [{ topic: TOPIC, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: k.maxBytesPerPartition }] }],
        },
      };
    case ApiKey.FindCoordinator:
      return { body: { key: k.groupId, keyType: 0 } };
    case ApiKey.JoinGroup:
      return {
        body: {
          groupId: k.groupId,
          sessionTimeoutMs: k.sessionTimeout,
          rebalanceTimeoutMs: k.rebalanceTimeout,
          memberId: '',
          protocolType: 'consumer',
          protocols: [{ name: 'RoundRobinAssigner' }],
        },
        subscriptions: [{ name: 'RoundRobinAssigner', topics: [TOPIC] }],
      };
    case ApiKey.SyncGroup:
      return {
        body: { groupId: k.groupId, generationId: 1, memberId: member, assignments: [{ memberId: member }] },
        assignments: [{ memberId: member, topics: [{ topic: TOPIC, partitions: [0] }] }],
      };
    case ApiKey.Heartbeat:
      return { body: { groupId: k.groupId, generationId: 1, memberId: member } };
    case ApiKey.OffsetFetch:
      return { body: { groupId: k.groupId, topics: [{ name: TOPIC, partitionIndexes: [0] }] } };
    case ApiKey.OffsetCommit:
      // Both served records consumed in one batch, then committed: next offset 2.
      return {
        body: {
          groupId: k.groupId,
          generationIdOrMemberEpoch: 1,
          memberId: member,
          topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: SERVED_RECORDS.length }] }],
        },
      };
    case ApiKey.LeaveGroup:
      return version >= 3 ? { body: { groupId: k.groupId, members: [{ memberId: member }] } } : { body: { groupId: k.groupId, memberId: member } };
    default:
      return null;
  }
}

function platformaticExpectation(apiKey: ApiKey, version: number, variant: MetadataVariant | null, scenario: string): Shape | null {
  const k = PLATFORMATIC;
  const member = state.memberIds.platformatic;
  switch (apiKey) {
    case ApiKey.ApiVersions:
      return { body: { clientSoftwareName: 'platformatic-kafka', clientSoftwareVersion: platformaticVersion() } };
    case ApiKey.Metadata:
      // Flexible (v12): names only, no topic ids; the admin never asks for auto-creation.
      return { body: { topics: [{ topicId: ZERO_UUID, name: TOPIC }], allowAutoTopicCreation: scenario !== 'admin' } };
    case ApiKey.CreateTopics:
      return { body: { topics: [{ name: ADMIN_TOPIC, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], validateOnly: false } };
    case ApiKey.Produce:
      return {
        body: { transactionalId: null, acks: k.acks, timeoutMs: k.produceTimeout, topicData: [{ name: TOPIC, partitionData: [{ index: 0 }] }] },
        records: PRODUCED.platformatic,
      };
    case ApiKey.Fetch:
      // By topic id (v13+), the one the stub's Metadata gave; v15+ moves replicaId into a tagged struct.
      return {
        body: {
          replicaState: { replicaId: -1 },
          maxWaitMs: k.maxWaitTime,
          minBytes: k.minBytes,
          maxBytes: k.maxBytes,
          isolationLevel: 1,
          sessionId: 0,
          topics: [{ topicId: TOPIC_ID, partitions: [{ partition: 0, fetchOffset: 0 }] }],
          forgottenTopicsData: [],
        },
      };
    case ApiKey.ListOffsets:
      // mode 'committed' with nothing committed falls back to the earliest offset (-2).
      return { body: { replicaId: -1, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, timestamp: -2 }] }] } };
    case ApiKey.FindCoordinator:
      // v4+ batches keys.
      return { body: { keyType: 0, coordinatorKeys: [k.groupId] } };
    case ApiKey.JoinGroup:
      return {
        body: {
          groupId: k.groupId,
          sessionTimeoutMs: k.sessionTimeout,
          rebalanceTimeoutMs: k.rebalanceTimeout,
          memberId: '',
          groupInstanceId: null,
          protocolType: 'consumer',
          protocols: [{ name: 'roundrobin' }],
        },
        subscriptions: [{ name: 'roundrobin', topics: [TOPIC] }],
      };
    case ApiKey.SyncGroup:
      return {
        body: { groupId: k.groupId, generationId: 1, memberId: member, protocolType: 'consumer', protocolName: 'roundrobin', assignments: [{ memberId: member }] },
        assignments: [{ memberId: member, topics: [{ topic: TOPIC, partitions: [0] }] }],
      };
    case ApiKey.Heartbeat:
      return { body: { groupId: k.groupId, generationId: 1, memberId: member, groupInstanceId: null } };
    case ApiKey.OffsetFetch:
      // v8+ asks per group.
      return { body: { groups: [{ groupId: k.groupId, topics: [{ name: TOPIC, partitionIndexes: [0] }] }] } };
    case ApiKey.OffsetCommit:
      // Both served records consumed, then committed: next offset 2.
      return {
        body: {
          groupId: k.groupId,
          generationIdOrMemberEpoch: 1,
          memberId: member,
          topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: SERVED_RECORDS.length }] }],
        },
      };
    case ApiKey.LeaveGroup:
      return { body: { groupId: k.groupId, members: [{ memberId: member, groupInstanceId: null }] } };
    default:
      return null;
  }
}

let versions: { kcat: string; librdkafka: string };

/**
 * Metadata requests differ in kind, not just in version: every topic (null array),
 * brokers only (empty array) or named topics. One fixture of each kind, told apart by
 * the raw topic count (non-flexible versions only: both clients stop below v9).
 */
type MetadataVariant = 'all-topics' | 'no-topics' | 'named-topics';

function metadataVariant(c: Captured): MetadataVariant | null {
  if (c.apiKey !== ApiKey.Metadata || c.apiVersion >= 9) return null;
  const clientIdLength = c.frame.readInt16BE(8);
  const count = c.frame.readInt32BE(10 + Math.max(clientIdLength, 0));
  return count < 0 ? 'all-topics' : count === 0 ? 'no-topics' : 'named-topics';
}

function metadataTopics(variant: MetadataVariant | null, named = TOPIC): unknown {
  if (variant === 'all-topics') return null;
  if (variant === 'no-topics') return [];
  return [{ name: named }];
}

function fixtureName(c: Captured, api: ApiSpec): string {
  const kebab = api.name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
  const majorMinor = (v: string) => v.split('.').slice(0, 2).join('.');
  const library = { kcat: versions.librdkafka, kafkajs: kafkajsVersion(), platformatic: platformaticVersion() }[c.client];
  const tag = `${c.client}-${majorMinor(library)}`;
  const variant = metadataVariant(c);
  return `${tag}-${kebab}-v${c.apiVersion}${variant ? `-${variant}` : ''}`;
}

function kafkajsVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('kafkajs/package.json') as { version: string }).version;
}

function writeFixtures(): string[] {
  mkdirSync(OUT_DIR, { recursive: true });
  for (const f of readdirSync(OUT_DIR)) if (f.endsWith('.request.bin') || f.endsWith('.expected.json')) rmSync(join(OUT_DIR, f));
  const groups = new Map<string, Captured[]>();
  for (const c of state.captured) {
    const key = `${c.client}/${c.apiKey}/${c.apiVersion}/${metadataVariant(c) ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const written: string[] = [];
  for (const frames of groups.values()) {
    // The first of each kind: the one the scenario that drove it was written for.
    const c = frames[0];
    const api = apis.get(c.apiKey);
    if (!api) {
      console.warn(`${c.client}: api key ${c.apiKey} is not declared; not stored`);
      continue;
    }
    const variant = metadataVariant(c);
    const shape = {
      kcat: kcatExpectation,
      kafkajs: kafkajsExpectation,
      platformatic: platformaticExpectation,
    }[c.client](c.apiKey, c.apiVersion, variant, c.scenario);
    const name = fixtureName(c, api);
    const expected: Expected = {
      fixture: `${name}.request.bin`,
      client: c.client,
      clientVersion: {
        kcat: `kcat ${versions.kcat} (librdkafka ${versions.librdkafka})`,
        kafkajs: `kafkajs ${kafkajsVersion()}`,
        platformatic: `@platformatic/kafka ${platformaticVersion()}`,
      }[c.client],
      scenario: c.scenario,
      api: api.name,
      header: {
        apiKey: c.frame.readInt16BE(0),
        apiVersion: c.frame.readInt16BE(2),
        correlationId: c.frame.readInt32BE(4),
        clientId: { kcat: KCAT_SETTINGS['client.id'], kafkajs: KAFKAJS.clientId, platformatic: PLATFORMATIC.clientId }[c.client],
      },
      ...(shape ?? { body: {} }),
    };
    writeFileSync(join(OUT_DIR, `${name}.request.bin`), c.frame);
    writeFileSync(join(OUT_DIR, `${name}.expected.json`), JSON.stringify(expected, null, 2) + '\n');
    written.push(`${name} (${c.frame.length} bytes, ${frames.length} seen)`);
  }
  return written.sort();
}

async function main(): Promise<void> {
  versions = kcatVersion();
  const server = await startStub();
  state.port = (server.address() as { port: number }).port;
  await driveKcat();
  await driveKafkajs();
  await drivePlatformatic();
  server.close();
  const written = writeFixtures();
  console.log(`wrote ${written.length} fixtures to ${OUT_DIR}:\n  ${written.join('\n  ')}`);
  if (state.decodeFailures.length > 0) console.warn(`the stub could not decode:\n  ${state.decodeFailures.join('\n  ')}`);
  // kafkajs may leave timers behind; the work is done.
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
