// GET /api/delays answers for the whole cluster from either of two brokers on the test
// ZooKeeper: the delay queues are placed by hand (the heap and level 1 led by broker 0, levels
// 2 and 3 by broker 1), records are held on queues of both leaders, and both brokers' answers
// show every queue's depth and next due time alike. Then broker 1 is frozen (SIGSTOP): broker
// 0 still answers 200 at once, its own queues in full, broker 1's with an error — checked
// before the frozen broker's session runs out, so leadership has not moved yet; once it has,
// the moved queues come back in full from their new leader.
import { Kafka, logLevel } from 'kafkajs';
import { KafkaAdmin } from '../../src/client/admin/kafka-admin';
import { ZkPaths } from '../../src/zk/zk-paths';
import type { BrokerProcess } from '../support/broker-process';
import type { ZkCluster } from '../support/cluster-harness';
import { DELAY_SESSION_MS, startDelayCluster, waitForDelayTopics } from '../support/delay-cluster';
import { waitFor } from '../support/wait-for';

const TOPIC = 'delay-stats-target';
const PEER_TIMEOUT_MS = 1000;
/** Leaders by placement: the first replica of a new partition leads it. */
const PLACEMENT: Record<string, number[]> = {
  __delay_schedule: [0, 1],
  __delay_level_01: [0, 1],
  __delay_level_02: [1, 0],
  __delay_level_03: [1, 0],
};
/** Held records per queue; none is due within the test (levels of hours, the heap's an hour away). */
const HELD: Record<string, number> = { __delay_schedule: 2, __delay_level_01: 1, __delay_level_02: 3, __delay_level_03: 0 };

interface QueueAnswer {
  topic: string;
  leader: number;
  stats?: { depth: number; nextDueMs: number | null; loading: boolean };
  error?: string;
}

let cluster: ZkCluster;

beforeAll(async () => {
  cluster = await startDelayCluster('delay-stats', {
    'delay.levels': '1h 2h 3h',
    // More replicas than brokers: the brokers never create the delay topics themselves, so
    // the test places them (the brokers take topics that exist as they are).
    'delay.topic.replication.factor': 3,
    'admin.peer-timeout': `${PEER_TIMEOUT_MS}ms`,
  });
  const admin = new KafkaAdmin({ bootstrapServers: cluster.bootstrapServers });
  await admin.connect();
  try {
    await admin.createTopics(
      Object.entries(PLACEMENT).map(([name, replicas]) => ({ name, assignments: { 0: replicas }, configs: { 'retention.ms': '-1' } })),
      { timeoutMs: 15_000 },
    );
    await admin.createTopics([{ name: TOPIC, numPartitions: 1, replicationFactor: 2 }], { timeoutMs: 15_000 });
  } finally {
    await admin.close();
  }
  await waitForDelayTopics(cluster);
}, 90_000);

afterAll(async () => {
  await cluster?.dispose();
}, 60_000);

async function delays(broker: BrokerProcess): Promise<{ status: number; elapsedMs: number; body: any }> {
  const started = Date.now();
  const response = await fetch(`${broker.adminUrl}/api/delays`);
  return { status: response.status, body: await response.json(), elapsedMs: Date.now() - started };
}

const queuesOf = (body: any): QueueAnswer[] => [body.schedule, ...body.levels];

describe('GET /api/delays in a cluster', () => {
  it('each broker registers where its admin server listens', async () => {
    for (const broker of cluster.brokers) {
      const registration = await cluster.store.get<{ admin_url?: string }>(ZkPaths.broker(broker.brokerId));
      expect(registration?.value.admin_url).toBe(broker.adminUrl);
    }
  });

  it("either broker shows every queue with its leader's depth and next due time, the same from both", async () => {
    for (const [topic, replicas] of Object.entries(PLACEMENT)) expect((await cluster.state(topic, 0)).leader).toBe(replicas[0]);
    const kafka = new Kafka({ clientId: 'delay-stats', brokers: cluster.bootstrapServers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const deliverAt = Date.now() + 3_600_000;
    const messages = Object.entries(HELD).flatMap(([topic, count]) =>
      Array.from({ length: count }, (_, n) => ({
        value: `${topic}-${n}`,
        headers: topic === '__delay_schedule' ? { 'x-deliver-at': String(deliverAt + n) } : { 'x-delay-level': topic.slice(-1) },
      })),
    );
    await producer.send({ topic: TOPIC, acks: -1, messages });
    await producer.disconnect();

    const [answer0, answer1] = await waitFor(
      async () => {
        const answers = await Promise.all(cluster.brokers.map(delays));
        const complete = answers.every(({ status, body }) => status === 200 && queuesOf(body).every((q) => q.stats && !q.stats.loading && q.stats.depth === HELD[q.topic]));
        return complete ? answers.map((a) => a.body) : null;
      },
      { timeoutMs: 20_000, what: 'every held record in both brokers’ answers' },
    );
    expect([answer0.brokerId, answer1.brokerId]).toEqual([0, 1]);
    const summary = (body: any) => queuesOf(body).map((q) => [q.topic, q.leader, q.stats?.depth, q.stats?.nextDueMs, q.error]);
    expect(summary(answer0)).toEqual(summary(answer1));
    expect(summary(answer0).map(([topic, leader, depth, , error]) => [topic, leader, depth, error])).toEqual([
      ['__delay_schedule', 0, 2, undefined],
      ['__delay_level_01', 0, 1, undefined],
      ['__delay_level_02', 1, 3, undefined],
      ['__delay_level_03', 1, 0, undefined],
    ]);
    expect(answer0.schedule.stats.nextDueMs).toBe(deliverAt);
    expect(answer0.levels[1].stats.nextDueMs).toBeGreaterThan(Date.now() + 7_000_000);
    expect(answer0.levels[2].stats.nextDueMs).toBeNull();
    for (const body of [answer0, answer1]) expect(body.lateness.map((l: { brokerId: number }) => l.brokerId)).toEqual([0, 1]);
  }, 60_000);

  it("with the other leader frozen, a broker still answers 200 at once: its own queues in full, the frozen leader's with an error", async () => {
    const [live, frozen] = [cluster.byId(0), cluster.byId(1)];
    cluster.pause(frozen);
    const pausedAt = Date.now();
    const { status, body, elapsedMs } = await delays(live);
    // Leadership cannot have moved: the frozen broker's session outlives the answer.
    expect(Date.now() - pausedAt).toBeLessThan(DELAY_SESSION_MS);
    expect(status).toBe(200);
    expect(elapsedMs).toBeLessThan(PEER_TIMEOUT_MS + 2_000);
    expect(body.schedule).toMatchObject({ leader: 0, stats: { depth: 2 } });
    expect(body.levels[0]).toMatchObject({ leader: 0, stats: { depth: 1 } });
    for (const queue of body.levels.slice(1)) {
      expect(queue.leader).toBe(1);
      expect(queue.stats).toBeUndefined();
      expect(queue.error).toBe(`broker 1 at ${frozen.adminUrl} did not answer within ${PEER_TIMEOUT_MS} ms`);
    }
    expect(body.lateness.map((l: { brokerId: number }) => l.brokerId)).toEqual([0]);
  }, 30_000);

  it('once the frozen leader’s session ran out, the queues it led come back in full from their new leader', async () => {
    const frozenLed = await Promise.all(['__delay_level_02', '__delay_level_03'].map(async (topic) => [topic, await cluster.state(topic, 0)] as const));
    for (const [topic, state] of frozenLed) await cluster.waitForNewLeader(topic, 0, state, DELAY_SESSION_MS + 10_000);
    const body = await waitFor(
      async () => {
        const { status, body } = await delays(cluster.byId(0));
        return status === 200 && queuesOf(body).every((q) => q.stats && !q.stats.loading) ? body : null;
      },
      { timeoutMs: 20_000, what: "broker 0's schedulers for the queues it took over" },
    );
    expect(queuesOf(body).map((q) => [q.topic, q.leader, q.stats?.depth, q.error])).toEqual(Object.entries(HELD).map(([topic, depth]) => [topic, 0, depth, undefined]));
  }, 40_000);
});
