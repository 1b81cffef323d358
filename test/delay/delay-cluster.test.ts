// Delayed messages in a two-broker cluster on the test ZooKeeper: records produced to either
// broker reach the delay queues wherever their leaders are; the broker leading the queues is
// SIGKILLed before anything is due, the queues' leadership moves to the other broker, and its
// schedulers deliver every held record exactly once, none before it was due.
import { Kafka, logLevel } from 'kafkajs';
import type { ZkCluster } from '../support/cluster-harness';
import { DELAY_LEVELS_MS, DELAY_SESSION_MS, startDelayCluster, waitForDelayTopics } from '../support/delay-cluster';
import { ArrivalWatch } from '../support/delay-arrivals';
import { waitFor } from '../support/wait-for';

const TOPIC = 'delay-moved';
const PARTITIONS = 2;

describe('delayed messages in a cluster', () => {
  let cluster: ZkCluster;

  beforeAll(async () => {
    cluster = await startDelayCluster('delay');
  }, 60_000);

  afterAll(async () => {
    await cluster?.dispose();
  }, 60_000);

  it('delivers due records to partitions led by the other broker (over the network) once, without holding them again', async () => {
    await waitForDelayTopics(cluster);
    const topic = 'delay-remote';
    await cluster.createTopic(topic, PARTITIONS, 2);
    await cluster.waitForFullIsrs(new Map([[topic, PARTITIONS]]), 2);
    const leaders = await Promise.all([0, 1].map(async (p) => (await cluster.state(topic, p)).leader));
    // Two partitions over two brokers: whichever broker runs the heap's scheduler, one partition is led by the other.
    expect(new Set(leaders).size).toBe(2);

    const kafka = new Kafka({ clientId: 'delay-remote', brokers: cluster.bootstrapServers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const at = Date.now() + 1000;
    const values = Array.from({ length: 60 }, (_, n) => `r-${n}`);
    await producer.send({ topic, acks: -1, messages: values.map((value, n) => ({ key: `k-${n}`, value, headers: { 'x-deliver-at': String(at) } })) });
    await producer.disconnect();

    const watch = new ArrivalWatch(topic, PARTITIONS, (p) => cluster.byId(leaders[p]).port);
    await watch.until(values.length, 10_000);
    await watch.poll();
    watch.close();
    expect(watch.arrivals.map((a) => a.value).sort()).toEqual([...values].sort());
    expect(new Set(watch.arrivals.map((a) => a.partition))).toEqual(new Set([0, 1]));
    for (const a of watch.arrivals) {
      expect(a.seenAt).toBeGreaterThanOrEqual(at);
      expect(a.seenAt).toBeLessThanOrEqual(at + 1100);
    }
  }, 60_000);

  it('when the leader of the delay queues dies, the other broker’s schedulers take over and deliver every held record once, none early', async () => {
    await waitForDelayTopics(cluster);
    await cluster.createTopic(TOPIC, PARTITIONS, 2);
    await cluster.waitForFullIsrs(new Map([[TOPIC, PARTITIONS]]), 2);

    const queueState = await cluster.state('__delay_level_02', 0);
    const victim = cluster.byId(queueState.leader);
    const survivor = cluster.brokers.find((b) => b !== victim)!;

    const kafka = new Kafka({ clientId: 'delay-cluster', brokers: cluster.bootstrapServers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const dueBy = new Map<string, number>();
    const messages = Array.from({ length: 200 }, (_, n) => {
      const value = `v-${n}`;
      if (n % 2 === 0) {
        dueBy.set(value, Date.now() + DELAY_LEVELS_MS[1]);
        return { key: `k-${n % 23}`, value, headers: { 'x-delay-level': '2' } };
      }
      const at = Date.now() + 2500;
      dueBy.set(value, at);
      return { key: `k-${n % 23}`, value, headers: { 'x-deliver-at': String(at) } };
    });
    // Keys spread over both partitions, so both brokers take delayed records and forward them to the queues' leaders.
    await producer.send({ topic: TOPIC, acks: -1, messages });
    await producer.disconnect();
    // The queue's scheduler follows its log on each tick: wait until it holds them all.
    await waitFor(async () => ((await (await fetch(`${victim.adminUrl}/api/delays`)).json()) as any).levels[1].stats?.depth === 100, {
      what: 'the level-2 queue to hold 100 records',
    });

    await victim.kill();
    await cluster.waitForNewLeader('__delay_level_02', 0, queueState, DELAY_SESSION_MS + 2_000);

    const watch = new ArrivalWatch(TOPIC, PARTITIONS, () => survivor.port);
    await watch.until(dueBy.size, 20_000);
    const stats = await waitFor(async () => {
      const s = (await (await fetch(`${survivor.adminUrl}/api/delays`)).json()) as any;
      return [s.schedule, ...s.levels].every((q: any) => q.leader === survivor.brokerId && q.stats?.depth === 0 && q.stats.inFlight === 0) ? s : null;
    }, { timeoutMs: 10_000, what: 'the survivor to run every queue, all empty' });
    await watch.poll();
    watch.close();

    expect(stats.levels[1].stats.delivered + stats.schedule.stats.delivered).toBeGreaterThanOrEqual(dueBy.size);
    const seen = watch.byValue();
    expect([...seen].filter(([, a]) => a.length > 1).map(([v]) => v)).toEqual([]);
    expect([...seen.keys()].sort()).toEqual([...dueBy.keys()].sort());
    expect(watch.arrivals.filter((a) => a.seenAt < dueBy.get(a.value)!).map((a) => a.value)).toEqual([]);
  }, 90_000);
});
