// Replication across three built brokers on the test ZooKeeper, driven the way operators
// break clusters: followers copy the leader's log byte for byte; a stopped follower (SIGSTOP)
// leaves the ISR after replica.lag.time.max.ms while acks=all keeps working with
// min.insync.replicas=2; with two followers stopped produce gets NOT_ENOUGH_REPLICAS;
// resumed followers catch up and rejoin; a killed leader (SIGKILL) is replaced from the ISR
// and every acknowledged record is there, at gapless offsets.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { quietStoreLogger } from '../../src/broker/metadata/metadata-node.test-helpers';
import { ErrorCode, ListOffsetsApi, MetadataApi, ProduceApi, RecordBatchView, encodeRecordBatch } from '../../src/protocol';
import { PartitionStatesAccessor, type PartitionState } from '../../src/zk/accessors/partition-state.accessor';
import { ZooKeeperMetadataStore } from '../../src/zk/zookeeper-metadata-store';
import { BrokerProcess } from '../support/broker-process';
import { KafkaWireClient } from '../support/kafka-wire-client';
import { testZkConnect, uniqueZkRoot } from '../support/test-zookeeper';
import { waitFor } from '../support/wait-for';
import { fetchAllBatches } from '../support/wire-admin';

const TOPIC = 'replicated';
const LAG_MS = 2_000;
const SESSION_MS = 10_000;
const DEBUGGING_REPLICA = -2;

function sameMembers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id));
}

describe('replication over three brokers', () => {
  const brokers: BrokerProcess[] = [];
  const stopped = new Set<BrokerProcess>();
  let store: ZooKeeperMetadataStore;
  let states: PartitionStatesAccessor;
  let kafka: Kafka;
  let producer: Producer;
  /** Every value a produce acknowledged, in offset order. */
  const acknowledged: string[] = [];
  /** acks=1 values the followers never fetched before the leader died. */
  const unreplicated: string[] = [];
  let leader: BrokerProcess;
  let followers: BrokerProcess[];

  beforeAll(async () => {
    const root = await ZooKeeperMetadataStore.connect({ connect: testZkConnect(), logger: quietStoreLogger });
    const chroot = uniqueZkRoot('replication');
    await root.create(chroot, null);
    await root.close();
    const connect = `${testZkConnect()}${chroot}`;
    store = await ZooKeeperMetadataStore.connect({ connect, logger: quietStoreLogger });
    states = new PartitionStatesAccessor(store);
    const settings = {
      'zookeeper.connect': connect,
      'zookeeper.session.timeout.ms': SESSION_MS,
      'replica.lag.time.max.ms': LAG_MS,
      'replica.fetch.backoff.ms': 200,
      'auto.create.topics.enable': false,
    };
    brokers.push(...(await Promise.all([0, 1, 2].map((id) => BrokerProcess.start({ settings: { ...settings, 'broker.id': id } })))));
    kafka = new Kafka({ clientId: 'replication-test', brokers: brokers.map((b) => b.bootstrap), logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100 } });
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
  });

  afterAll(async () => {
    for (const broker of stopped) if (broker.pid) process.kill(broker.pid, 'SIGCONT');
    await producer?.disconnect().catch(() => undefined);
    await store?.close();
    await Promise.all(brokers.map((b) => b.dispose()));
  });

  const state = async (): Promise<PartitionState> => (await states.get(TOPIC, 0))!;
  const byId = (id: number): BrokerProcess => brokers.find((b) => b.brokerId === id)!;

  async function produce(count: number, tag: string): Promise<void> {
    const values = Array.from({ length: count }, (_, i) => `${tag}-${i}`);
    // Sends of 50, awaited in turn: the values acknowledged so far are the log in offset order.
    for (let i = 0; i < values.length; i += 50) {
      const chunk = values.slice(i, i + 50);
      await producer.send({ topic: TOPIC, acks: -1, messages: chunk.map((value) => ({ value })) });
      acknowledged.push(...chunk);
    }
  }

  /** One Produce request with one batch of `values`, straight to `broker` (no client retries). */
  async function produceTo(broker: BrokerProcess, acks: number, values: string[]): Promise<{ errorCode: number; baseOffset: number }> {
    const client = await KafkaWireClient.connect(broker.port);
    try {
      const response = await client.request(ProduceApi, 7, {
        transactionalId: null,
        acks,
        timeoutMs: 10_000,
        topicData: [{ name: TOPIC, partitionData: [{ index: 0, records: encodeRecordBatch(values.map((value) => ({ value: Buffer.from(value) }))) }] }],
      });
      return response.responses[0].partitionResponses[0];
    } finally {
      client.close();
    }
  }

  /** Every record of the partition on `broker` (its leader), as offsets and values. */
  async function readAll(broker: BrokerProcess): Promise<{ offsets: number[]; values: string[] }> {
    const client = await KafkaWireClient.connect(broker.port);
    const offsets: number[] = [];
    const values: string[] = [];
    try {
      for (const bytes of await fetchAllBatches(client, TOPIC, 0)) {
        for (const record of new RecordBatchView(bytes).records()) {
          offsets.push(record.offset);
          values.push(record.value!.toString());
        }
      }
    } finally {
      client.close();
    }
    return { offsets, values };
  }

  const segment = (b: BrokerProcess): Buffer => readFileSync(join(b.logDir, `${TOPIC}-0`, '00000000000000000000.log'));

  /** ListOffsets latest: the log end for a debugging client (any replica answers), the HW for a consumer (leader only). */
  async function latestOffset(broker: BrokerProcess, replicaId: number): Promise<number> {
    const client = await KafkaWireClient.connect(broker.port);
    try {
      const response = await client.request(ListOffsetsApi, 4, {
        replicaId,
        isolationLevel: 0,
        topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1, maxNumOffsets: 1 }] }],
      });
      const answer = response.topics[0].partitions[0];
      if (answer.errorCode !== ErrorCode.NONE) throw new Error(`ListOffsets on broker ${broker.brokerId}: error ${answer.errorCode}`);
      return answer.offset;
    } finally {
      client.close();
    }
  }

  /** The ISR in `broker`'s answer to Metadata (its own view of the state node). */
  async function isrSeenBy(broker: BrokerProcess): Promise<number[]> {
    const client = await KafkaWireClient.connect(broker.port);
    try {
      const response = await client.request(MetadataApi, 4, { topics: [{ topicId: '', name: TOPIC }], allowAutoTopicCreation: false });
      return response.topics[0].partitions[0].isrNodes;
    } finally {
      client.close();
    }
  }

  function pause(broker: BrokerProcess): void {
    process.kill(broker.pid!, 'SIGSTOP');
    stopped.add(broker);
  }

  function resume(broker: BrokerProcess): void {
    process.kill(broker.pid!, 'SIGCONT');
    stopped.delete(broker);
  }

  it('copies every acknowledged record to all three replicas byte for byte, with all three in the ISR', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }],
        waitForLeaders: true,
      });
    } finally {
      await admin.disconnect();
    }
    const initial = await waitFor(async () => {
      const s = await states.get(TOPIC, 0);
      return s && s.leader >= 0 && s.isr.length === 3 ? s : null;
    }, { what: 'a leader and an ISR of three' });
    leader = byId(initial.leader);
    followers = brokers.filter((b) => b !== leader);

    await produce(300, 'first');
    await waitFor(async () => (await Promise.all(brokers.map((b) => latestOffset(b, DEBUGGING_REPLICA)))).every((end) => end === 300), {
      what: 'every replica to reach log end 300',
    });
    expect(await latestOffset(leader, -1)).toBe(300);
    const leaderBytes = segment(leader);
    expect(leaderBytes.length).toBeGreaterThan(0);
    for (const follower of followers) expect(segment(follower).equals(leaderBytes)).toBe(true);
    expect([...(await state()).isr].sort()).toEqual([0, 1, 2]);
  });

  it('drops a stopped follower from the ISR after replica.lag.time.max.ms, and acks=all still succeeds with min.insync.replicas=2', async () => {
    const started = Date.now();
    pause(followers[0]);
    // As in Kafka, a follower that holds the whole log stays in sync however long it is
    // silent; new records it does not fetch are what make it lag. acks=all waits for it
    // until the leader drops it from the ISR, then succeeds with the two left.
    await produce(100, 'second');
    const shrunk = await state();
    expect(shrunk.isr).toHaveLength(2);
    expect(shrunk.isr).not.toContain(followers[0].brokerId);
    expect(shrunk.leader).toBe(leader.brokerId);
    // It was last caught up at its last fetch before the stop, at most replica.fetch.wait.max.ms (500) earlier.
    expect(Date.now() - started).toBeGreaterThanOrEqual(LAG_MS - 600);
    expect(await latestOffset(leader, -1)).toBe(400);
  });

  it('answers acks=all with NOT_ENOUGH_REPLICAS once the ISR is smaller than min.insync.replicas', async () => {
    pause(followers[1]);
    // acks=1 needs only the leader; the follower that does not fetch it falls out of the ISR.
    expect(await produceTo(leader, 1, ['acks-1'])).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 400 });
    acknowledged.push('acks-1');
    await waitFor(async () => (await state()).isr.length === 1, { timeoutMs: LAG_MS * 4, what: 'the ISR to shrink to the leader alone' });
    // The node can be read before the leader has heard that its write succeeded. The
    // leader's own metadata re-reads the node after that answer (same ZooKeeper session,
    // in order), so once it shows the new ISR the leader applies it.
    await waitFor(async () => sameMembers(await isrSeenBy(leader), [leader.brokerId]), { what: 'the leader to see the ISR it wrote' });
    expect((await produceTo(leader, -1, ['refused'])).errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
  });

  it('takes resumed followers back into the ISR once they caught up', async () => {
    const started = Date.now();
    for (const follower of followers) resume(follower);
    const expanded = await waitFor(async () => {
      const s = await state();
      return s.isr.length === 3 ? s : null;
    }, { timeoutMs: 15_000, what: 'the ISR to expand back to three' });
    expect(expanded.leader).toBe(leader.brokerId);
    for (const follower of followers) expect(await latestOffset(follower, DEBUGGING_REPLICA)).toBeGreaterThanOrEqual(401);
    await produce(100, 'third');
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('elects a new leader from the ISR when the leader is killed, and every acknowledged record is there at gapless offsets', async () => {
    // The followers stop for a moment in which the leader takes acks=1 writes they never
    // see; then the leader dies. (A fetch already out may bring the first of them along.)
    for (const follower of followers) pause(follower);
    for (let i = 0; i < 5; i++) {
      const values = [`lost-${i}-a`, `lost-${i}-b`];
      expect((await produceTo(leader, 1, values)).errorCode).toBe(ErrorCode.NONE);
      unreplicated.push(...values);
    }
    const before = await state();
    await leader.kill();
    for (const follower of followers) resume(follower);
    const after = await waitFor(async () => {
      const s = await state();
      return s.leader >= 0 && s.leader !== leader.brokerId ? s : null;
    }, { timeoutMs: SESSION_MS + 10_000, what: 'a new leader' });
    expect(before.isr).toContain(after.leader);
    expect(after.leaderEpoch).toBeGreaterThan(before.leaderEpoch);
    const next = byId(after.leader);
    // Committed data only: the new leader's high watermark passes what was acknowledged once the other follower fetched.
    await waitFor(async () => (await latestOffset(next, -1)) >= acknowledged.length, { what: 'the new leader to commit everything acknowledged' });
    const { offsets, values } = await readAll(next);
    expect(offsets).toEqual(values.map((_, i) => i));
    expect(values.slice(0, acknowledged.length)).toEqual(acknowledged);
    // At most the first unreplicated batch reached a follower before it stopped.
    const extra = values.slice(acknowledged.length);
    expect(extra).toEqual(unreplicated.slice(0, extra.length));
    expect(extra.length).toBeLessThanOrEqual(2);
    leader = next;
  });

  it('makes the restarted old leader drop the records the new leader lacks (OffsetForLeaderEpoch), catch up and rejoin the ISR', async () => {
    const old = brokers.find((b) => !b.isAlive())!;
    // On disk the dead leader still holds every unreplicated record.
    expect(segment(old).includes(Buffer.from(unreplicated[unreplicated.length - 1]))).toBe(true);
    await produce(50, 'after');
    await old.restart();
    await waitFor(async () => (await state()).isr.length === 3, { timeoutMs: 15_000, what: 'the old leader to rejoin the ISR' });
    await waitFor(async () => (await latestOffset(old, DEBUGGING_REPLICA)) === (await latestOffset(leader, DEBUGGING_REPLICA)), { what: 'the old leader to catch up' });
    expect(segment(old).equals(segment(leader))).toBe(true);
    expect(segment(old).includes(Buffer.from(unreplicated[unreplicated.length - 1]))).toBe(false);
    const { values } = await readAll(leader);
    expect(values.slice(-50)).toEqual(acknowledged.slice(-50));
  });
});
