import { Logger } from '@nestjs/common';
import { ApiKey, ErrorCode, encodeRecordBatch } from '../../protocol';
import { FakeBroker } from '../network/fake-broker.test-helpers';
import { coordinatorIsBroker, offsetCommitAnswer, oneBrokerMetadata } from './fake-coordinator.test-helpers';
import { KafkaConsumer } from './kafka-consumer';

const GROUP = 'g';
const TOPIC = 'orders';

/**
 * A broker that knows TOPIC and coordinates GROUP; OffsetCommit gets `commitError`, or no
 * answer at all when it is undefined (as from a frozen broker); Fetch is never answered.
 */
async function coordinatingBroker(commitError?: ErrorCode): Promise<FakeBroker> {
  const broker: FakeBroker = await FakeBroker.start((request) => {
    switch (request.apiKey) {
      case ApiKey.Metadata:
        return oneBrokerMetadata(request, broker, 1);
      case ApiKey.FindCoordinator:
        return coordinatorIsBroker(request, broker);
      case ApiKey.OffsetCommit:
        return commitError === undefined ? undefined : offsetCommitAnswer(request, commitError);
      default:
        return undefined;
    }
  });
  return broker;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within 2 s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('KafkaConsumer', () => {
  let broker: FakeBroker;
  let warnings: string[];

  beforeEach(async () => {
    broker = await coordinatingBroker(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    warnings = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await broker.close();
  });

  function consumer(autoCommitIntervalMs: number): KafkaConsumer {
    return new KafkaConsumer({
      'bootstrap.servers': broker.address,
      'group.id': GROUP,
      'auto.commit.interval.ms': autoCommitIntervalMs,
      'retry.backoff.ms': 5,
      'retry.backoff.max.ms': 20,
    });
  }

  it('logs a failed commitAsync() that has no callback, and leaves one with a callback to it', async () => {
    const c = consumer(60_000);
    try {
      const offsets = [{ topic: TOPIC, partition: 0, offset: 5 }];
      let reported: Error | null = null;
      c.commitAsync(offsets, (err) => (reported = err));
      await until(() => reported !== null, 'the callback');
      expect(reported).toMatchObject({ code: ErrorCode.GROUP_AUTHORIZATION_FAILED });
      expect(warnings).toEqual([]);

      c.commitAsync(offsets);
      await until(() => warnings.length > 0, 'a warning');
      expect(warnings).toEqual([expect.stringMatching(/^commitAsync\(\) for group g failed: .*GROUP_AUTHORIZATION_FAILED/)]);
    } finally {
      await c.close(1000);
    }
  });

  it('logs failed auto-commits, in poll() and on close()', async () => {
    const c = consumer(1);
    c.assign([{ topic: TOPIC, partition: 0, offset: 5 }]);
    const deadline = Date.now() + 2000;
    while (warnings.length === 0 && Date.now() < deadline) await c.poll(10);
    expect(warnings[0]).toMatch(/^Auto-commit of offsets for group g failed: .*GROUP_AUTHORIZATION_FAILED/);
    warnings.length = 0;
    await c.close(1000);
    expect(warnings).toContainEqual(expect.stringMatching(/^Auto-commit of offsets on close for group g failed: .*GROUP_AUTHORIZATION_FAILED/));
  });
});

describe('KafkaConsumer auto-commit against a coordinator that stopped answering', () => {
  it('keeps one auto-commit in flight instead of sending one every interval', async () => {
    const broker = await coordinatingBroker();
    const c = new KafkaConsumer({ 'bootstrap.servers': broker.address, 'group.id': GROUP, 'auto.commit.interval.ms': 1, 'request.timeout.ms': 30_000 });
    try {
      c.assign([{ topic: TOPIC, partition: 0, offset: 5 }]);
      const until = Date.now() + 300;
      while (Date.now() < until) await c.poll(10);
      expect(broker.requestsOf(ApiKey.OffsetCommit)).toHaveLength(1);
    } finally {
      await c.close(0);
      await broker.close();
    }
  });
});

describe('KafkaConsumer without a group', () => {
  it('fetches as soon as the metadata of an assign() arrives, not after the retry back-off', async () => {
    const batch = encodeRecordBatch([{ key: null, value: Buffer.from('v0'), timestamp: 1 }], { baseOffset: 0 });
    const broker: FakeBroker = await FakeBroker.start((request) => {
      switch (request.apiKey) {
        case ApiKey.Metadata:
          return oneBrokerMetadata(request, broker, 1);
        case ApiKey.Fetch:
          return {
            responses: request.body.topics.map((t: { topic: string; partitions: Array<{ partition: number }> }) => ({
              topic: t.topic,
              partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, errorCode: 0, highWatermark: 1, lastStableOffset: 1, logStartOffset: 0, abortedTransactions: null, preferredReadReplica: -1, records: batch })),
            })),
          };
        default:
          return undefined;
      }
    });
    // A back-off far above what a local round trip takes: a poll() that slept it would stand out.
    const c = new KafkaConsumer({ 'bootstrap.servers': broker.address, 'retry.backoff.ms': 5000, 'retry.backoff.max.ms': 5000 });
    try {
      c.assign([{ topic: TOPIC, partition: 0, offset: 0 }]);
      const started = Date.now();
      const records = await c.poll(10_000);
      expect(records.map((r) => r.value)).toEqual(['v0']);
      expect(Date.now() - started).toBeLessThan(2500);
    } finally {
      await c.close(1000);
      await broker.close();
    }
  });
});
