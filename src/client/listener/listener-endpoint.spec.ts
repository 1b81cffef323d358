import { Injectable, Module } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { ClientConfig } from '../../config/client.config';
import { ClientConfigError } from '../errors';
import { KafkaListener, type KafkaListenerOptions } from './kafka-listener.decorator';
import { listenerDefaultsFrom, listenerMethodOf, resolveListenerEndpoint, type ListenerDefaults, type ListenerMethod } from './listener-endpoint';
import { Ack, Header, Headers, Key, Payload, Record, listenerParametersOf } from './listener-parameters.decorator';
import { KafkaHeaders, type Acknowledgment, type ConsumerRecord, type ListenerHeaders } from './types';

const defaults: ListenerDefaults = { ackMode: 'BATCH', listenerType: 'SINGLE', concurrency: 1, groupId: 'app' };

/** A method as the explorer would find it, without a class. */
function method(options: KafkaListenerOptions, parameters: ListenerMethod['parameters'] = [], parameterCount = parameters.length): ListenerMethod {
  return { className: 'Orders', methodName: 'onOrder', options, parameters, parameterCount };
}

@Injectable()
class OrderListeners {
  // The global Record type still means what it always did where the decorator is imported.
  readonly seen: Record<string, unknown>[] = [];

  @KafkaListener({ id: 'orders', topics: ['orders'], concurrency: 3 })
  onOrder(@Payload() order: string, @Key() key: string, @Header(KafkaHeaders.RECEIVED_PARTITION) partition: number, @Ack() ack: Acknowledgment) {
    this.seen.push({ order, key, partition, ack });
  }

  @KafkaListener({ topicPattern: /audit\..*/, batch: true })
  onAudit(values: string[], @Headers() headers: ListenerHeaders[], @Record() records: ConsumerRecord[]) {
    this.seen.push({ values, headers, records });
  }

  notAListener(value: string) {
    return value;
  }
}

describe('@KafkaListener and parameter decorators', () => {
  it('store metadata on the method and its parameters, in parameter order', () => {
    const found = listenerMethodOf(OrderListeners.prototype, 'onOrder');
    expect(found).toEqual({
      className: 'OrderListeners',
      methodName: 'onOrder',
      options: { id: 'orders', topics: ['orders'], concurrency: 3 },
      parameters: [
        { index: 0, kind: 'payload' },
        { index: 1, kind: 'key' },
        { index: 2, kind: 'header', headerName: 'kafka_receivedPartitionId' },
        { index: 3, kind: 'acknowledgment' },
      ],
      parameterCount: 4,
    });
    expect(listenerParametersOf(OrderListeners.prototype, 'onAudit').map((p) => p.kind)).toEqual(['headers', 'record']);
  });

  it('finds nothing on methods and members that are not listeners', () => {
    expect(listenerMethodOf(OrderListeners.prototype, 'notAListener')).toBeUndefined();
    expect(listenerMethodOf(OrderListeners.prototype, 'seen')).toBeUndefined();
    expect(listenerMethodOf(OrderListeners.prototype, 'missing')).toBeUndefined();
  });

  it("are found by Nest's DiscoveryService and MetadataScanner, as the listener explorer will find them", async () => {
    @Module({ imports: [DiscoveryModule], providers: [OrderListeners] })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    try {
      const discovery = moduleRef.get(DiscoveryService);
      const scanner = moduleRef.get(MetadataScanner);
      const found = discovery.getProviders().flatMap((wrapper) => {
        const instance = wrapper.instance as object | undefined;
        if (!instance || typeof instance !== 'object') return [];
        const prototype = Object.getPrototypeOf(instance);
        return scanner
          .getAllMethodNames(prototype)
          .filter((name) => discovery.getMetadataByDecorator(KafkaListener, wrapper, name) !== undefined)
          .map((name) => `${wrapper.name as string}.${name}`);
      });
      expect(found.sort()).toEqual(['OrderListeners.onAudit', 'OrderListeners.onOrder']);
    } finally {
      await moduleRef.close();
    }
  });

  it('reject @Header() without a name and decorators on constructor parameters', () => {
    expect(() => Header('')).toThrow('@Header(name) needs a header name');
    expect(() => {
      class WithConstructor {
        constructor(@Payload() readonly value: string) {}
      }
      return WithConstructor;
    }).toThrow('@Payload() marks a listener method parameter, not a constructor parameter');
  });
});

describe('resolveListenerEndpoint', () => {
  const fromClass = (name: 'onOrder' | 'onAudit', d: ListenerDefaults = defaults) => resolveListenerEndpoint(listenerMethodOf(OrderListeners.prototype, name)!, d);

  it('fills in defaults: id from class and method, group from config, one consumer, records one by one', () => {
    expect(resolveListenerEndpoint(method({ topics: 'orders' }, [], 1), defaults)).toEqual({
      id: 'Orders.onOrder',
      className: 'Orders',
      methodName: 'onOrder',
      groupId: 'app',
      subscription: { kind: 'topics', topics: ['orders'] },
      concurrency: 1,
      autoStartup: true,
      batch: false,
      properties: {},
      parameters: [{ index: 0, kind: 'payload' }],
    });
  });

  it('uses the id as group id unless groupId is set or idIsGroup is false, as Spring does', () => {
    expect(resolveListenerEndpoint(method({ id: 'billing', topics: 't' }), defaults).groupId).toBe('billing');
    expect(resolveListenerEndpoint(method({ id: 'billing', groupId: 'g', topics: 't' }), defaults).groupId).toBe('g');
    expect(resolveListenerEndpoint(method({ id: 'billing', idIsGroup: false, topics: 't' }), defaults).groupId).toBe('app');
    expect(resolveListenerEndpoint(method({ topics: 't', properties: { 'group.id': 'p' } }), defaults).groupId).toBe('p');
  });

  it('takes concurrency, batch and autoStartup from the annotation over the defaults', () => {
    const endpoint = resolveListenerEndpoint(method({ topics: 't', concurrency: 4, batch: true, autoStartup: false, properties: { 'max.poll.records': '10' } }), {
      ...defaults,
      concurrency: 2,
    });
    expect(endpoint).toMatchObject({ concurrency: 4, batch: true, autoStartup: false, properties: { 'max.poll.records': '10' } });
    expect(resolveListenerEndpoint(method({ topics: 't' }), { ...defaults, listenerType: 'BATCH', concurrency: 2 })).toMatchObject({ batch: true, concurrency: 2 });
  });

  it('anchors a topic pattern so it matches whole names, as Java does', () => {
    const { subscription } = fromClass('onAudit');
    if (subscription.kind !== 'pattern') throw new Error(`expected a pattern, got ${subscription.kind}`);
    expect(subscription.pattern.test('audit.orders')).toBe(true);
    expect(subscription.pattern.test('x.audit.orders')).toBe(false);
    const fromString = resolveListenerEndpoint(method({ topicPattern: 'a|b' }), defaults).subscription;
    expect(fromString.kind === 'pattern' && ['a', 'b', 'ab'].map((t) => fromString.pattern.test(t))).toEqual([true, true, false]);
  });

  it('flattens explicit partitions and needs no group for them', () => {
    const endpoint = resolveListenerEndpoint(
      method({ topicPartitions: [{ topic: 'a', partitions: [0, 2], initialOffset: -5 }, { topic: 'b', partitions: [1] }] }),
      { ...defaults, groupId: undefined },
    );
    expect(endpoint.groupId).toBeUndefined();
    expect(endpoint.subscription).toEqual({
      kind: 'partitions',
      partitions: [
        { topic: 'a', partition: 0, initialOffset: -5 },
        { topic: 'a', partition: 2, initialOffset: -5 },
        { topic: 'b', partition: 1 },
      ],
    });
  });

  it.each<[string, KafkaListenerOptions, string]>([
    ['nothing to listen to', {}, 'set exactly one of topics, topicPattern, topicPartitions'],
    ['two sources', { topics: ['a'], topicPattern: 'b.*' }, 'set exactly one of topics, topicPattern, topicPartitions (found topics, topicPattern)'],
    ['an empty topic list', { topics: [] }, 'topics is empty'],
    ['an illegal topic name', { topics: ['bad topic'] }, '"bad topic" is not a legal topic name'],
    ['a topic named ..', { topics: ['..'] }, '".." is not a legal topic name'],
    ['an invalid pattern', { topicPattern: '(' }, 'topicPattern "(" is not a valid regular expression'],
    ['an empty partition list', { topicPartitions: [] }, 'topicPartitions is empty'],
    ['a topic without partitions', { topicPartitions: [{ topic: 'a', partitions: [] }] }, 'topicPartitions for a lists no partitions'],
    ['a negative partition', { topicPartitions: [{ topic: 'a', partitions: [-1] }] }, 'partition -1 of a must be an integer >= 0'],
    ['a partition twice', { topicPartitions: [{ topic: 'a', partitions: [0] }, { topic: 'a', partitions: [0] }] }, 'topicPartitions lists a-0 twice'],
    ['a fractional initial offset', { topicPartitions: [{ topic: 'a', partitions: [0], initialOffset: 1.5 }] }, 'initialOffset for a must be an integer'],
    ['zero concurrency', { topics: 't', concurrency: 0 }, 'concurrency must be an integer >= 1, not 0'],
    ['fractional concurrency', { topics: 't', concurrency: 1.5 }, 'concurrency must be an integer >= 1, not 1.5'],
    ['an empty group id', { topics: 't', groupId: ' ' }, 'the group id is empty'],
  ])('refuses %s at start-up', (_case, options, message) => {
    const attempt = () => resolveListenerEndpoint(method(options), defaults);
    expect(attempt).toThrow(ClientConfigError);
    expect(attempt).toThrow(`@KafkaListener Orders.onOrder (Orders.onOrder): ${message}`);
  });

  it('refuses a topic subscription without any group id, saying where to set one', () => {
    expect(() => resolveListenerEndpoint(method({ topics: 't' }), { ...defaults, groupId: undefined })).toThrow(
      'subscribing to topics needs a group id: set groupId (or id) on @KafkaListener, or kafka.consumer.group-id',
    );
  });

  it('refuses an Acknowledgment parameter unless the ack mode is manual, naming the listener and the fix', () => {
    expect(() => fromClass('onOrder')).toThrow(
      '@KafkaListener orders (OrderListeners.onOrder): the listener asks for an Acknowledgment (@Ack()), but the ack mode is BATCH; ' +
        'only a MANUAL ack mode provides one: set kafka.listener.ack-mode to MANUAL or MANUAL_IMMEDIATE',
    );
    for (const ackMode of ['MANUAL', 'MANUAL_IMMEDIATE'] as const) {
      expect(fromClass('onOrder', { ...defaults, ackMode }).parameters.map((p) => p.kind)).toEqual(['payload', 'key', 'header', 'acknowledgment']);
    }
  });

  it('makes a lone undecorated parameter the payload', () => {
    expect(fromClass('onAudit').parameters).toEqual([
      { index: 0, kind: 'payload' },
      { index: 1, kind: 'headers' },
      { index: 2, kind: 'record' },
    ]);
  });

  it('refuses parameters whose role is ambiguous', () => {
    expect(() => resolveListenerEndpoint(method({ topics: 't' }, [], 2), defaults)).toThrow(
      'parameters 0, 1 have no decorator and only one parameter can be the payload by default',
    );
    expect(() => resolveListenerEndpoint(method({ topics: 't' }, [{ index: 1, kind: 'payload' }], 2), defaults)).toThrow(
      'parameter 0 has no decorator and the payload is already @Payload()',
    );
    expect(() =>
      resolveListenerEndpoint(
        method({ topics: 't' }, [
          { index: 0, kind: 'payload' },
          { index: 1, kind: 'payload' },
        ]),
        defaults,
      ),
    ).toThrow('parameters 0 and 1 are both @Payload(): a listener receives one payload');
    expect(() =>
      resolveListenerEndpoint(
        method({ topics: 't' }, [
          { index: 0, kind: 'key' },
          { index: 0, kind: 'record' },
        ]),
        defaults,
      ),
    ).toThrow('parameter 0 has both @Key() and @Record(): give it one');
  });

  it('reads its defaults from the bound client configuration', () => {
    const config = new ClientConfig();
    config.listener.ackMode = 'MANUAL_IMMEDIATE';
    config.listener.concurrency = 3;
    config.consumer.groupId = 'from-yaml';
    expect(listenerDefaultsFrom(config)).toEqual({ ackMode: 'MANUAL_IMMEDIATE', listenerType: 'SINGLE', concurrency: 3, groupId: 'from-yaml' });
  });
});
