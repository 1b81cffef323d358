// Real consumer group members of the SDK's KafkaConsumer. consumingMember: for suites that
// inspect groups from outside (the admin client, the consumer-groups tool), joined to
// `groupId` and having polled until it saw `records` records; short session and heartbeat
// so the group settles and empties quickly; offsets are committed only by the caller.
// PollingMember: for failover suites, a member that polls on by itself through whatever
// happens to the brokers, auto-committing, with timeouts short enough for test time.
import { KafkaConsumer } from '../../src/client/consumer/kafka-consumer';
import { waitFor } from './wait-for';

export interface PollingMemberOptions {
  bootstrapServers: string[];
  groupId: string;
  topics: string[];
  sessionTimeoutMs: number;
  clientId?: string;
  /** Called with each record's value, in poll order. */
  onValue: (value: string) => void;
}

export class PollingMember {
  readonly consumer: KafkaConsumer<string, string>;
  /** What poll() threw; the loop carries on after each. */
  readonly errors: Error[] = [];
  /** onPartitionsAssigned calls: one per completed rebalance of this member. */
  assignments = 0;
  private polling = true;
  private readonly loop: Promise<void>;

  constructor(options: PollingMemberOptions) {
    const consumer = new KafkaConsumer<string, string>({
      'bootstrap.servers': options.bootstrapServers,
      'group.id': options.groupId,
      ...(options.clientId === undefined ? {} : { 'client.id': options.clientId }),
      'auto.offset.reset': 'earliest',
      'session.timeout.ms': options.sessionTimeoutMs,
      'heartbeat.interval.ms': 500,
      'auto.commit.interval.ms': 500,
      'fetch.max.wait.ms': 200,
      'retry.backoff.max.ms': 500,
      'request.timeout.ms': 5_000,
      'key.deserializer': 'string',
      'value.deserializer': 'string',
    });
    this.consumer = consumer;
    consumer.subscribe(options.topics, { onPartitionsAssigned: () => void this.assignments++ });
    this.loop = (async () => {
      while (this.polling) {
        try {
          for (const record of await consumer.poll(200)) options.onValue(record.value!);
        } catch (error) {
          this.errors.push(error as Error);
        }
      }
    })();
  }

  async close(): Promise<void> {
    this.polling = false;
    await this.loop;
    await this.consumer.close(2_000);
  }
}

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
