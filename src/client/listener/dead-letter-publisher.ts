import { Logger } from '@nestjs/common';
import type { PartitionMetadata } from '../cluster/cluster-metadata';
import type { ProducerRecord } from '../producer/kafka-producer';
import { describe, type ConsumerRecordRecoverer, type ErrorHandlerContext, type FailedRecord } from './error-handler';
import type { RecordHeader } from './types';

/**
 * The headers Spring Kafka's DeadLetterPublishingRecoverer adds (KafkaHeaders.DLT_*),
 * so tools written for Spring's dead-letter topics read ours. Numbers are big-endian:
 * the partition a 4-byte int, offset and timestamp 8-byte longs; the rest UTF-8 text.
 */
export const DltHeaders = {
  EXCEPTION_FQCN: 'kafka_dlt-exception-fqcn',
  EXCEPTION_CAUSE_FQCN: 'kafka_dlt-exception-cause-fqcn',
  EXCEPTION_MESSAGE: 'kafka_dlt-exception-message',
  EXCEPTION_STACKTRACE: 'kafka_dlt-exception-stacktrace',
  ORIGINAL_TOPIC: 'kafka_dlt-original-topic',
  ORIGINAL_PARTITION: 'kafka_dlt-original-partition',
  ORIGINAL_OFFSET: 'kafka_dlt-original-offset',
  ORIGINAL_TIMESTAMP: 'kafka_dlt-original-timestamp',
  ORIGINAL_TIMESTAMP_TYPE: 'kafka_dlt-original-timestamp-type',
  ORIGINAL_CONSUMER_GROUP: 'kafka_dlt-original-consumer-group',
} as const;

const EXCEPTION_HEADER_PREFIX = 'kafka_dlt-exception-';
const ORIGINAL_HEADER_PREFIX = 'kafka_dlt-original-';

/** The sends the recoverer makes; a KafkaTemplate with byte serializers is one. */
export interface DeadLetterTemplate {
  send(record: ProducerRecord<Buffer, Buffer>): Promise<unknown>;
  partitionsFor(topic: string): Promise<readonly PartitionMetadata[]>;
}

/** Where a dead letter goes; a partition below 0 (or none) lets the producer's partitioner choose. */
export interface DeadLetterDestination {
  readonly topic: string;
  readonly partition?: number;
}

export type DeadLetterDestinationResolver = (failed: FailedRecord, error: Error) => DeadLetterDestination;

export interface DeadLetterPublishingOptions {
  /** Where each record goes; `{topic}{topicSuffix}` and the record's own partition by default. */
  readonly destinationResolver?: DeadLetterDestinationResolver;
  /** The default resolver's suffix (Spring's `.DLT`). */
  readonly topicSuffix?: string;
  /** How long to wait for the dead-letter topic's partitions before letting the partitioner choose (Spring's partitionInfoTimeout, 5000 ms). */
  readonly partitionInfoTimeoutMs?: number;
}

/**
 * Spring Kafka's DeadLetterPublishingRecoverer: publishes a record whose retries are
 * exhausted to `{topic}.DLT`, with its key, value and headers as they were fetched
 * (bytes, so nothing depends on the application's serializers, and a record that
 * could not be deserialized is kept whole), plus the DLT headers describing the error
 * and where the record came from. The same partition as the original when the
 * dead-letter topic has it, otherwise the partitioner chooses (Spring since 2.7). The
 * send is awaited: only a record safely in the dead-letter topic is committed past.
 *
 * A record that failed before (republished from a dead-letter topic) keeps its first
 * kafka_dlt-original-* headers; its kafka_dlt-exception-* headers are replaced by the
 * new failure's (Spring's stripPreviousExceptionHeaders).
 */
export class DeadLetterPublishingRecoverer {
  private readonly logger = new Logger('DeadLetterPublishingRecoverer');
  private readonly resolveDestination: DeadLetterDestinationResolver;
  private readonly partitionInfoTimeoutMs: number;

  constructor(
    private readonly template: DeadLetterTemplate | (() => DeadLetterTemplate),
    options: DeadLetterPublishingOptions = {},
  ) {
    const suffix = options.topicSuffix ?? '.DLT';
    this.resolveDestination = options.destinationResolver ?? ((failed) => ({ topic: `${failed.record.topic}${suffix}`, partition: failed.record.partition }));
    this.partitionInfoTimeoutMs = options.partitionInfoTimeoutMs ?? 5000;
  }

  /** This recoverer as the DefaultErrorHandler takes it. */
  readonly recover: ConsumerRecordRecoverer = async (failed, error, context) => {
    const template = typeof this.template === 'function' ? this.template() : this.template;
    const destination = this.resolveDestination(failed, error);
    const partition = await this.checkedPartition(template, destination);
    await template.send({
      topic: destination.topic,
      partition,
      key: failed.rawKey,
      value: failed.rawValue,
      headers: deadLetterHeaders(failed, error, context),
    });
    this.logger.warn(`Published ${describe(failed.record)} to ${destination.topic}${partition === undefined ? '' : `-${partition}`} after: ${error.message}`);
  };

  /** The destination partition if the topic has it; undefined (the partitioner's choice) otherwise. */
  private async checkedPartition(template: DeadLetterTemplate, destination: DeadLetterDestination): Promise<number | undefined> {
    const wanted = destination.partition;
    if (wanted === undefined || wanted < 0) return undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      const partitions = await Promise.race([
        template.partitionsFor(destination.topic),
        new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), this.partitionInfoTimeoutMs);
        }),
      ]);
      if (partitions === null) return undefined;
      return partitions.some((p) => p.partition === wanted) ? wanted : undefined;
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The dead letter's headers: the original record's, then Spring's DLT headers. */
export function deadLetterHeaders(failed: FailedRecord, error: Error, context: Pick<ErrorHandlerContext, 'groupId'>): RecordHeader[] {
  const { record } = failed;
  const original = record.headers.filter((h) => !h.key.startsWith(EXCEPTION_HEADER_PREFIX));
  const headers: RecordHeader[] = [...original];
  const add = (key: string, value: Buffer) => headers.push({ key, value });

  if (!original.some((h) => h.key.startsWith(ORIGINAL_HEADER_PREFIX))) {
    add(DltHeaders.ORIGINAL_TOPIC, Buffer.from(record.topic, 'utf8'));
    add(DltHeaders.ORIGINAL_PARTITION, int32(record.partition));
    add(DltHeaders.ORIGINAL_OFFSET, int64(record.offset));
    add(DltHeaders.ORIGINAL_TIMESTAMP, int64(record.timestamp));
    add(DltHeaders.ORIGINAL_TIMESTAMP_TYPE, Buffer.from(record.timestampType, 'utf8'));
    if (context.groupId !== undefined) add(DltHeaders.ORIGINAL_CONSUMER_GROUP, Buffer.from(context.groupId, 'utf8'));
  }

  add(DltHeaders.EXCEPTION_FQCN, Buffer.from(className(error), 'utf8'));
  if (error.cause instanceof Error) add(DltHeaders.EXCEPTION_CAUSE_FQCN, Buffer.from(className(error.cause), 'utf8'));
  add(DltHeaders.EXCEPTION_MESSAGE, Buffer.from(error.message, 'utf8'));
  add(DltHeaders.EXCEPTION_STACKTRACE, Buffer.from(error.stack ?? `${className(error)}: ${error.message}`, 'utf8'));
  return headers;
}

/** The error's class, as Java's getClass().getName() names the exception (a subclass that keeps name 'Error' still says what it is). */
function className(error: Error): string {
  const constructorName = (error.constructor as { name?: unknown } | undefined)?.name;
  return typeof constructorName === 'string' && constructorName !== '' ? constructorName : error.name;
}

function int32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(value);
  return b;
}

function int64(value: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(value));
  return b;
}
