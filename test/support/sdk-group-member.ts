// A real consumer group member for suites that inspect groups from outside (the admin
// client, the consumer-groups tool): the SDK's KafkaConsumer joined to `groupId`, having
// polled until it saw `records` records. Short session and heartbeat so the group settles
// and empties quickly; offsets are committed only by the caller.
import { KafkaConsumer } from '../../src/client/consumer/kafka-consumer';
import { waitFor } from './wait-for';

export async function consumingMember(options: { bootstrap: string; groupId: string; clientId: string; topic: string; records: number }): Promise<KafkaConsumer<string, string>> {
  const consumer = new KafkaConsumer<string, string>({
    'bootstrap.servers': options.bootstrap,
    'group.id': options.groupId,
    'client.id': options.clientId,
    'auto.offset.reset': 'earliest',
    'enable.auto.commit': false,
    'session.timeout.ms': 3000,
    'heartbeat.interval.ms': 300,
    'fetch.max.wait.ms': 100,
  });
  try {
    consumer.subscribe([options.topic]);
    let seen = 0;
    await waitFor(async () => (seen += (await consumer.poll(200)).length) >= options.records, { timeoutMs: 20_000, what: `${options.records} records` });
    return consumer;
  } catch (error) {
    await consumer.close(1000).catch(() => undefined);
    throw error;
  }
}
