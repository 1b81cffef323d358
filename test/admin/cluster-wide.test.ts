// Any broker answers for the whole cluster: two brokers on the suite's real ZooKeeper, a
// topic led only by broker 1 and a group coordinated by broker 1, all seen through broker
// 0's REST admin (offsets from the other leader, sizes from the other broker's log dirs, the
// group described at its coordinator), while each broker's /metrics reports its own part,
// ISR shrinks and expands included.
import { Kafka, logLevel } from 'kafkajs';
import request from 'supertest';
import { KafkaAdmin } from '../../src/client/admin/kafka-admin';
import { ZkCluster } from '../support/cluster-harness';
import { waitFor } from '../support/wait-for';

const TOKEN = 'cluster-wide-admin-token-0123456789';
const AUTH = { Authorization: `Bearer ${TOKEN}` };
const TOPIC = 'elsewhere';
/** replica.lag.time.max.ms: short, so a stopped follower leaves the ISR within the test. */
const LAG_MS = 1500;

let cluster: ZkCluster;
let admin: KafkaAdmin;

beforeAll(async () => {
  cluster = await ZkCluster.start({ size: 2, label: 'rest-admin', settings: { 'admin.token': TOKEN, 'group.initial.rebalance.delay.ms': 0, 'replica.lag.time.max.ms': LAG_MS } });
  admin = new KafkaAdmin({ bootstrapServers: cluster.bootstrapServers });
  await admin.connect();
  // Explicit placement: every replica on broker 1, so broker 0 holds nothing of it.
  await admin.createTopics([{ name: TOPIC, assignments: { 0: [1], 1: [1] } }], { timeoutMs: 15_000 });
}, 90_000);

afterAll(async () => {
  await admin?.close();
  await cluster?.dispose();
}, 60_000);

describe('REST admin on a two-broker cluster', () => {
  it("broker 0 lists both brokers and describes a topic led by broker 1 with that leader's offsets and sizes", async () => {
    const http0 = request(cluster.byId(0).adminUrl);
    const { body: clusterView } = await http0.get('/api/cluster');
    expect(clusterView.brokers.map((b: { id: number }) => b.id)).toEqual([0, 1]);
    expect([0, 1]).toContain(clusterView.controllerId);

    for (let i = 0; i < 3; i++) {
      const sent = await http0.post(`/api/topics/${TOPIC}/messages`).set(AUTH).send({ partition: 0, value: `far-${i}` });
      expect(sent.status).toBe(201);
      expect(sent.body.offset).toBe(i);
    }
    const { status, body } = await http0.get(`/api/topics/${TOPIC}`);
    expect(status).toBe(200);
    const [p0, p1] = body.partitions;
    expect(p0).toMatchObject({ partition: 0, leader: 1, replicas: [1], isr: [1], logStartOffset: 0, highWatermark: 3, logEndOffset: 3, sizeBytes: expect.any(Number) });
    expect(p0.sizeBytes).toBeGreaterThan(0);
    expect(p0.replicaLogs).toEqual([{ brokerId: 1, logDir: cluster.byId(1).logDir, sizeBytes: p0.sizeBytes }]);
    expect(p1).toMatchObject({ partition: 1, leader: 1, highWatermark: 0, logEndOffset: 0, sizeBytes: 0 });

    const read = await http0.get(`/api/topics/${TOPIC}/messages?partition=0`);
    expect(read.body.messages.map((m: { value: string }) => m.value)).toEqual(['far-0', 'far-1', 'far-2']);

    // Broker 0 holds no replica: its own metrics have no size for the topic; broker 1's do.
    expect((await http0.get('/metrics')).text).not.toContain(`topic="${TOPIC}"`);
    expect((await request(cluster.byId(1).adminUrl).get('/metrics')).text).toContain(`kafkanest_log_size_bytes{topic="${TOPIC}",partition="0",broker="1"} ${p0.sizeBytes}`);
  }, 60_000);

  it('broker 0 describes, resets and deletes a group coordinated by broker 1', async () => {
    const http0 = request(cluster.byId(0).adminUrl);
    // The coordinator is a hash of the group id over the brokers: start groups until one lands on broker 1.
    let groupId: string | undefined;
    for (let i = 0; i < 20 && groupId === undefined; i++) {
      const candidate = `far-group-${i}`;
      expect((await http0.post(`/api/consumer-groups/${candidate}/offsets`).set(AUTH).send({ to: 'earliest', topic: TOPIC })).status).toBe(200);
      const listed = (await http0.get('/api/consumer-groups')).body.find((g: { groupId: string }) => g.groupId === candidate);
      if (listed?.coordinatorId === 1) groupId = candidate;
    }
    expect(groupId).toBeDefined();

    const described = await http0.get(`/api/consumer-groups/${groupId}`);
    expect(described.status).toBe(200);
    expect(described.body).toMatchObject({ groupId, state: 'Empty', coordinatorId: 1, members: [] });
    expect(described.body.partitions).toEqual([
      { topic: TOPIC, partition: 0, currentOffset: 0, logEndOffset: 3, lag: 3, consumerId: null, host: null, clientId: null },
      { topic: TOPIC, partition: 1, currentOffset: 0, logEndOffset: 0, lag: 0, consumerId: null, host: null, clientId: null },
    ]);
    // The coordinator (which also leads the partitions) reports the lag in its metrics.
    expect((await request(cluster.byId(1).adminUrl).get('/metrics')).text).toContain(`kafkanest_consumer_group_lag{group="${groupId}",topic="${TOPIC}",partition="0",broker="1"} 3`);

    const latest = await http0.post(`/api/consumer-groups/${groupId}/offsets`).set(AUTH).send({ to: 'latest', topic: TOPIC, partitions: [0] });
    expect(latest.body.offsets).toEqual([{ topic: TOPIC, partition: 0, offset: 3 }]);
    expect((await http0.get(`/api/consumer-groups/${groupId}`)).body.partitions[0]).toMatchObject({ currentOffset: 3, lag: 0 });

    expect((await http0.delete(`/api/consumer-groups/${groupId}`).set(AUTH)).status).toBe(204);
    expect((await http0.get(`/api/consumer-groups/${groupId}`)).status).toBe(404);
  }, 60_000);

  it("a leader's /metrics counts the ISR shrink when its follower stops and the expand when it is back", async () => {
    const leader = cluster.byId(1);
    const follower = cluster.byId(0);
    await admin.createTopics([{ name: 'replicated', assignments: { 0: [1, 0] } }], { timeoutMs: 15_000 });
    await cluster.waitForFullIsrs(new Map([['replicated', 1]]), 2);
    const metric = async (name: string): Promise<number> => {
      const line = (await request(leader.adminUrl).get('/metrics')).text.split('\n').find((l) => l.startsWith(`${name}{broker="1"} `));
      return Number(line?.split(' ')[1]);
    };
    const shrinks = await metric('kafkanest_isr_shrinks_total');
    const expands = await metric('kafkanest_isr_expands_total');
    expect(await metric('kafkanest_under_replicated_partitions')).toBe(0);

    cluster.pause(follower);
    // A follower leaves the ISR only when it falls behind: the leader takes a record (acks=1) it cannot fetch.
    const producer = new Kafka({ clientId: 'isr-test', brokers: [leader.bootstrap], logLevel: logLevel.NOTHING }).producer();
    try {
      await producer.connect();
      await producer.send({ topic: 'replicated', acks: 1, messages: [{ partition: 0, value: 'behind' }] });
      await waitFor(async () => (await metric('kafkanest_isr_shrinks_total')) === shrinks + 1, { timeoutMs: LAG_MS * 4, what: 'the ISR shrink to be counted' });
      expect(await metric('kafkanest_under_replicated_partitions')).toBe(1);
    } finally {
      cluster.resume(follower);
      await producer.disconnect();
    }
    await waitFor(async () => (await metric('kafkanest_isr_expands_total')) === expands + 1, { timeoutMs: 15_000, what: 'the ISR expand to be counted' });
    expect(await metric('kafkanest_under_replicated_partitions')).toBe(0);
  }, 60_000);
});
