import type { RecordHeader } from '../../protocol/record-batch/record-reader';

/**
 * The consumer-side types an application sees, named as Spring Kafka and the Java
 * client name them so a listener ports by changing syntax only. They are shared by
 * the consumer (fetcher, commit policy, assignors) and the listener containers.
 */

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** A map key for a partition; NUL cannot occur in a topic name. */
export function topicPartitionKey(tp: TopicPartition): string {
  return `${tp.topic}\u0000${tp.partition}`;
}

/** A position in a partition. As in OffsetCommit, `offset` is the next offset to consume. */
export interface TopicPartitionOffset extends TopicPartition {
  readonly offset: number;
}

/** Java's TimestampType: a record batch carries the producer's time or the broker's. */
export type TimestampType = 'CreateTime' | 'LogAppendTime';

export type { RecordHeader };

/** One record as fetched, key and value already deserialized. */
export interface ConsumerRecord<K = unknown, V = unknown> {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** Milliseconds since the epoch, of the kind `timestampType` says. */
  readonly timestamp: number;
  readonly timestampType: TimestampType;
  readonly key: K;
  readonly value: V;
  /** In wire order; Kafka allows a key to repeat. */
  readonly headers: readonly RecordHeader[];
  /** The partition leader epoch of the batch, when the broker sent one. */
  readonly leaderEpoch?: number;
}

/**
 * Handed to a listener that asks for it (only under ack-mode MANUAL or
 * MANUAL_IMMEDIATE). For a batch listener it covers the whole batch.
 */
export interface Acknowledgment {
  /** The record (or batch) is processed: its offset may be committed. */
  acknowledge(): void;
  /**
   * The record is not processed: the container re-seeks so it (and everything after
   * it in the poll) is delivered again after `sleepMs`.
   */
  nack?(sleepMs: number): void;
}

/** What @Headers() injects: the record's headers by key, the last one winning (Spring's header mapper). */
export type ListenerHeaders = Record<string, Buffer | null>;

/**
 * Spring Kafka's KafkaHeaders names for facts about a received record, so
 * `@Header(KafkaHeaders.RECEIVED_TOPIC)` reads as it does in Java. A record header of
 * the same name is shadowed by these.
 */
export const KafkaHeaders = {
  RECEIVED_TOPIC: 'kafka_receivedTopic',
  RECEIVED_PARTITION: 'kafka_receivedPartitionId',
  OFFSET: 'kafka_offset',
  RECEIVED_KEY: 'kafka_receivedMessageKey',
  RECEIVED_TIMESTAMP: 'kafka_receivedTimestamp',
  TIMESTAMP_TYPE: 'kafka_timestampType',
  GROUP_ID: 'kafka_groupId',
} as const;
