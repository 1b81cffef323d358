import { Injectable, Logger, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { ConsumerOptions } from '../consumer/consumer-options';
import { WakeupError } from '../consumer/kafka-consumer';
import { KafkaModule } from '../kafka.module';
import type { KafkaListenerContainerOptions, ListenerConsumer } from './container-options';
import { DefaultErrorHandler } from './error-handler';
import { KafkaListener } from './kafka-listener.decorator';
import { KafkaListenerEndpointRegistry } from './kafka-listener-registry.service';
import type { TopicPartition } from './types';

beforeAll(() => Logger.overrideLogger(false));

/** A consumer that owns nothing and returns no records; it remembers how it was built and closed. */
class IdleConsumer implements ListenerConsumer {
  readonly options: ListenerConsumer['options'];
  subscribedTo: readonly string[] | RegExp | null = null;
  closed = false;
  private wakeupRequested = false;

  constructor(readonly given: ConsumerOptions<Buffer | null, Buffer | null>) {
    this.options = { clientId: String(given['client.id']), enableAutoCommit: given['enable.auto.commit'] === true, groupId: given['group.id'] ?? null };
  }
  subscribe(topics: readonly string[] | RegExp): void {
    this.subscribedTo = topics;
  }
  assign(): void {}
  assignment(): TopicPartition[] {
    return [];
  }
  async poll(timeoutMs: number) {
    if (this.wakeupRequested) {
      this.wakeupRequested = false;
      throw new WakeupError();
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(timeoutMs, 5)));
    return [];
  }
  async commitSync(): Promise<void> {}
  commitAsync(): void {}
  seek(): void {}
  pause(): void {}
  resume(): void {}
  async endOffsets() {
    return [];
  }
  wakeup(): void {
    this.wakeupRequested = true;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

@Injectable()
class OrderListeners {
  @KafkaListener({ id: 'orders', topics: ['orders'], concurrency: 2, properties: { 'max.poll.records': '7' } })
  onOrder(value: string) {
    return value;
  }

  @KafkaListener({ topicPattern: 'audit\\..*', groupId: 'auditors', autoStartup: false })
  onAudit(value: string) {
    return value;
  }
}

const apps: INestApplicationContext[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function start(providers: Array<new (...args: any[]) => unknown>, listener: KafkaListenerContainerOptions = {}, properties: Record<string, unknown> = {}) {
  const consumers: IdleConsumer[] = [];
  @Module({
    imports: [
      KafkaModule.forRoot({
        env: {},
        properties: { 'kafka.bootstrap-servers': '127.0.0.1:1', 'kafka.client-id': 'app', 'kafka.listener.poll-timeout': '20ms', ...properties },
        listener: {
          consumerFactory: (options) => {
            const consumer = new IdleConsumer(options);
            consumers.push(consumer);
            return consumer;
          },
          ...listener,
        },
      }),
    ],
    providers,
  })
  class AppModule {}
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false, abortOnError: false });
  apps.push(app);
  return { app, consumers, registry: app.get(KafkaListenerEndpointRegistry) };
}

describe('KafkaListenerEndpointRegistry', () => {
  it('finds the listeners, starts those with autoStartup at bootstrap, each consumer configured as Spring configures it', async () => {
    const { registry, consumers } = await start([OrderListeners]);
    expect(registry.getListenerContainerIds()).toEqual(['orders', 'OrderListeners.onAudit']);
    const orders = registry.getListenerContainer('orders')!;
    expect(orders.isRunning()).toBe(true);
    expect(orders.concurrency).toBe(2);
    expect(registry.getListenerContainer('OrderListeners.onAudit')!.isRunning()).toBe(false);
    expect(consumers.map((c) => c.given)).toEqual([
      expect.objectContaining({ 'client.id': 'app-0', 'group.id': 'orders', 'enable.auto.commit': false, 'max.poll.records': 7, 'key.deserializer': 'buffer', 'value.deserializer': 'buffer' }),
      expect.objectContaining({ 'client.id': 'app-1', 'group.id': 'orders' }),
    ]);
    expect(consumers.map((c) => c.subscribedTo)).toEqual([['orders'], ['orders']]);
  });

  it('starts an autoStartup=false listener on request, and stops every container when the application closes', async () => {
    const { app, registry, consumers } = await start([OrderListeners]);
    const audit = registry.getListenerContainer('OrderListeners.onAudit')!;
    await audit.start();
    expect(audit.isRunning()).toBe(true);
    expect(consumers[2].given['group.id']).toBe('auditors');
    expect(consumers[2].subscribedTo).toEqual(/^(?:audit\..*)$/);
    await app.close();
    apps.splice(0);
    expect(consumers.every((c) => c.closed)).toBe(true);
    expect(registry.isRunning()).toBe(false);
  });

  it('leaves auto-commit on when it was configured explicitly', async () => {
    const { consumers } = await start([OrderListeners], {}, { 'kafka.consumer.enable-auto-commit': true });
    expect(consumers[0].options.enableAutoCommit).toBe(true);
  });

  it('refuses two listeners with one id', async () => {
    @Injectable()
    class Twice {
      @KafkaListener({ id: 'same', topics: 'a' })
      one(value: string) {
        return value;
      }
      @KafkaListener({ id: 'same', topics: 'b' })
      two(value: string) {
        return value;
      }
    }
    await expect(start([Twice])).rejects.toThrow('@KafkaListener same (Twice.two): the id is already used by Twice.one; listener ids must be unique');
  });

  it('refuses consumer settings the consumer would refuse, naming the listener', async () => {
    @Injectable()
    class BadSettings {
      @KafkaListener({ id: 'bad', topics: 'a', properties: { 'value.deserializer': 'avro' } })
      onRecord(value: string) {
        return value;
      }
    }
    await expect(start([BadSettings])).rejects.toThrow('@KafkaListener bad (BadSettings.onRecord): value.deserializer: unknown deserializer "avro"');
  });

  it("uses the application's error handler when the module options give one", async () => {
    const errorHandler = new DefaultErrorHandler();
    const { registry } = await start([OrderListeners], { errorHandler });
    const child = registry.getListenerContainer('orders')!.containers[0];
    expect((child as unknown as { errorHandler: unknown }).errorHandler).toBe(errorHandler);
  });
});
