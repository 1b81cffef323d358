// The REST admin against the built broker, over HTTP with supertest: every endpoint with its
// good and bad inputs (400 with field errors, 404, 409, 401 without or with a wrong token),
// records written by kafkajs read back over REST and REST writes read by kafkajs, a live
// kafkajs consumer group described with its members and refused offset resets, /metrics,
// /health (also with a broken log dir) and the OpenAPI document.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import request from 'supertest';
import { BrokerProcess } from '../support/broker-process';
import { waitFor } from '../support/wait-for';

const TOKEN = 'rest-admin-test-token-0123456789';
const AUTH = { Authorization: `Bearer ${TOKEN}` };

let broker: BrokerProcess;
let kafka: Kafka;
let http: ReturnType<typeof request>;

beforeAll(async () => {
  broker = await BrokerProcess.start({ settings: { 'admin.token': TOKEN, 'group.initial.rebalance.delay.ms': 0 } });
  http = request(broker.adminUrl);
  kafka = new Kafka({ clientId: 'rest-admin-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 100 } });
}, 60_000);

afterAll(async () => {
  await broker?.dispose();
}, 30_000);

/** Creates a topic through the API; returns the 201 body. */
async function createTopic(name: string, partitions = 1, extra: Record<string, unknown> = {}) {
  const response = await http.post('/api/topics').set(AUTH).send({ name, partitions, ...extra });
  expect(response.status).toBe(201);
  return response.body;
}

describe('cluster', () => {
  it('GET /api/cluster names the cluster, its controller and its brokers', async () => {
    const { status, body } = await http.get('/api/cluster');
    expect(status).toBe(200);
    expect(body).toEqual({
      clusterId: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      controllerId: broker.brokerId,
      brokers: [{ id: broker.brokerId, host: '127.0.0.1', port: broker.port, rack: null, controller: true }],
    });
  });

  it('GET /api/brokers lists the live brokers', async () => {
    const { status, body } = await http.get('/api/brokers');
    expect(status).toBe(200);
    expect(body).toEqual([{ id: broker.brokerId, host: '127.0.0.1', port: broker.port, rack: null, controller: true }]);
  });
});

describe('admin token', () => {
  it('refuses a mutating request without the token: 401 with a Bearer challenge, and nothing changes', async () => {
    const response = await http.post('/api/topics').send({ name: 'unauthorised' });
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="kafkanest"');
    expect((await http.get('/api/topics/unauthorised')).status).toBe(404);
  });

  it('refuses a wrong token on every mutating endpoint', async () => {
    const wrong = { Authorization: 'Bearer not-the-admin-token-at-all' };
    const attempts = [
      http.post('/api/topics').set(wrong).send({ name: 'x' }),
      http.delete('/api/topics/x').set(wrong),
      http.post('/api/topics/x/partitions').set(wrong).send({ count: 2 }),
      http.post('/api/topics/x/messages').set(wrong).send({ value: 'v' }),
      http.post('/api/consumer-groups/g/offsets').set(wrong).send({ to: 'earliest' }),
      http.delete('/api/consumer-groups/g').set(wrong),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="kafkanest", error="invalid_token"');
    }
  });

  it('leaves reads open', async () => {
    expect((await http.get('/api/topics')).status).toBe(200);
    expect((await http.get('/api/consumer-groups')).status).toBe(200);
  });
});

describe('topics', () => {
  it('creates a topic with configs and describes it: configs, leaders, replicas, ISR, offsets and size per partition', async () => {
    const created = await createTopic('rest-orders', 3, { replicationFactor: 1, configs: { 'retention.ms': '3600000', 'cleanup.policy': 'delete' } });
    expect(created).toMatchObject({ name: 'rest-orders', internal: false, topicId: expect.any(String) });
    const id = broker.brokerId;
    expect(created.partitions).toEqual(
      [0, 1, 2].map((partition) => ({
        partition,
        leader: id,
        leaderEpoch: expect.any(Number),
        replicas: [id],
        isr: [id],
        offlineReplicas: [],
        logStartOffset: 0,
        highWatermark: 0,
        logEndOffset: 0,
        sizeBytes: 0,
        replicaLogs: [{ brokerId: id, logDir: expect.any(String), sizeBytes: 0 }],
      })),
    );
    const overrides = created.configs.filter((c: { isDefault: boolean }) => !c.isDefault);
    expect(overrides).toEqual([
      { name: 'cleanup.policy', value: 'delete', isDefault: false, isSensitive: false, readOnly: false },
      { name: 'retention.ms', value: '3600000', isDefault: false, isSensitive: false, readOnly: false },
    ]);

    const { body } = await http.get('/api/topics');
    expect(body).toContainEqual({ name: 'rest-orders', topicId: created.topicId, internal: false, partitions: 3, replicationFactor: 1, underReplicatedPartitions: 0 });
  });

  it('answers 409 for a topic that exists', async () => {
    await createTopic('rest-twice');
    const { status, body } = await http.post('/api/topics').set(AUTH).send({ name: 'rest-twice' });
    expect(status).toBe(409);
    expect(body).toMatchObject({ statusCode: 409, error: 'TOPIC_ALREADY_EXISTS', message: expect.stringContaining("'rest-twice' already exists") });
  });

  it('answers 400 with the field errors for a bad body, and creates nothing', async () => {
    const { status, body } = await http.post('/api/topics').set(AUTH).send({ name: 'bad/name', partitions: 0, replicationFactor: 'two', configs: ['x'], colour: 'red' });
    expect(status).toBe(400);
    expect(Object.keys(body.fields).sort()).toEqual(['colour', 'configs', 'name', 'partitions', 'replicationFactor']);
    expect(body.fields.name[0]).toContain('Topic name is invalid');
    expect((await http.post('/api/topics').set(AUTH).send({})).body.fields.name).toBeDefined();
    expect((await http.post('/api/topics').set(AUTH).set('Content-Type', 'application/json').send('{"name":')).status).toBe(400);
  });

  it("answers 400 with Kafka's error for what only the broker can judge", async () => {
    const tooMany = await http.post('/api/topics').set(AUTH).send({ name: 'rest-rf', replicationFactor: 3 });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error).toBe('INVALID_REPLICATION_FACTOR');
    const huge = await http.post('/api/topics').set(AUTH).send({ name: 'rest-huge', partitions: 100_000_000 });
    expect(huge.status).toBe(400);
    expect(huge.body.error).toBe('POLICY_VIOLATION');
    const badConfig = await http.post('/api/topics').set(AUTH).send({ name: 'rest-config', configs: { 'retention.ms': 'soon' } });
    expect(badConfig.status).toBe(400);
    expect(badConfig.body.error).toBe('INVALID_CONFIG');
    expect((await http.get('/api/topics/rest-rf')).status).toBe(404);
  });

  it('answers 404 for an unknown topic on every topic endpoint', async () => {
    const responses = await Promise.all([
      http.get('/api/topics/rest-missing'),
      http.delete('/api/topics/rest-missing').set(AUTH),
      http.post('/api/topics/rest-missing/partitions').set(AUTH).send({ count: 2 }),
      http.get('/api/topics/rest-missing/messages?partition=0'),
      http.post('/api/topics/rest-missing/messages').set(AUTH).send({ value: 'v' }),
    ]);
    for (const response of responses) {
      expect(response.status).toBe(404);
      expect(response.body.error).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    }
  });

  it('adds partitions, and refuses to shrink or keep the count', async () => {
    await createTopic('rest-grow', 2);
    const grown = await http.post('/api/topics/rest-grow/partitions').set(AUTH).send({ count: 4 });
    expect(grown.status).toBe(201);
    expect(grown.body.partitions.map((p: { partition: number; leader: number }) => [p.partition, p.leader])).toEqual([0, 1, 2, 3].map((p) => [p, broker.brokerId]));
    for (const count of [4, 3]) {
      const refused = await http.post('/api/topics/rest-grow/partitions').set(AUTH).send({ count });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toBe('INVALID_PARTITIONS');
    }
    // More than a request may add (it used to exhaust the broker's memory): refused, and the broker still answers.
    const huge = await http.post('/api/topics/rest-grow/partitions').set(AUTH).send({ count: 100_000_000 });
    expect(huge.status).toBe(400);
    expect(huge.body).toMatchObject({ error: 'POLICY_VIOLATION', message: expect.stringMatching(/Excessively large number of partitions per request/) });
    expect((await http.get('/api/topics/rest-grow')).body.partitions).toHaveLength(4);
    const invalid = await http.post('/api/topics/rest-grow/partitions').set(AUTH).send({ count: 'many' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.fields.count).toBeDefined();
  });

  it('deletes a topic: 204, then 404', async () => {
    await createTopic('rest-doomed');
    expect((await http.delete('/api/topics/rest-doomed').set(AUTH)).status).toBe(204);
    expect((await http.get('/api/topics/rest-doomed')).status).toBe(404);
    expect((await http.delete('/api/topics/rest-doomed').set(AUTH)).status).toBe(404);
    expect((await http.get('/api/topics')).body.map((t: { name: string }) => t.name)).not.toContain('rest-doomed');
  });
});

describe('messages', () => {
  beforeAll(async () => {
    await createTopic('rest-messages', 2);
  });

  it('writes records (UTF-8, base64, headers, tombstones) that kafkajs reads back as sent', async () => {
    const sent = [
      await http.post('/api/topics/rest-messages/messages').set(AUTH).send({ partition: 1, key: 'k1', value: 'héllo', headers: [{ key: 'trace', value: 't-1' }], timestamp: 1_700_000_000_000 }),
      await http.post('/api/topics/rest-messages/messages').set(AUTH).send({ partition: 1, key: '/wA=', value: 'AAEC/w==', encoding: 'base64' }),
      await http.post('/api/topics/rest-messages/messages').set(AUTH).send({ partition: 1, key: 'k1', value: null }),
    ];
    expect(sent.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(sent.map((r) => r.body.offset)).toEqual([0, 1, 2]);
    expect(sent[0].body).toEqual({ topic: 'rest-messages', partition: 1, offset: 0, timestamp: 1_700_000_000_000 });

    const consumer = kafka.consumer({ groupId: 'rest-messages-reader', maxWaitTimeInMs: 100 });
    const seen: { offset: string; key: Buffer | null; value: Buffer | null; headers: unknown }[] = [];
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: 'rest-messages', fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void seen.push({ offset: message.offset, key: message.key, value: message.value, headers: message.headers }) });
      await waitFor(() => seen.length >= 3, { timeoutMs: 20_000, what: 'kafkajs to read the three records' });
    } finally {
      await consumer.disconnect();
    }
    expect(seen[0]).toMatchObject({ offset: '0', key: Buffer.from('k1'), value: Buffer.from('héllo') });
    expect((seen[0].headers as Record<string, Buffer>).trace).toEqual(Buffer.from('t-1'));
    expect(seen[1]).toMatchObject({ key: Buffer.from([0xff, 0x00]), value: Buffer.from([0, 1, 2, 0xff]) });
    expect(seen[2]).toMatchObject({ key: Buffer.from('k1'), value: null });
  }, 40_000);

  it('reads what kafkajs wrote: key and value as UTF-8 or base64, headers, timestamp, offset', async () => {
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic: 'rest-messages',
        messages: [
          { partition: 0, key: 'a', value: 'first', timestamp: '1700000000000', headers: { h: 'v', bin: Buffer.from([0xc3]) } },
          { partition: 0, key: null, value: Buffer.from([0xde, 0xad, 0xbe, 0xef]), timestamp: '1700000001000' },
          { partition: 0, key: 'c', value: 'third', timestamp: '1700000002000' },
        ],
      });
    } finally {
      await producer.disconnect();
    }
    const { status, body } = await http.get('/api/topics/rest-messages/messages?partition=0');
    expect(status).toBe(200);
    expect(body).toMatchObject({ topic: 'rest-messages', partition: 0, highWatermark: 3, nextOffset: 3 });
    expect(body.messages).toEqual([
      {
        partition: 0,
        offset: 0,
        timestamp: 1_700_000_000_000,
        timestampType: 'CreateTime',
        key: 'a',
        keyEncoding: 'utf8',
        value: 'first',
        valueEncoding: 'utf8',
        headers: [
          { key: 'h', value: 'v', valueEncoding: 'utf8' },
          { key: 'bin', value: 'ww==', valueEncoding: 'base64' },
        ],
      },
      expect.objectContaining({ offset: 1, key: null, value: '3q2+7w==', valueEncoding: 'base64', headers: [] }),
      expect.objectContaining({ offset: 2, key: 'c', value: 'third' }),
    ]);
  });

  it('pages by offset and limit, starts at a timestamp, and can show everything as base64', async () => {
    const page = (await http.get('/api/topics/rest-messages/messages?partition=0&offset=1&limit=1')).body;
    expect(page.messages.map((m: { offset: number }) => m.offset)).toEqual([1]);
    expect(page.nextOffset).toBe(2);
    const fromTime = (await http.get('/api/topics/rest-messages/messages?partition=0&timestamp=1700000000500')).body;
    expect(fromTime.messages.map((m: { offset: number }) => m.offset)).toEqual([1, 2]);
    const afterAll = (await http.get('/api/topics/rest-messages/messages?partition=0&timestamp=1800000000000')).body;
    expect(afterAll).toMatchObject({ messages: [], nextOffset: 3 });
    const pastEnd = (await http.get('/api/topics/rest-messages/messages?partition=0&offset=50')).body;
    expect(pastEnd).toMatchObject({ messages: [], nextOffset: 3 });
    // Readers are pooled: reads at once, and one after another on other partitions, each get their own range.
    const together = await Promise.all([0, 1, 2, 0, 1, 2].map((offset, i) => http.get(`/api/topics/rest-messages/messages?partition=${i % 2 === 0 ? 0 : 1}&offset=${offset}&limit=1`)));
    expect(together.map((r) => [r.body.partition, r.body.messages[0]?.offset])).toEqual([
      [0, 0],
      [1, 1],
      [0, 2],
      [1, 0],
      [0, 1],
      [1, 2],
    ]);
    const base64 = (await http.get('/api/topics/rest-messages/messages?partition=0&limit=1&encoding=base64')).body;
    expect(base64.messages[0]).toMatchObject({ key: 'YQ==', keyEncoding: 'base64', value: Buffer.from('first').toString('base64'), valueEncoding: 'base64' });
  });

  it("takes records up to Kafka's 1 MiB in a JSON body, and answers 413 MESSAGE_TOO_LARGE beyond", async () => {
    const large = await http.post('/api/topics/rest-messages/messages').set(AUTH).send({ partition: 0, value: 'x'.repeat(700_000) });
    expect(large.status).toBe(201);
    const read = await http.get(`/api/topics/rest-messages/messages?partition=0&offset=${large.body.offset}&limit=1`);
    expect(read.body.messages[0].value).toHaveLength(700_000);
    const tooLarge = await http.post('/api/topics/rest-messages/messages').set(AUTH).send({ partition: 0, value: 'x'.repeat(1_200_000) });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error).toBe('MESSAGE_TOO_LARGE');
  });

  it('answers 400 with field errors for a bad query or body, and 404 for a partition the topic lacks', async () => {
    const query = await http.get('/api/topics/rest-messages/messages?offset=-1&timestamp=5&limit=5000&encoding=hex');
    expect(query.status).toBe(400);
    expect(Object.keys(query.body.fields).sort()).toEqual(['encoding', 'limit', 'offset', 'partition', 'timestamp']);
    const body = await http.post('/api/topics/rest-messages/messages').set(AUTH).send({ partition: -1, key: 5, headers: [{ key: 'h' }] });
    expect(body.status).toBe(400);
    expect(Object.keys(body.body.fields).sort()).toEqual(['headers.0.value', 'key', 'partition', 'value']);
    for (const response of [
      await http.get('/api/topics/rest-messages/messages?partition=2'),
      await http.post('/api/topics/rest-messages/messages').set(AUTH).send({ partition: 2, value: 'v' }),
    ]) {
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ error: 'UNKNOWN_TOPIC_OR_PARTITION', message: expect.stringContaining('no partition 2') });
    }
  });
});

describe('consumer groups', () => {
  const topic = 'rest-groups';
  let consumer: Consumer | undefined;

  beforeAll(async () => {
    await createTopic(topic, 2);
    for (let i = 0; i < 6; i++) await http.post(`/api/topics/${topic}/messages`).set(AUTH).send({ partition: i % 2, value: `v${i}` });
  });

  afterAll(async () => {
    await consumer?.disconnect();
  });

  it('describes a live group as kafka-consumer-groups --describe does, and refuses resets and deletion while it has members', async () => {
    consumer = kafka.consumer({ groupId: 'rest-billing', sessionTimeout: 10_000, heartbeatInterval: 500, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let consumed = 0;
    await consumer.run({ autoCommitThreshold: 1, eachMessage: async () => void consumed++ });
    await waitFor(() => consumed === 6, { timeoutMs: 20_000, what: 'the group to consume six records' });

    const described = await waitFor(
      async () => {
        const { body } = await http.get('/api/consumer-groups/rest-billing');
        return body.state === 'Stable' && body.partitions.every((p: { currentOffset: number | null }) => p.currentOffset === 3) ? body : undefined;
      },
      { timeoutMs: 15_000, what: 'the commits to show' },
    );
    expect(described).toMatchObject({ groupId: 'rest-billing', state: 'Stable', protocolType: 'consumer', protocol: expect.any(String), coordinatorId: broker.brokerId });
    expect(described.members).toHaveLength(1);
    const member = described.members[0];
    expect(member).toMatchObject({ clientId: 'rest-admin-test', host: expect.any(String), assignment: [{ topic, partition: 0 }, { topic, partition: 1 }] });
    expect(described.partitions).toEqual(
      [0, 1].map((partition) => ({ topic, partition, currentOffset: 3, logEndOffset: 3, lag: 0, consumerId: member.memberId, host: member.host, clientId: 'rest-admin-test' })),
    );
    expect((await http.get('/api/consumer-groups')).body).toContainEqual({ groupId: 'rest-billing', state: 'Stable', protocolType: 'consumer', coordinatorId: broker.brokerId });

    const reset = await http.post('/api/consumer-groups/rest-billing/offsets').set(AUTH).send({ to: 'earliest' });
    expect(reset.status).toBe(409);
    expect(reset.body.error).toBe('NON_EMPTY_GROUP');
    const deleted = await http.delete('/api/consumer-groups/rest-billing').set(AUTH);
    expect(deleted.status).toBe(409);
    expect(deleted.body.error).toBe('NON_EMPTY_GROUP');
  }, 60_000);

  it('resets an idle group to the earliest, latest, a timestamp or an offset, shows the lag, then deletes it', async () => {
    await consumer?.disconnect();
    consumer = undefined;
    await waitFor(async () => (await http.get('/api/consumer-groups/rest-billing')).body.state === 'Empty', { timeoutMs: 15_000, what: 'the group to empty' });

    const earliest = await http.post('/api/consumer-groups/rest-billing/offsets').set(AUTH).send({ to: 'earliest' });
    expect(earliest.status).toBe(200);
    expect(earliest.body).toEqual({ groupId: 'rest-billing', offsets: [0, 1].map((partition) => ({ topic, partition, offset: 0 })) });
    const lagging = (await http.get('/api/consumer-groups/rest-billing')).body;
    expect(lagging.partitions.map((p: { lag: number; consumerId: string | null }) => [p.lag, p.consumerId])).toEqual([
      [3, null],
      [3, null],
    ]);

    const toOffset = await http.post('/api/consumer-groups/rest-billing/offsets').set(AUTH).send({ to: 'offset', offset: 2, topic, partitions: [1] });
    expect(toOffset.body.offsets).toEqual([{ topic, partition: 1, offset: 2 }]);
    // Past the end is clamped to the end, as kafka-consumer-groups does.
    const clamped = await http.post('/api/consumer-groups/rest-billing/offsets').set(AUTH).send({ to: 'offset', offset: 99, topic, partitions: [0] });
    expect(clamped.body.offsets).toEqual([{ topic, partition: 0, offset: 3 }]);
    const latest = await http.post('/api/consumer-groups/rest-billing/offsets').set(AUTH).send({ to: 'latest', topic });
    expect(latest.body.offsets.map((o: { offset: number }) => o.offset)).toEqual([3, 3]);
    const future = await http.post('/api/consumer-groups/rest-billing/offsets').set(AUTH).send({ to: 'timestamp', timestamp: Date.now() + 3_600_000 });
    expect(future.body.offsets.map((o: { offset: number }) => o.offset)).toEqual([3, 3]);
    const past = await http.post('/api/consumer-groups/rest-billing/offsets').set(AUTH).send({ to: 'timestamp', timestamp: 0 });
    expect(past.body.offsets.map((o: { offset: number }) => o.offset)).toEqual([0, 0]);

    expect((await http.delete('/api/consumer-groups/rest-billing').set(AUTH)).status).toBe(204);
    const gone = await http.get('/api/consumer-groups/rest-billing');
    expect(gone.status).toBe(404);
    expect(gone.body.error).toBe('GROUP_ID_NOT_FOUND');
    expect((await http.delete('/api/consumer-groups/rest-billing').set(AUTH)).body.error).toBe('GROUP_ID_NOT_FOUND');
  }, 60_000);

  it('starts a new group at offsets for a named topic, and answers bad resets with 400 or 404', async () => {
    const started = await http.post('/api/consumer-groups/rest-new-group/offsets').set(AUTH).send({ to: 'latest', topic });
    expect(started.status).toBe(200);
    expect((await http.get('/api/consumer-groups/rest-new-group')).body).toMatchObject({ state: 'Empty', members: [] });

    const noOffsets = await http.post('/api/consumer-groups/rest-nothing/offsets').set(AUTH).send({ to: 'earliest' });
    expect(noOffsets.status).toBe(404);
    expect(noOffsets.body.error).toBe('GROUP_ID_NOT_FOUND');
    const noTopic = await http.post('/api/consumer-groups/rest-new-group/offsets').set(AUTH).send({ to: 'earliest', topic: 'rest-absent' });
    expect(noTopic.status).toBe(404);
    const noPartition = await http.post('/api/consumer-groups/rest-new-group/offsets').set(AUTH).send({ to: 'earliest', topic, partitions: [7] });
    expect(noPartition.status).toBe(404);
    expect(noPartition.body.message).toContain('no partition 7');
    const invalid = await http.post('/api/consumer-groups/rest-new-group/offsets').set(AUTH).send({ to: 'offset', partitions: [0] });
    expect(invalid.status).toBe(400);
    expect(Object.keys(invalid.body.fields).sort()).toEqual(['offset', 'partitions']);
  });
});

describe('delays', () => {
  it("GET /api/delays shows each level's queue and the deliver-at heap, naming the broker that answered; an unknown scope is a 400", async () => {
    const { status, body } = await http.get('/api/delays');
    expect(status).toBe(200);
    expect(body).toMatchObject({ enabled: true, brokerId: broker.brokerId, retiredLevels: [], lateness: [{ brokerId: broker.brokerId, samples: expect.any(Number) }] });
    expect(body.levels.length).toBeGreaterThan(0);
    expect(body.levels.map((l: { level: number }) => l.level)).toEqual(body.levels.map((_: unknown, i: number) => i + 1));
    expect(body.levels[0]).toMatchObject({ level: 1, delayMs: 1000, topic: '__delay_level_01', leader: expect.any(Number) });
    expect(body.schedule).toMatchObject({ topic: '__delay_schedule', leader: expect.any(Number) });
    // One broker leads every queue: its own view is the whole answer.
    expect((await http.get('/api/delays?scope=broker')).body.levels.map((l: { topic: string }) => l.topic)).toEqual(body.levels.map((l: { topic: string }) => l.topic));
    const unknownScope = await http.get('/api/delays?scope=everything');
    expect(unknownScope.status).toBe(400);
    expect(unknownScope.body.fields.scope).toEqual(['scope must be one of cluster, broker']);
  });
});

describe('metrics, health and docs', () => {
  it('GET /metrics serves Prometheus text: requests and latency per API, log sizes, group lag', async () => {
    await createTopic('rest-metrics');
    await http.post('/api/topics/rest-metrics/messages').set(AUTH).send({ partition: 0, value: 'measured' });
    await http.post('/api/consumer-groups/rest-metrics-group/offsets').set(AUTH).send({ to: 'earliest', topic: 'rest-metrics' });
    const { status, headers, text } = await http.get('/metrics');
    expect(status).toBe(200);
    expect(headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const broker0 = `broker="${broker.brokerId}"`;
    expect(text).toMatch(new RegExp(`^kafkanest_requests_total\\{api="Produce",${broker0}\\} [1-9]`, 'm'));
    expect(text).toMatch(new RegExp(`^kafkanest_request_duration_seconds_count\\{api="Produce",${broker0}\\} [1-9]`, 'm'));
    expect(text).toMatch(new RegExp(`^kafkanest_request_bytes_total\\{api="Fetch",${broker0}\\} [1-9]`, 'm'));
    expect(text).toMatch(new RegExp(`^kafkanest_log_size_bytes\\{topic="rest-metrics",partition="0",${broker0}\\} [1-9]`, 'm'));
    expect(text).toContain(`kafkanest_consumer_group_lag{group="rest-metrics-group",topic="rest-metrics",partition="0",${broker0}} 1`);
    expect(text).toContain(`kafkanest_under_replicated_partitions{${broker0}} 0`);
    expect(text).toContain(`kafkanest_offline_partitions{${broker0}} 0`);
    expect(text).toContain(`kafkanest_isr_shrinks_total{${broker0}} 0`);
  });

  it('serves the OpenAPI document and its UI at /docs', async () => {
    const ui = await http.get('/docs');
    expect(ui.status).toBe(200);
    expect(ui.headers['content-type']).toMatch(/text\/html/);
    const { body } = await http.get('/docs-json');
    expect(Object.keys(body.paths).sort()).toEqual(
      [
        '/api/brokers',
        '/api/cluster',
        '/api/consumer-groups',
        '/api/consumer-groups/{group}',
        '/api/consumer-groups/{group}/offsets',
        '/api/delays',
        '/api/topics',
        '/api/topics/{name}',
        '/api/topics/{name}/messages',
        '/api/topics/{name}/partitions',
        '/health',
        '/metrics',
      ].sort(),
    );
    expect(body.components.schemas.CreateTopicDto.required).toEqual(['name']);
    // Answers are described too, errors included.
    const describeTopic = body.paths['/api/topics/{name}'].get.responses;
    expect(describeTopic['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/TopicDetails' });
    expect(describeTopic['404'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/KafkaErrorView' });
    expect(Object.keys(body.components.schemas.PartitionDetails.properties)).toEqual(
      expect.arrayContaining(['leader', 'replicas', 'isr', 'logStartOffset', 'logEndOffset', 'highWatermark', 'sizeBytes']),
    );
    const delays = body.paths['/api/delays'].get;
    expect(delays.tags).toEqual(['delays']);
    expect(delays.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/DelayStatsView' });
    expect(Object.keys(body.components.schemas.DelayLevelView.properties)).toEqual(expect.arrayContaining(['level', 'delayMs', 'topic', 'leader', 'stats', 'error']));
    expect(body.components.schemas.DelayStatsView.properties.lateness).toMatchObject({ type: 'array', items: { $ref: '#/components/schemas/DelayLatenessView' } });
    expect(delays.parameters).toEqual([expect.objectContaining({ name: 'scope', in: 'query', required: false })]);
    expect(Object.keys(body.components.schemas.DelayQueueStatsView.properties)).toEqual(expect.arrayContaining(['depth', 'nextDueMs', 'inFlight', 'delivered']));
    expect(body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('GET /health is ok while the store session lives and the log dir is writable, and 503 naming the dir when it is not', async () => {
    expect((await http.get('/health')).body).toEqual({ status: 'ok' });
    // The log dir replaced by a file: nothing can be written there.
    const moved = `${broker.logDir}.moved`;
    renameSync(broker.logDir, moved);
    writeFileSync(broker.logDir, 'not a directory');
    try {
      const { status, body } = await http.get('/health');
      expect(status).toBe(503);
      expect(body.status).toBe('error');
      expect(body.details.metadataStore.status).toBe('up');
      expect(body.details.logDirs).toMatchObject({ status: 'down', message: expect.stringContaining(broker.logDir) });
    } finally {
      rmSync(broker.logDir, { force: true });
      renameSync(moved, broker.logDir);
    }
    mkdirSync(broker.logDir, { recursive: true });
    expect((await http.get('/health')).status).toBe(200);
  });
});
