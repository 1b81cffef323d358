// The orders example (examples/orders-app) end to end, as a user runs it: its own
// AppModule and application.yml, pointed at a fresh broker through the environment
// (KAFKA_BOOTSTRAP_SERVERS, Spring Boot's rule), driven over HTTP with supertest.
// Topics are not created beforehand: the app's sends and subscriptions create them, as
// they do against `npm start`. Group offsets and states are read back with kafkajs.
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import request from 'supertest';
import { AppModule } from '../../examples/orders-app/app.module';
import type { DeadLetter, ProcessedOrder, SettledPayment } from '../../examples/orders-app/order-book';
import { BrokerProcess } from '../support/broker-process';
import { waitFor } from '../support/wait-for';

interface Placement {
  topic: string;
  partition: number;
  offset: number;
}

const GROUPS = ['orders-app', 'orders-app-dlt', 'payments-app'];

let broker: BrokerProcess;
let admin: Admin;
let app: INestApplication | undefined;
const savedBootstrap = process.env.KAFKA_BOOTSTRAP_SERVERS;

beforeAll(async () => {
  broker = await BrokerProcess.start({ settings: { 'group.initial.rebalance.delay.ms': 0 } });
  admin = new Kafka({ clientId: 'example-app-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();

  process.env.KAFKA_BOOTSTRAP_SERVERS = broker.bootstrap;
  app = await NestFactory.create(AppModule, { logger: false, abortOnError: false });
  await app.init();
}, 60_000);

afterAll(async () => {
  await app?.close();
  if (savedBootstrap === undefined) delete process.env.KAFKA_BOOTSTRAP_SERVERS;
  else process.env.KAFKA_BOOTSTRAP_SERVERS = savedBootstrap;
  await admin?.disconnect();
  await broker?.dispose();
}, 30_000);

const http = () => request(app!.getHttpServer());

async function placeOrder(order: Record<string, unknown>): Promise<Placement> {
  const response = await http().post('/orders').send(order).expect(201);
  return response.body as Placement;
}

async function processed(): Promise<ProcessedOrder[]> {
  return (await http().get('/orders/processed').expect(200)).body as ProcessedOrder[];
}

async function deadLetters(): Promise<DeadLetter[]> {
  return (await http().get('/orders/dead-letters').expect(200)).body as DeadLetter[];
}

async function committed(groupId: string, topic: string, partition: number): Promise<number> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return Number(offsets.partitions.find((p) => p.partition === partition)?.offset ?? -1);
}

describe('the orders example app', () => {
  it('sends valid orders, answering where they were written, and its listener processes and commits them', async () => {
    const first = await placeOrder({ id: 'o-1', item: 'book', quantity: 2 });
    const second = await placeOrder({ id: 'o-2', item: 'pen', quantity: 10 });
    expect(first).toEqual({ topic: 'orders', partition: 0, offset: expect.any(Number) });
    expect(second).toEqual({ topic: 'orders', partition: 0, offset: first.offset + 1 });

    const seen = await waitFor(
      async () => {
        const orders = await processed();
        return ['o-1', 'o-2'].every((id) => orders.some((o) => o.id === id)) && orders;
      },
      { what: 'orders o-1 and o-2 processed', timeoutMs: 15_000 },
    );
    expect(seen.filter((o) => o.id === 'o-1' || o.id === 'o-2')).toEqual([
      { id: 'o-1', item: 'book', quantity: 2, partition: 0, offset: first.offset },
      { id: 'o-2', item: 'pen', quantity: 10, partition: 0, offset: second.offset },
    ]);
    // ack-mode MANUAL: acknowledged records are committed at the end of the poll.
    await waitFor(async () => (await committed('orders-app', 'orders', 0)) >= second.offset + 1, { what: 'the orders group committing past o-2' });
  });

  it('refuses an invalid body with 400 and the field errors, sending nothing', async () => {
    const before = await processed();
    const response = await http().post('/orders').send({ id: '', item: 7, quantity: 0, coupon: 'FREE' }).expect(400);
    const messages = (response.body as { message: string[] }).message;
    expect(messages).toEqual(
      expect.arrayContaining(['id should not be empty', 'item must be a string', 'quantity must not be less than 1', 'property coupon should not exist']),
    );
    await http().post('/orders').send({ id: 'o-x', item: 'book', quantity: 1.5 }).expect(400);
    await http().post('/payments').send({ orderId: 'o-1', amount: -3 }).expect(400);

    // A valid order placed afterwards is the next offset: the refused ones never reached Kafka.
    const next = await placeOrder({ id: 'o-after-400', item: 'lamp', quantity: 1 });
    const last = before.length > 0 ? before[before.length - 1].offset : -1;
    expect(next.offset).toBe(last + 1);
    await waitFor(async () => (await processed()).some((o) => o.id === 'o-after-400'), { what: 'the valid order after the refused ones' });
  });

  it('retries an order it cannot fulfil, then publishes it to orders.DLT with the exception header, and goes on', async () => {
    const poison = await placeOrder({ id: 'o-3', item: 'unicorn', quantity: 1 });
    const after = await placeOrder({ id: 'o-4', item: 'book', quantity: 1 });

    const letter = await waitFor(async () => (await deadLetters()).find((d) => d.key === 'o-3'), { what: 'o-3 in the dead letters', timeoutMs: 15_000 });
    expect(letter).toEqual({
      key: 'o-3',
      value: { id: 'o-3', item: 'unicorn', quantity: 1 },
      exceptionMessage: 'order o-3: 1 x unicorn requested, 0 in stock',
      originalTopic: 'orders',
      originalPartition: poison.partition,
      originalOffset: poison.offset,
      // The first delivery and FixedBackOff(500, 2)'s two retries.
      deliveries: 3,
    });

    await waitFor(async () => (await processed()).some((o) => o.id === 'o-4' && o.offset === after.offset), { what: 'o-4, behind the poison order' });
    expect((await processed()).some((o) => o.id === 'o-3')).toBe(false);
    // The dead-lettered record counts as done: the group commits past it and o-4.
    await waitFor(async () => (await committed('orders-app', 'orders', 0)) >= after.offset + 1, { what: 'the commit past o-3 and o-4' });
    await waitFor(async () => (await committed('orders-app-dlt', 'orders.DLT', 0)) >= 1, { what: 'the dead-letter group committing o-3' });
  });

  it('dead-letters a record another producer wrote that is not a valid order', async () => {
    const producer = new Kafka({ clientId: 'another-producer', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    try {
      await producer.send({ topic: 'orders', acks: -1, messages: [{ key: 'o-5', value: JSON.stringify({ id: 'o-5', item: 'pen', quantity: 0 }) }] });
    } finally {
      await producer.disconnect();
    }
    const letter = await waitFor(async () => (await deadLetters()).find((d) => d.key === 'o-5'), { what: 'o-5 in the dead letters', timeoutMs: 15_000 });
    expect(letter.exceptionMessage).toBe('invalid order {"id":"o-5","item":"pen","quantity":0}: quantity must not be less than 1');
    expect(letter.deliveries).toBe(3);
  });

  it('settles payments in a manual-ack listener, whose acknowledgments are committed', async () => {
    const response = await http().post('/payments').send({ orderId: 'o-1', amount: 12.5 }).expect(201);
    const placed = response.body as Placement;
    expect(placed).toEqual({ topic: 'payments', partition: 0, offset: expect.any(Number) });

    const settled = await waitFor(
      async () => ((await http().get('/payments/settled').expect(200)).body as SettledPayment[]).find((p) => p.offset === placed.offset),
      { what: 'the payment settled', timeoutMs: 15_000 },
    );
    expect(settled).toEqual({ orderId: 'o-1', amount: 12.5, offset: placed.offset });
    await waitFor(async () => (await committed('payments-app', 'payments', placed.partition)) === placed.offset + 1, { what: 'the payments group committing the payment' });
  });

  it('leaves every consumer group when the app closes', async () => {
    const live = await admin.describeGroups(GROUPS);
    expect(live.groups.map((g) => [g.groupId, g.state, g.members.length])).toEqual(GROUPS.map((g) => [g, 'Stable', 1]));

    await app!.close();
    app = undefined;
    const closed = await admin.describeGroups(GROUPS);
    expect(closed.groups.map((g) => [g.groupId, g.state, g.members.length])).toEqual(GROUPS.map((g) => [g, 'Empty', 0]));
  });
});
