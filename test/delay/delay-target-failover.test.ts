// Delayed messages when the *target* partition's leader fails over while due records are
// being delivered: two brokers on the test ZooKeeper, the deliver-at heap's scheduler on one,
// the target partition led by the other, which is SIGKILLed halfway through the deliveries.
// The scheduler's sends fail or go unanswered until the partition has a new leader; then
// every record must be in the partition exactly once, and none appended before it was due
// (the topic stamps LogAppendTime, so each record carries the time its leader appended it).
import { Kafka, logLevel } from 'kafkajs';
import { partitionForKey } from '../../src/protocol/murmur2';
import type { ZkCluster } from '../support/cluster-harness';
import { DELAY_SESSION_MS, startDelayCluster, waitForDelayTopics } from '../support/delay-cluster';
import { ArrivalWatch } from '../support/delay-arrivals';
import { waitFor } from '../support/wait-for';

const TOPIC = 'delay-target-moves';
const PARTITIONS = 2;
const RECORDS = 150;
/** Due times spread over this window, so deliveries are under way when the leader dies. */
const WINDOW_MS = 3_000;

describe('due records delivered while their target partition fails over', () => {
  let cluster: ZkCluster;

  beforeAll(async () => {
    cluster = await startDelayCluster('delay-target');
  }, 60_000);

  afterAll(async () => {
    await cluster?.dispose();
  }, 60_000);

  it('a SIGKILL of the target partition’s leader mid-delivery: every record lands once, none before it was due', async () => {
    await waitForDelayTopics(cluster);
    await cluster.createTopic(TOPIC, PARTITIONS, 2, { 'message.timestamp.type': 'LogAppendTime' });
    await cluster.waitForFullIsrs(new Map([[TOPIC, PARTITIONS]]), 2);

    const scheduler = cluster.byId((await cluster.state('__delay_schedule', 0)).leader);
    const victim = cluster.brokers.find((b) => b !== scheduler)!;
    // Two partitions over two brokers: one is led by the broker that does not run the heap's scheduler.
    const states = await Promise.all(Array.from({ length: PARTITIONS }, (_, p) => cluster.state(TOPIC, p)));
    const target = states.findIndex((s) => s.leader === victim.brokerId);
    expect(target).toBeGreaterThanOrEqual(0);
    const keys = Array.from({ length: 400 }, (_, n) => `k-${n}`).filter((k) => partitionForKey(Buffer.from(k), PARTITIONS) === target);

    const kafka = new Kafka({ clientId: 'delay-target', brokers: cluster.bootstrapServers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const firstDue = Date.now() + 1_500;
    const dueBy = new Map<string, number>();
    const messages = Array.from({ length: RECORDS }, (_, n) => {
      const due = firstDue + Math.floor((n * WINDOW_MS) / RECORDS);
      dueBy.set(`v-${n}`, due);
      return { key: keys[n % keys.length], value: `v-${n}`, headers: { 'x-deliver-at': String(due) } };
    });
    await producer.send({ topic: TOPIC, acks: -1, messages });
    await producer.disconnect();

    // Kill the target's leader once some, not all, of the due records were appended to it.
    const before = new ArrivalWatch(TOPIC, PARTITIONS, () => victim.port);
    await waitFor(async () => {
      await before.poll();
      return before.arrivals.length >= RECORDS / 5;
    }, { timeoutMs: 10_000, intervalMs: 20, what: 'deliveries to the target leader under way' });
    before.close();
    await victim.kill();
    expect(before.arrivals.length).toBeLessThan(RECORDS);
    await cluster.waitForNewLeader(TOPIC, target, states[target], DELAY_SESSION_MS + 5_000);

    const after = new ArrivalWatch(TOPIC, PARTITIONS, () => scheduler.port);
    await after.until(RECORDS, 30_000);
    await waitFor(async () => {
      const s = (await (await fetch(`${scheduler.adminUrl}/api/delays`)).json()) as any;
      return s.schedule.stats?.depth === 0 && s.schedule.stats.inFlight === 0;
    }, { timeoutMs: 10_000, what: 'the heap empty and nothing in flight' });
    await after.poll();
    after.close();

    const seen = after.byValue();
    expect([...seen].filter(([, a]) => a.length > 1).map(([v]) => v)).toEqual([]);
    expect([...seen.keys()].sort()).toEqual([...dueBy.keys()].sort());
    expect(after.arrivals.every((a) => a.partition === target)).toBe(true);
    // LogAppendTime: the time the record's leader appended it, never before it was due.
    expect(after.arrivals.filter((a) => a.timestamp < dueBy.get(a.value)!).map((a) => [a.value, dueBy.get(a.value)! - a.timestamp])).toEqual([]);
  }, 120_000);
});
