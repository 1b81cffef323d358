// Both halves of the app under test: OrdersModule is the microservice (the controller
// behind a Kafka consumer group), CallerModule a client app that reaches it through
// ClientsModule's ClientKafka. Broker addresses come in as arguments, as an app would read
// them from its configuration.
import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ClientsModule, Transport, type ClientKafka, type KafkaOptions } from '@nestjs/microservices';
import { logLevel } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import { OrdersController, type OrderPlaced, ORDER_PLACED } from './orders.controller';

export const ORDERS_CLIENT = 'ORDERS_CLIENT';

@Module({ controllers: [OrdersController] })
export class OrdersModule {}

/** Options for NestFactory.createMicroservice(OrdersModule, ...): the consumer group `groupId`-server. */
export function ordersMicroservice(brokers: string[], groupId: string): KafkaOptions {
  return {
    transport: Transport.KAFKA,
    options: {
      client: { clientId: 'orders', brokers, logLevel: logLevel.NOTHING },
      consumer: { groupId },
      // Events emitted before the group's first assignment are still delivered.
      subscribe: { fromBeginning: true },
    },
  };
}

@Injectable()
export class OrdersCaller implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(ORDERS_CLIENT) private readonly client: ClientKafka) {}

  async onModuleInit(): Promise<void> {
    // The reply topic `sum.reply` must be subscribed before connect() joins the group.
    this.client.subscribeToResponseOf('sum');
    await this.client.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }

  placeOrder(order: OrderPlaced): Promise<unknown> {
    return lastValueFrom(this.client.emit(ORDER_PLACED, { key: order.orderId, value: order }));
  }

  async sum(numbers: number[]): Promise<number> {
    // Nest's Kafka parser JSON-decodes only objects and arrays: a number comes back as its text.
    return Number(await lastValueFrom(this.client.send<string, number[]>('sum', numbers)));
  }
}

@Module({})
export class CallerModule {
  static register(brokers: string[], groupId: string): DynamicModule {
    return {
      module: CallerModule,
      imports: [
        ClientsModule.register([
          {
            name: ORDERS_CLIENT,
            transport: Transport.KAFKA,
            options: { client: { clientId: 'caller', brokers, logLevel: logLevel.NOTHING }, consumer: { groupId } },
          },
        ]),
      ],
      providers: [OrdersCaller],
      exports: [OrdersCaller],
    };
  }
}
