import { Logger } from '@nestjs/common';
import type { PartitionMetadata } from '../cluster/cluster-metadata';
import type { ProducerRecord } from '../producer/kafka-producer';
import { DeadLetterPublishingRecoverer, DltHeaders, deadLetterHeaders, type DeadLetterTemplate } from './dead-letter-publisher';
import type { FailedRecord } from './error-handler';
import type { ConsumerRecord, RecordHeader } from './types';

beforeAll(() => Logger.overrideLogger(false));

class FakeTemplate implements DeadLetterTemplate {
  readonly sent: ProducerRecord<Buffer, Buffer>[] = [];
  constructor(private readonly partitions: number | 'hang' | 'fail') {}
  async send(record: ProducerRecord<Buffer, Buffer>): Promise<unknown> {
    this.sent.push(record);
    return {};
  }
  partitionsFor(): Promise<readonly PartitionMetadata[]> {
    if (this.partitions === 'hang') return new Promise(() => undefined);
    if (this.partitions === 'fail') return Promise.reject(new Error('unknown topic'));
    return Promise.resolve(Array.from({ length: this.partitions as number }, (_, partition) => ({ partition }) as PartitionMetadata));
  }
}

function failed(headers: RecordHeader[] = [], partition = 2): FailedRecord {
  const record: ConsumerRecord = {
    topic: 'orders',
    partition,
    offset: 4_294_967_301,
    timestamp: 1_700_000_000_123,
    timestampType: 'LogAppendTime',
    key: 'k',
    value: undefined,
    headers,
  };
  return { record, rawKey: Buffer.from('k'), rawValue: Buffer.from([0xff, 0x00]) };
}

class OrderRejected extends Error {}

const header = (headers: readonly RecordHeader[], key: string) => headers.filter((h) => h.key === key).map((h) => h.value);

describe('deadLetterHeaders', () => {
  it("adds Spring's headers after the original ones, numbers big-endian", () => {
    const error = new OrderRejected('no stock', { cause: new RangeError('quantity') });
    const headers = deadLetterHeaders(failed([{ key: 'trace', value: Buffer.from('abc') }]), error, { groupId: 'billing' });
    expect(headers[0]).toEqual({ key: 'trace', value: Buffer.from('abc') });
    expect(headers.map((h) => h.key).slice(1)).toEqual([
      DltHeaders.ORIGINAL_TOPIC,
      DltHeaders.ORIGINAL_PARTITION,
      DltHeaders.ORIGINAL_OFFSET,
      DltHeaders.ORIGINAL_TIMESTAMP,
      DltHeaders.ORIGINAL_TIMESTAMP_TYPE,
      DltHeaders.ORIGINAL_CONSUMER_GROUP,
      DltHeaders.EXCEPTION_FQCN,
      DltHeaders.EXCEPTION_CAUSE_FQCN,
      DltHeaders.EXCEPTION_MESSAGE,
      DltHeaders.EXCEPTION_STACKTRACE,
    ]);
    expect(header(headers, 'kafka_dlt-original-topic')).toEqual([Buffer.from('orders')]);
    expect(header(headers, 'kafka_dlt-original-partition')).toEqual([Buffer.from([0, 0, 0, 2])]);
    expect(header(headers, 'kafka_dlt-original-offset')).toEqual([Buffer.from([0, 0, 0, 1, 0, 0, 0, 5])]);
    expect(header(headers, 'kafka_dlt-original-timestamp')[0]!.readBigInt64BE()).toBe(1_700_000_000_123n);
    expect(header(headers, 'kafka_dlt-original-timestamp-type')).toEqual([Buffer.from('LogAppendTime')]);
    expect(header(headers, 'kafka_dlt-original-consumer-group')).toEqual([Buffer.from('billing')]);
    expect(header(headers, 'kafka_dlt-exception-fqcn')).toEqual([Buffer.from('OrderRejected')]);
    expect(header(headers, 'kafka_dlt-exception-cause-fqcn')).toEqual([Buffer.from('RangeError')]);
    expect(header(headers, 'kafka_dlt-exception-message')).toEqual([Buffer.from('no stock')]);
    expect(header(headers, 'kafka_dlt-exception-stacktrace')[0]!.toString()).toContain('no stock');
  });

  it('keeps the first original-* headers of a record failing again, and replaces its exception headers', () => {
    const first = deadLetterHeaders(failed(), new Error('first'), { groupId: 'a' });
    const again = deadLetterHeaders({ ...failed(first), record: { ...failed(first).record, topic: 'orders.DLT', partition: 0 } }, new TypeError('second'), { groupId: 'b' });
    expect(header(again, 'kafka_dlt-original-topic')).toEqual([Buffer.from('orders')]);
    expect(header(again, 'kafka_dlt-original-consumer-group')).toEqual([Buffer.from('a')]);
    expect(header(again, 'kafka_dlt-exception-fqcn')).toEqual([Buffer.from('TypeError')]);
    expect(header(again, 'kafka_dlt-exception-message')).toEqual([Buffer.from('second')]);
  });

  it('leaves out the group header without a group', () => {
    expect(header(deadLetterHeaders(failed(), new Error('x'), {}), 'kafka_dlt-original-consumer-group')).toEqual([]);
  });
});

describe('DeadLetterPublishingRecoverer', () => {
  it('publishes the original bytes to {topic}.DLT, same partition when the DLT has it', async () => {
    const template = new FakeTemplate(3);
    await new DeadLetterPublishingRecoverer(template).recover(failed(), new Error('x'), { listenerId: 'l', clientId: 'c', groupId: 'g' });
    expect(template.sent).toHaveLength(1);
    expect(template.sent[0]).toMatchObject({ topic: 'orders.DLT', partition: 2, key: Buffer.from('k'), value: Buffer.from([0xff, 0x00]) });
  });

  it.each([
    ['has fewer partitions', 2 as const],
    ['cannot be described', 'fail' as const],
  ])('lets the partitioner choose when the DLT %s', async (_case, partitions) => {
    const template = new FakeTemplate(partitions);
    await new DeadLetterPublishingRecoverer(template).recover(failed(), new Error('x'), { listenerId: 'l', clientId: 'c' });
    expect(template.sent[0].partition).toBeUndefined();
  });

  it('gives up waiting for partition metadata after partitionInfoTimeoutMs', async () => {
    const template = new FakeTemplate('hang');
    await new DeadLetterPublishingRecoverer(template, { partitionInfoTimeoutMs: 20 }).recover(failed(), new Error('x'), { listenerId: 'l', clientId: 'c' });
    expect(template.sent[0].partition).toBeUndefined();
  });

  it('takes a suffix or a destination resolver, and a template made on first use', async () => {
    const template = new FakeTemplate(5);
    let made = 0;
    const lazy = () => {
      made++;
      return template;
    };
    const suffixed = new DeadLetterPublishingRecoverer(lazy, { topicSuffix: '-dlq' });
    expect(made).toBe(0);
    await suffixed.recover(failed(), new Error('x'), { listenerId: 'l', clientId: 'c' });
    await new DeadLetterPublishingRecoverer(template, { destinationResolver: () => ({ topic: 'graveyard', partition: 4 }) }).recover(failed(), new Error('x'), {
      listenerId: 'l',
      clientId: 'c',
    });
    expect(made).toBe(1);
    expect(template.sent.map((r) => [r.topic, r.partition])).toEqual([
      ['orders-dlq', 2],
      ['graveyard', 4],
    ]);
  });
});
