import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ClientConfig } from '../config/client.config';
import { ConfigError } from '../config/config-error';
import { KafkaModule, KAFKA_CLIENT_CONFIG } from './kafka.module';
import type { KafkaModuleOptions } from './kafka-options';
import { KafkaTemplate, type TemplateProducer } from './kafka-template';

/** A producer that only remembers whether it was closed: the module's wiring is under test, not sending. */
function recordingFactory(): { factory: () => TemplateProducer; closed: () => boolean } {
  let closed = false;
  const producer: TemplateProducer = {
    send: async (r) => ({ topic: r.topic, partition: 0, offset: 0, timestamp: 0 }),
    flush: async () => undefined,
    close: async () => {
      closed = true;
    },
    partitionsFor: async () => [],
    metrics: () => ({}),
  };
  return { factory: () => producer, closed: () => closed };
}

@Injectable()
class OrderService {
  constructor(readonly template: KafkaTemplate) {}
}

/** A feature module that injects KafkaTemplate without importing KafkaModule (it is global). */
@Module({ providers: [OrderService] })
class OrdersModule {}

@Injectable()
class Settings {
  get(key: string): string {
    return { 'broker.address': 'async-host:9093', 'orders.topic': 'orders' }[key]!;
  }
}

@Module({ providers: [Settings], exports: [Settings] })
class SettingsModule {}

describe('KafkaModule', () => {
  it('binds forRoot properties and gives feature modules the template', async () => {
    const { factory } = recordingFactory();
    const moduleRef = await Test.createTestingModule({
      imports: [KafkaModule.forRoot({ env: {}, properties: { 'kafka.bootstrap-servers': 'x:1', 'kafka.template.default-topic': 'd' }, template: { producerFactory: factory } }), OrdersModule],
    }).compile();
    const config = moduleRef.get<ClientConfig>(KAFKA_CLIENT_CONFIG);
    expect(config.bootstrapServers).toEqual(['x:1']);
    const service = moduleRef.get(OrderService);
    expect(service.template).toBe(moduleRef.get(KafkaTemplate));
    expect(service.template.defaultTopic).toBe('d');
    await moduleRef.close();
  });

  it('takes its options from a forRootAsync factory with injected providers', async () => {
    const { factory } = recordingFactory();
    const moduleRef = await Test.createTestingModule({
      imports: [
        KafkaModule.forRootAsync({
          imports: [SettingsModule],
          inject: [Settings],
          useFactory: async (settings: Settings): Promise<KafkaModuleOptions> => ({
            env: {},
            properties: { kafka: { 'bootstrap-servers': settings.get('broker.address') } },
            template: { defaultTopic: settings.get('orders.topic'), producerFactory: factory },
          }),
        }),
      ],
    }).compile();
    expect(moduleRef.get<ClientConfig>(KAFKA_CLIENT_CONFIG).bootstrapServers).toEqual(['async-host:9093']);
    expect(moduleRef.get(KafkaTemplate).defaultTopic).toBe('orders');
    await moduleRef.close();
  });

  it('closes the template producer when the application shuts down', async () => {
    const { factory, closed } = recordingFactory();
    const app = await Test.createTestingModule({ imports: [KafkaModule.forRoot({ env: {}, properties: {}, template: { producerFactory: factory } })] }).compile();
    await app.init();
    expect(closed()).toBe(false);
    await app.close();
    expect(closed()).toBe(true);
  });

  it('fails start with the config error when a value is bad', async () => {
    const failure = await Test.createTestingModule({ imports: [KafkaModule.forRoot({ env: {}, properties: { 'kafka.producer.acks': 2 } })] })
      .compile()
      .then(() => undefined, (error: unknown) => error);
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as Error).message).toBe('kafka.producer.acks=2: must be one of all, -1, 0, 1 (from KafkaModule properties)');
  });

  it('starts with a ready ClientConfig and an unreachable broker (the producer connects on first send)', async () => {
    const ready = new ClientConfig();
    ready.bootstrapServers = ['127.0.0.1:1'];
    const moduleRef = await Test.createTestingModule({ imports: [KafkaModule.forRoot({ clientConfig: ready })] }).compile();
    await moduleRef.init();
    expect(moduleRef.get(KAFKA_CLIENT_CONFIG)).toBe(ready);
    expect(moduleRef.get(KafkaTemplate).metrics()).toMatchObject({ waitingSends: 0 });
    await moduleRef.close();
  });
});
