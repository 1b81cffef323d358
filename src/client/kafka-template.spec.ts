import { ErrorCode } from '../protocol';
import { ClientConfig } from '../config/client.config';
import { ClientConfigError, KafkaClientError } from './errors';
import { KafkaTemplate, type KafkaTemplateOptions, type TemplateProducer } from './kafka-template';
import type { ProducerRecord, RecordMetadata } from './producer/kafka-producer';
import type { ProducerOptions } from './producer/producer-options';
import { bufferSerializer } from './producer/serializers';

/** Records what the template hands its producer; answers each send with offset = sends so far. */
class FakeProducer implements TemplateProducer {
  readonly sent: Array<ProducerRecord<Buffer, Buffer>> = [];
  closedWith: number | undefined;
  failNext: Error | undefined;

  constructor(readonly options: ProducerOptions<Buffer, Buffer>) {}

  async send(record: ProducerRecord<Buffer, Buffer>): Promise<RecordMetadata> {
    if (this.failNext) {
      const err = this.failNext;
      this.failNext = undefined;
      throw err;
    }
    this.sent.push(record);
    const timestamp = record.timestamp instanceof Date ? record.timestamp.getTime() : (record.timestamp ?? 1);
    return { topic: record.topic, partition: record.partition ?? 0, offset: this.sent.length - 1, timestamp };
  }

  async flush(): Promise<void> {}

  async close(timeoutMs?: number): Promise<void> {
    this.closedWith = timeoutMs;
  }

  async partitionsFor(): Promise<[]> {
    return [];
  }

  metrics(): Record<string, number> {
    return { waitingSends: 0 };
  }
}

function templateWith(configure: (config: ClientConfig) => void = () => undefined, options: KafkaTemplateOptions<any, any> = {}): { template: KafkaTemplate<any, any>; producer: FakeProducer } {
  const config = new ClientConfig();
  configure(config);
  let producer: FakeProducer | undefined;
  const template = new KafkaTemplate<any, any>(config, { ...options, producerFactory: (o) => (producer = new FakeProducer(o)) });
  return { template, producer: producer! };
}

const text = (b: Buffer | null | undefined): string | null | undefined => (b === null || b === undefined ? b : b.toString('utf8'));

describe('KafkaTemplate', () => {
  it('maps every send overload onto one record', async () => {
    const { template, producer } = templateWith();
    await template.send('t', 'v1');
    await template.send('t', 'k2', 'v2');
    await template.send('t', 3, 'k3', 'v3');
    await template.send('t', null, 1234, 'k4', 'v4');
    await template.send('t', 2, new Date(99), null, 'v5');
    await template.send({ topic: 't', key: 'k6', value: 'v6', partition: 1, timestamp: 7, headers: { h: 'x' } });
    expect(producer.sent.map((r) => ({ ...r, key: text(r.key), value: text(r.value) }))).toEqual([
      { topic: 't', key: null, value: 'v1', partition: undefined, timestamp: undefined, headers: undefined },
      { topic: 't', key: 'k2', value: 'v2', partition: undefined, timestamp: undefined, headers: undefined },
      { topic: 't', key: 'k3', value: 'v3', partition: 3, timestamp: undefined, headers: undefined },
      { topic: 't', key: 'k4', value: 'v4', partition: undefined, timestamp: 1234, headers: undefined },
      { topic: 't', key: null, value: 'v5', partition: 2, timestamp: new Date(99), headers: undefined },
      { topic: 't', key: 'k6', value: 'v6', partition: 1, timestamp: 7, headers: { h: 'x' } },
    ]);
  });

  it("resolves with Spring's SendResult: the record as given and the serialized sizes", async () => {
    const { template } = templateWith();
    const result = await template.send('t', 'ключ', 'value');
    expect(result.producerRecord).toEqual({ topic: 't', key: 'ключ', value: 'value' });
    expect(result.recordMetadata).toEqual({ topic: 't', partition: 0, offset: 0, timestamp: 1, serializedKeySize: 8, serializedValueSize: 5 });
    const tombstone = await template.send('t', 'k', null);
    expect(tombstone.recordMetadata.serializedValueSize).toBe(-1);
  });

  it('sends to kafka.template.default-topic with every sendDefault overload', async () => {
    const { template, producer } = templateWith((c) => (c.template.defaultTopic = 'orders'));
    await template.sendDefault('a');
    await template.sendDefault('k', 'b');
    await template.sendDefault(4, 'k', 'c');
    await template.sendDefault(5, 42, 'k', 'd');
    expect(producer.sent.map((r) => [r.topic, r.partition, r.timestamp, text(r.key), text(r.value)])).toEqual([
      ['orders', undefined, undefined, null, 'a'],
      ['orders', undefined, undefined, 'k', 'b'],
      ['orders', 4, undefined, 'k', 'c'],
      ['orders', 5, 42, 'k', 'd'],
    ]);
    expect(templateWith(() => undefined, { defaultTopic: 'own' }).template.defaultTopic).toBe('own');
  });

  it('fails sendDefault clearly when no default topic is set', async () => {
    const { template } = templateWith();
    await expect(template.sendDefault('x')).rejects.toThrow(ClientConfigError);
    await expect(template.sendDefault('x')).rejects.toThrow(/kafka\.template\.default-topic/);
  });

  it('rejects bad arguments without reaching the producer', async () => {
    const { template, producer } = templateWith();
    await expect(template.send('t', -1, 'k', 'v')).rejects.toMatchObject({ code: ErrorCode.INVALID_REQUEST });
    await expect(template.send('t', 0, 'later' as never, 'k', 'v')).rejects.toThrow(/timestamp/);
    await expect((template.send as (...a: unknown[]) => Promise<unknown>)('t')).rejects.toThrow(/got 0 arguments/);
    await expect(template.send({ topic: '', value: 'v' })).rejects.toMatchObject({ code: ErrorCode.INVALID_TOPIC_EXCEPTION });
    expect(producer.sent).toHaveLength(0);
  });

  it('serializes with the configured serializers, Java class names included', async () => {
    const { template, producer } = templateWith((c) => {
      c.producer.keySerializer = 'org.apache.kafka.common.serialization.StringSerializer';
      c.producer.valueSerializer = 'org.springframework.kafka.support.serializer.JsonSerializer';
    });
    await template.send('t', 'id-1', { amount: 5, tags: ['a'] });
    expect(text(producer.sent[0].value)).toBe('{"amount":5,"tags":["a"]}');
    expect(text(producer.sent[0].key)).toBe('id-1');
  });

  it("lets the template's own serializers win over the configured ones", async () => {
    const { template, producer } = templateWith((c) => (c.producer.valueSerializer = 'json'), {
      valueSerializer: (value: { n: number }, topic: string) => Buffer.from(`${topic}:${value.n}`),
    });
    await template.send('t', { n: 7 });
    expect(text(producer.sent[0].value)).toBe('t:7');
  });

  it("takes serializers from kafka.producer.properties, Spring Boot's pass-through map", async () => {
    const { template, producer } = templateWith((c) => (c.producer.properties = { 'value.serializer': 'json' }));
    await template.send('t', [1, 2]);
    expect(text(producer.sent[0].value)).toBe('[1,2]');
  });

  it('turns a throwing custom serializer into a KafkaClientError (INVALID_RECORD)', async () => {
    const { template, producer } = templateWith(() => undefined, {
      valueSerializer: () => {
        throw new Error('no schema');
      },
    });
    const failure = template.send('t', 'v');
    await expect(failure).rejects.toBeInstanceOf(KafkaClientError);
    await expect(failure).rejects.toMatchObject({ code: ErrorCode.INVALID_RECORD, message: expect.stringMatching(/value of a record for topic t: no schema/) });
    expect(producer.sent).toHaveLength(0);
  });

  it("passes the producer's failure through with its error code", async () => {
    const { template, producer } = templateWith();
    producer.failNext = new KafkaClientError(ErrorCode.MESSAGE_TOO_LARGE, 'too big', { retriable: false });
    await expect(template.send('t', 'v')).rejects.toMatchObject({ code: ErrorCode.MESSAGE_TOO_LARGE, message: 'too big' });
  });

  it('builds its producer from kafka.* and hands it bytes', () => {
    const { producer } = templateWith((c) => {
      c.bootstrapServers = ['h:1'];
      c.clientId = 'app';
      c.producer.acks = '1';
      c.producer.compressionType = 'zstd';
      c.producer.properties = { 'linger.ms': '20' };
    });
    expect(producer.options).toMatchObject({ bootstrapServers: ['h:1'], clientId: 'app', acks: '1', compressionType: 'zstd', lingerMs: 20 });
    expect(producer.options.keySerializer).toBe(bufferSerializer);
    expect(producer.options.valueSerializer).toBe(bufferSerializer);
  });

  it('stops the application at start on producer settings that cannot work together', () => {
    const config = new ClientConfig();
    config.producer.acks = '1';
    config.producer.properties = { 'enable.idempotence': 'true' };
    expect(() => new KafkaTemplate(config)).toThrow(/Must set acks to all in order to use the idempotent producer/);
  });

  it('refuses transactions clearly and closes its producer on application shutdown', async () => {
    const { template, producer } = templateWith(() => undefined, { closeTimeoutMs: 1234 });
    expect(template.isTransactional()).toBe(false);
    await expect(template.executeInTransaction(async (t) => t.send('t', 'v'))).rejects.toMatchObject({
      code: ErrorCode.INVALID_TXN_STATE,
      message: expect.stringMatching(/executeInTransaction is not supported/),
    });
    expect(producer.sent).toHaveLength(0);
    await template.onApplicationShutdown();
    expect(producer.closedWith).toBe(1234);
  });

  describe('delay options', () => {
    it('adds x-delay-level for delayLevel, keeping the record’s other headers', async () => {
      const { template, producer } = templateWith();
      await template.send({ topic: 't', key: 'k', value: 'v', headers: { trace: 'abc', multi: ['1', '2'] } }, { delayLevel: 3 });
      expect(producer.sent[0].headers).toEqual([
        { key: 'trace', value: 'abc' },
        { key: 'multi', value: '1' },
        { key: 'multi', value: '2' },
        { key: 'x-delay-level', value: '3' },
      ]);
    });

    it('adds x-deliver-at for deliverAt (ms or a Date) and for delayMs (from now), replacing a delay header already there', async () => {
      const { template, producer } = templateWith();
      await template.send({ topic: 't', value: 'v' }, { deliverAt: 1_800_000_000_000 });
      await template.send({ topic: 't', value: 'v', headers: [{ key: 'x-delay-level', value: '1' }] }, { deliverAt: new Date(1_800_000_000_500) });
      const before = Date.now();
      await template.send({ topic: 't', value: 'v' }, { delayMs: 2500 });
      expect(producer.sent[0].headers).toEqual([{ key: 'x-deliver-at', value: '1800000000000' }]);
      expect(producer.sent[1].headers).toEqual([{ key: 'x-deliver-at', value: '1800000000500' }]);
      const at = Number((producer.sent[2].headers as ReadonlyArray<{ value: string }>)[0].value);
      expect(at).toBeGreaterThanOrEqual(before + 2500);
      expect(at).toBeLessThanOrEqual(Date.now() + 2500);
    });

    it.each([
      [{ delayLevel: 0 }, /delayLevel must be an integer >= 1/],
      [{ delayLevel: 1.5 }, /delayLevel must be an integer >= 1/],
      [{ delayMs: -1 }, /delayMs must be a number >= 0/],
      [{ deliverAt: Number.NaN }, /deliverAt must be a time/],
      [{ delayLevel: 1, delayMs: 5 }, /give one of delayLevel, deliverAt and delayMs/],
    ])('refuses %p without sending anything', async (options, message) => {
      const { template, producer } = templateWith();
      await expect(template.send({ topic: 't', value: 'v' }, options)).rejects.toMatchObject({ code: ErrorCode.INVALID_REQUEST, message: expect.stringMatching(message) });
      expect(producer.sent).toHaveLength(0);
    });

    it('sends the record as it is when the options ask for no delay', async () => {
      const { template, producer } = templateWith();
      await template.send({ topic: 't', value: 'v', headers: { h: 'x' } }, {});
      expect(producer.sent[0].headers).toEqual({ h: 'x' });
    });
  });
});
