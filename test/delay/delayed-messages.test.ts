// Delayed messages on one broker, from unmodified clients: kcat -H and kafkajs produce
// records with x-delay-level / x-deliver-at; a raw-Fetch watcher notes when each appears
// in its topic. Levels are short here (1s 2s 3s) to keep the suite quick.
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { runKcat } from '../../scripts/kcat';
import { MetadataApi, ZERO_UUID } from '../../src/protocol';
import { partitionForKey } from '../../src/protocol/murmur2';
import { BrokerProcess } from '../support/broker-process';
import { ArrivalWatch } from '../support/delay-arrivals';
import { KafkaWireClient } from '../support/kafka-wire-client';
import { waitFor } from '../support/wait-for';
import { createTopic } from '../support/wire-admin';

const LEVELS_MS = [1000, 2000, 3000];
/** What "within 1 s after due" allows, plus the watcher's poll interval and one fetch. */
const LATE_MS = 1000 + 100;

let broker: BrokerProcess;
let kafka: Kafka;
let producer: Producer;

beforeAll(async () => {
  broker = await BrokerProcess.start({ settings: { 'delay.levels': '1s 2s 3s', 'delay.tick.ms': 50 } });
  kafka = new Kafka({ clientId: 'delay-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 100 } });
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
}, 60_000);

afterAll(async () => {
  await producer?.disconnect();
  await broker?.dispose();
}, 30_000);

function watch(topic: string, partitions: number): ArrivalWatch {
  return new ArrivalWatch(topic, partitions, () => broker.port);
}

async function delayStats(): Promise<any> {
  const response = await fetch(`${broker.adminUrl}/api/delays`);
  expect(response.status).toBe(200);
  return response.json();
}

describe('delayed messages', () => {
  it('kcat -H x-delay-level=N: held for the level’s time, then appended with key, value and headers, each key in its murmur2 partition', async () => {
    const topic = 'delay-kcat';
    await createTopic(broker.port, topic, 3);
    const lines = Array.from({ length: 30 }, (_, i) => `key-${i}:value-${i}`);
    const sentFrom = Date.now();
    const result = await runKcat(['-b', broker.bootstrap, '-P', '-t', topic, '-K:', '-H', 'x-delay-level=1', '-H', 'trace=abc'], { input: lines.join('\n') + '\n' });
    const sentUntil = Date.now();
    expect(result.code).toBe(0);

    const arrivals = watch(topic, 3);
    await arrivals.until(30, 10_000);
    arrivals.close();
    for (const a of arrivals.arrivals) {
      expect(a.seenAt).toBeGreaterThanOrEqual(sentFrom + LEVELS_MS[0]);
      expect(a.seenAt).toBeLessThanOrEqual(sentUntil + LEVELS_MS[0] + LATE_MS);
      expect(a.value).toBe(a.key!.replace('key', 'value'));
      expect(a.partition).toBe(partitionForKey(Buffer.from(a.key!), 3));
      expect(a.headers).toEqual({ 'x-delay-level': '1', trace: 'abc' });
    }
    expect(arrivals.arrivals.map((a) => a.value).sort()).toEqual(lines.map((l) => l.split(':')[1]).sort());
  });

  it.each(['gzip', 'lz4', 'zstd'])('looks into %s-compressed batches: ordinary records at once, delayed ones when due', async (codec) => {
    const topic = `delay-${codec}`;
    await createTopic(broker.port, topic, 1);
    const sentFrom = Date.now();
    const plain = await runKcat(['-b', broker.bootstrap, '-P', '-t', topic, '-z', codec], { input: 'plain\n' });
    const held = await runKcat(['-b', broker.bootstrap, '-P', '-t', topic, '-z', codec, '-H', 'x-delay-level=1'], { input: 'held\n' });
    expect([plain.code, held.code]).toEqual([0, 0]);
    const arrivals = watch(topic, 1);
    await arrivals.until(2, 5000);
    arrivals.close();
    expect(arrivals.arrivals.map((a) => a.value)).toEqual(['plain', 'held']);
    expect(arrivals.arrivals[1].seenAt).toBeGreaterThanOrEqual(sentFrom + LEVELS_MS[0]);
  });

  it('kafkajs x-deliver-at: delivered no earlier than the time and within a second after it; a past time at once', async () => {
    const topic = 'delay-at';
    await createTopic(broker.port, topic, 2);
    const base = Date.now() + 1500;
    const at = [base, base + 700, base - 100_000];
    await producer.send({
      topic,
      acks: -1,
      messages: at.map((t, i) => ({ key: `k${i}`, value: `at-${i}`, headers: { 'x-deliver-at': String(t) } })),
    });
    const arrivals = watch(topic, 2);
    await arrivals.until(3, 10_000);
    arrivals.close();
    const seen = arrivals.byValue();
    for (const [i, t] of at.entries()) {
      const [a] = seen.get(`at-${i}`)!;
      expect(a.seenAt).toBeGreaterThanOrEqual(t);
      expect(a.seenAt).toBeLessThanOrEqual(Math.max(t, base - 1500) + LATE_MS);
    }
  });

  it('an idempotent producer carries on after delayed records: its next ordinary batch is in sequence and appended at once', async () => {
    const topic = 'delay-idempotent';
    await createTopic(broker.port, topic, 1);
    await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'held', headers: { 'x-delay-level': '1' } }] });
    await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'now' }] });
    const arrivals = watch(topic, 1);
    await arrivals.until(1, 5000);
    expect(arrivals.arrivals.map((a) => a.value)).toEqual(['now']);
    await arrivals.until(2, 5000);
    arrivals.close();
    expect(arrivals.arrivals.map((a) => a.value)).toEqual(['now', 'held']);
  });

  it('a batch mixing delayed and ordinary records appends the ordinary ones at once and holds the others', async () => {
    const topic = 'delay-mixed';
    await createTopic(broker.port, topic, 1);
    await producer.send({
      topic,
      acks: -1,
      messages: [
        { key: 'k', value: 'plain-1' },
        { key: 'k', value: 'later', headers: { 'x-delay-level': '2' } },
        { key: 'k', value: 'plain-2' },
      ],
    });
    const arrivals = watch(topic, 1);
    await arrivals.poll();
    expect(arrivals.arrivals.map((a) => a.value)).toEqual(['plain-1', 'plain-2']);
    await arrivals.until(3, 6000);
    arrivals.close();
    expect(arrivals.arrivals.map((a) => a.value)).toEqual(['plain-1', 'plain-2', 'later']);
  });

  it('consumers read on past a batch whose last record was held: kcat and kafkajs see the ordinary records and the next batch', async () => {
    const topic = 'delay-mixed-tail';
    await createTopic(broker.port, topic, 1);
    await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'first' }, { key: 'k', value: 'held', headers: { 'x-delay-level': '3' } }] });
    await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'next' }] });
    const kcat = await runKcat(['-b', broker.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-f', '%o %s\n']);
    expect(kcat.code).toBe(0);
    // The first batch stands for offsets 0-1: its ordinary record takes the last one.
    expect(kcat.stdout.toString().trim().split('\n')).toEqual(['1 first', '2 next']);

    const consumer = kafka.consumer({ groupId: 'delay-mixed-tail', maxWaitTimeInMs: 100 });
    const seen: string[] = [];
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void seen.push(`${message.offset} ${message.value}`) });
      await waitFor(() => seen.length >= 2, { timeoutMs: 15_000, what: 'kafkajs to read both ordinary records' });
    } finally {
      await consumer.disconnect();
    }
    // The held record may have fallen due meanwhile (a group join takes seconds): it comes after them.
    expect(seen.slice(0, 2)).toEqual(['1 first', '2 next']);
  });

  it.each([
    ['x-delay-level=0'],
    ['x-delay-level=4'],
    ['x-delay-level=soon'],
    ['x-deliver-at=tomorrow'],
  ])('refuses %s with INVALID_RECORD, and holds nothing', async (header) => {
    const topic = 'delay-refused';
    const before = await delayStats();
    const result = await runKcat(['-b', broker.bootstrap, '-P', '-t', topic, '-H', header, '-X', 'message.send.max.retries=0'], { input: 'v\n' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Broker failed to validate record/);
    const after = await delayStats();
    const depth = (s: any) => s.schedule.stats.depth + s.levels.reduce((n: number, l: any) => n + l.stats.depth, 0);
    expect(depth(after)).toBe(depth(before));
  });

  it('GET /api/delays shows each level’s depth and next due time and the heap’s size and next due time', async () => {
    const topic = 'delay-stats';
    await createTopic(broker.port, topic, 1);
    const farAway = Date.now() + 3_600_000;
    const before = Date.now();
    await producer.send({
      topic,
      acks: -1,
      messages: [
        { value: 'l3-a', headers: { 'x-delay-level': '3' } },
        { value: 'l3-b', headers: { 'x-delay-level': '3' } },
        { value: 'heap', headers: { 'x-deliver-at': String(farAway) } },
      ],
    });
    const stats = await waitFor(async () => {
      const s = await delayStats();
      return s.levels[2].stats.depth === 2 && s.schedule.stats.depth >= 1 ? s : null;
    }, { what: 'the held records in the stats' });
    expect(stats.levels.map((l: any) => [l.level, l.delayMs, l.topic, l.leader])).toEqual([
      [1, 1000, '__delay_level_01', broker.brokerId],
      [2, 2000, '__delay_level_02', broker.brokerId],
      [3, 3000, '__delay_level_03', broker.brokerId],
    ]);
    expect(stats.levels[2].stats.nextDueMs).toBeGreaterThanOrEqual(before + 3000);
    expect(stats.levels[2].stats.nextDueMs).toBeLessThanOrEqual(Date.now() + 3000);
    expect(stats.schedule).toMatchObject({ topic: '__delay_schedule', leader: broker.brokerId, stats: { nextDueMs: farAway } });
  });

  it('the delay topics are internal: Metadata marks them so, and clients cannot produce to them', async () => {
    const client = await KafkaWireClient.connect(broker.port);
    try {
      const metadata = await client.request(MetadataApi, 4, { topics: ['__delay_level_01', '__delay_schedule'].map((name) => ({ name, topicId: ZERO_UUID })), allowAutoTopicCreation: false });
      expect(metadata.topics.map((t) => [t.name, t.errorCode, t.isInternal])).toEqual([
        ['__delay_level_01', 0, true],
        ['__delay_schedule', 0, true],
      ]);
    } finally {
      client.close();
    }
    const result = await runKcat(['-b', broker.bootstrap, '-P', '-t', '__delay_level_01', '-X', 'message.send.max.retries=0'], { input: 'sneaky\n' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/invalid|Invalid/);
  });

  it.each([
    ['this broker’s own', () => broker.brokerId],
    ['an unregistered broker’s', () => 99],
  ])('a client using %s inter-broker client id is an ordinary client: internal topics refused, delay headers held', async (_, id) => {
    const asBroker = ['-b', broker.bootstrap, '-X', `client.id=kafkanest-delay-broker-${id()}`, '-X', 'message.send.max.retries=0'];
    const internal = await runKcat([...asBroker, '-P', '-t', '__delay_level_01'], { input: 'sneaky\n' });
    expect(internal.code).not.toBe(0);
    expect(internal.stderr).toMatch(/invalid|Invalid/);

    const topic = `delay-impostor-${id()}`;
    await createTopic(broker.port, topic, 1);
    const sentFrom = Date.now();
    const held = await runKcat([...asBroker, '-P', '-t', topic, '-H', 'x-delay-level=1'], { input: 'not yet\n' });
    expect(held.code).toBe(0);
    const arrivals = watch(topic, 1);
    await arrivals.until(1, 5000);
    arrivals.close();
    expect(arrivals.arrivals.map((a) => a.value)).toEqual(['not yet']);
    expect(arrivals.arrivals[0].seenAt).toBeGreaterThanOrEqual(sentFrom + LEVELS_MS[0]);
  });
});
