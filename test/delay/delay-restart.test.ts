// Delayed messages survive kill -9: the broker is killed while it is delivering (records fall
// due every few milliseconds), restarted on the same log dir, and every held record is then
// delivered exactly once and none before it was due (the queues, intents and done records
// are rebuilt from the delay topics). The crash windows inside one delivery are exercised
// deterministically by the scheduler's spec; here the kill lands wherever it lands.
import { Kafka, logLevel } from 'kafkajs';
import { runKcat } from '../../scripts/kcat';
import { BrokerProcess } from '../support/broker-process';
import { ArrivalWatch } from '../support/delay-arrivals';
import { waitFor } from '../support/wait-for';
import { createTopic } from '../support/wire-admin';

const LEVELS_MS = [1000, 2000, 3000];
const PARTITIONS = 3;

let broker: BrokerProcess;

beforeAll(async () => {
  broker = await BrokerProcess.start({ settings: { 'delay.levels': '1s 2s 3s', 'delay.tick.ms': 50 } });
}, 60_000);

afterAll(async () => {
  await broker?.dispose();
}, 30_000);

async function settled(): Promise<boolean> {
  const stats = (await (await fetch(`${broker.adminUrl}/api/delays`)).json()) as any;
  const queues = [stats.schedule, ...stats.levels];
  return queues.every((q: any) => q.stats && !q.stats.loading && q.stats.depth === 0 && q.stats.inFlight === 0);
}

describe('delayed messages across kill -9', () => {
  it('every held record is delivered exactly once after a restart, none before it was due', async () => {
    const topic = 'delay-crash';
    await createTopic(broker.port, topic, PARTITIONS);
    const kafka = new Kafka({ clientId: 'delay-crash', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    /** value -> the earliest time it may appear (create time + level, or its deliver-at). */
    const dueBy = new Map<string, number>();
    const start = Date.now();
    // Levels and deliver-at times spread so that something falls due every few ms for 3 s.
    for (let round = 0; round < 8; round++) {
      const messages = Array.from({ length: 100 }, (_, i) => {
        const n = round * 100 + i;
        const value = `v-${n}`;
        if (n % 4 === 0) {
          const level = 1 + (n % 3);
          dueBy.set(value, Date.now() + LEVELS_MS[level - 1]);
          return { key: `k-${n % 37}`, value, headers: { 'x-delay-level': String(level) } };
        }
        const at = start + 1000 + ((n * 7) % 3000);
        dueBy.set(value, at);
        return { key: `k-${n % 37}`, value, headers: { 'x-deliver-at': String(at) } };
      });
      await producer.send({ topic, acks: -1, messages });
    }
    await producer.disconnect();

    const watch = new ArrivalWatch(topic, PARTITIONS, () => broker.port);
    await watch.until(dueBy.size / 3, 10_000);
    await broker.kill();
    const beforeKill = watch.arrivals.length;
    await broker.restart();

    await watch.until(dueBy.size, 30_000);
    await waitFor(settled, { timeoutMs: 10_000, what: 'every delay queue to be empty' });
    await watch.poll();
    watch.close();

    expect(beforeKill).toBeLessThan(dueBy.size);
    const seen = watch.byValue();
    const duplicated = [...seen].filter(([, a]) => a.length > 1).map(([v]) => v);
    expect(duplicated).toEqual([]);
    expect([...seen.keys()].sort()).toEqual([...dueBy.keys()].sort());
    const early = watch.arrivals.filter((a) => a.seenAt < dueBy.get(a.value)!).map((a) => `${a.value} seen ${dueBy.get(a.value)! - a.seenAt} ms early`);
    expect(early).toEqual([]);
  }, 60_000);

  it('an idempotent producer whose last batch was held carries on after kill -9: its next batch is in sequence', async () => {
    const topic = 'delay-sequences';
    await createTopic(broker.port, topic, 1);
    const kafka = new Kafka({ clientId: 'delay-sequences', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 100 } });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'first' }] });
      await producer.send({ topic, acks: -1, messages: ['held-1', 'held-2'].map((value) => ({ key: 'k', value, headers: { 'x-delay-level': '1' } })) });
      await broker.kill();
      await broker.restart();
      // Without the held range in the log, the restarted broker would answer OUT_OF_ORDER_SEQUENCE_NUMBER here.
      await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'after' }] });
    } finally {
      await producer.disconnect();
    }
    const watch = new ArrivalWatch(topic, 1, () => broker.port);
    await watch.until(4, 10_000);
    watch.close();
    expect(watch.arrivals.map((a) => a.value)).toEqual(['first', 'after', 'held-1', 'held-2']);
    // Consumers skip the control batch that holds the range (kcat reads it as librdkafka does).
    const consumed = await runKcat(['-b', broker.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%s\n']);
    expect(consumed.stdout.toString().trim().split('\n')).toEqual(['first', 'after', 'held-1', 'held-2']);
  }, 60_000);
});
