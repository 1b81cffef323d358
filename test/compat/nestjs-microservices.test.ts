// An unmodified NestJS 12 app on @nestjs/microservices' Transport.KAFKA (kafkajs 2.2
// underneath) against the built broker. The microservice in nest-app/ consumes as the
// group `orders-server` with an @EventPattern and a @MessagePattern handler; a second app
// reaches it through ClientsModule's ClientKafka, whose own group `caller-client` reads the
// replies on `sum.reply`. Only the event topic is created beforehand; the request and
// reply topics are auto-created when kafkajs subscribes, as for a fresh Nest app.
import type { INestApplicationContext, INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AssignerProtocol, Kafka, logLevel, type Admin } from 'kafkajs';
import { BrokerProcess } from '../support/broker-process';
import { waitFor } from '../support/wait-for';
import { OrdersController, ORDER_PLACED, type OrderPlaced } from './nest-app/orders.controller';
import { CallerModule, OrdersCaller, OrdersModule, ordersMicroservice } from './nest-app/orders.module';

const SERVER_GROUP = 'orders-server';
const CLIENT_GROUP = 'caller-client';
const ORDER_PARTITIONS = 3;

let broker: BrokerProcess;
let admin: Admin;
let microservice: INestMicroservice | undefined;
let callerApp: INestApplicationContext | undefined;
let controller: OrdersController;
let caller: OrdersCaller;

beforeAll(async () => {
  broker = await BrokerProcess.start({ settings: { 'group.initial.rebalance.delay.ms': 0 } });
  admin = new Kafka({ clientId: 'nest-suite', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  // Several partitions, so that keys decide where events go; the request and reply topics
  // are left to auto-creation when the two apps subscribe.
  await admin.createTopics({ topics: [{ topic: ORDER_PLACED, numPartitions: ORDER_PARTITIONS }], waitForLeaders: true });

  // Nest appends -server and -client to the group ids it is given.
  microservice = await NestFactory.createMicroservice(OrdersModule, { ...ordersMicroservice([broker.bootstrap], 'orders'), logger: false });
  await microservice.listen();
  controller = microservice.get(OrdersController);

  callerApp = await NestFactory.createApplicationContext(CallerModule.register([broker.bootstrap], 'caller'), { logger: false });
  caller = callerApp.get(OrdersCaller);
}, 60_000);

afterAll(async () => {
  // Each kafkajs consumer finishes its pending long-poll Fetch before it leaves its group.
  await closeApps();
  await admin?.disconnect();
  await broker?.dispose();
}, 30_000);

async function closeApps(): Promise<void> {
  const closing = [callerApp?.close(), microservice?.close()];
  callerApp = microservice = undefined;
  await Promise.all(closing);
}

async function committedTotal(groupId: string, topic: string): Promise<number> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return offsets.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

describe('NestJS microservices, Transport.KAFKA', () => {
  it('delivers events emitted by ClientKafka to the @EventPattern handler with their keys, in order per key', async () => {
    const orders: OrderPlaced[] = [
      { orderId: 'o-1', items: ['book'], total: 12.5 },
      { orderId: 'o-2', items: ['pen', 'ink'], total: 4 },
      { orderId: 'o-1', items: ['lamp'], total: 30 },
    ];
    for (const order of orders) await caller.placeOrder(order);

    await waitFor(() => controller.received.length >= orders.length, { timeoutMs: 15_000, what: `${orders.length} events at the @EventPattern handler` });
    expect(controller.received).toHaveLength(orders.length);
    for (const received of controller.received) {
      expect(received.topic).toBe(ORDER_PLACED);
      expect(received.key).toBe(received.order.orderId);
    }
    // Partitions may be read in any order, but one key's events share a partition and
    // arrive there in the order they were emitted.
    expect(controller.received.map((r) => r.order)).toEqual(expect.arrayContaining(orders));
    const sameKey = controller.received.filter((r) => r.key === 'o-1');
    expect(sameKey.map((r) => r.order.items)).toEqual([['book'], ['lamp']]);
    expect(sameKey[0].partition).toBe(sameKey[1].partition);
    expect(Number(sameKey[1].offset)).toBeGreaterThan(Number(sameKey[0].offset));
  }, 30_000);

  it('answers a @MessagePattern request through the reply topic sum.reply', async () => {
    await expect(caller.sum([1, 2, 3])).resolves.toBe(6);
    // Concurrent requests are matched to their replies by correlation id.
    await expect(Promise.all([caller.sum([10, 20]), caller.sum([]), caller.sum([-4, 4, 100])])).resolves.toEqual([30, 0, 100]);
    expect(controller.sums).toEqual(expect.arrayContaining([[1, 2, 3], [10, 20], [], [-4, 4, 100]]));
    expect(controller.sums).toHaveLength(4);
  }, 30_000);

  it('runs both apps as consumer groups the broker describes, with the service offsets committed', async () => {
    const { groups } = await admin.describeGroups([SERVER_GROUP, CLIENT_GROUP]);
    const byId = new Map(groups.map((g) => [g.groupId, g]));
    for (const [groupId, clientId] of [
      [SERVER_GROUP, 'orders-server'],
      [CLIENT_GROUP, 'caller-client'],
    ]) {
      expect(byId.get(groupId)).toMatchObject({ errorCode: 0, state: 'Stable', protocolType: 'consumer' });
      expect(byId.get(groupId)!.members.map((m) => m.clientId)).toEqual([clientId]);
    }
    // The microservice's one member owns every partition of both topics it handles; the
    // caller owns the reply topic (auto-created with the broker's num.partitions, 1).
    const assignmentOf = (groupId: string) => {
      const member = byId.get(groupId)!.members[0];
      return AssignerProtocol.MemberAssignment.decode(member.memberAssignment)!.assignment;
    };
    expect(assignmentOf(SERVER_GROUP)).toEqual({ [ORDER_PLACED]: [0, 1, 2], sum: [0] });
    expect(assignmentOf(CLIENT_GROUP)).toEqual({ 'sum.reply': [0] });

    // kafkajs commits after each batch: three events and four requests were handled.
    await waitFor(async () => (await committedTotal(SERVER_GROUP, ORDER_PLACED)) === 3 && (await committedTotal(SERVER_GROUP, 'sum')) === 4, {
      timeoutMs: 15_000,
      what: `${SERVER_GROUP} to commit 3 events and 4 requests`,
    });
    await waitFor(async () => (await committedTotal(CLIENT_GROUP, 'sum.reply')) === 4, { timeoutMs: 15_000, what: `${CLIENT_GROUP} to commit 4 replies` });
  }, 30_000);

  it('closing both apps leaves their groups empty with the committed offsets kept', async () => {
    await closeApps();
    const { groups } = await admin.describeGroups([SERVER_GROUP, CLIENT_GROUP]);
    expect(groups.map((g) => [g.groupId, g.state, g.members.length])).toEqual([
      [SERVER_GROUP, 'Empty', 0],
      [CLIENT_GROUP, 'Empty', 0],
    ]);
    expect(await committedTotal(SERVER_GROUP, ORDER_PLACED)).toBe(3);
    expect(await committedTotal(SERVER_GROUP, 'sum')).toBe(4);
    expect(await committedTotal(CLIENT_GROUP, 'sum.reply')).toBe(4);
  }, 30_000);
});
