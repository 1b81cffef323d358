import type { ConsumerOptions } from '../consumer/consumer-options';
import type { ConsumerRebalanceListener, PartitionToAssign } from '../consumer/kafka-consumer';
import type { OffsetToCommit } from '../consumer/offset-commits';
import type { BackOff } from './backoff';
import type { DeadLetterPublishingOptions } from './dead-letter-publisher';
import type { CommonErrorHandler } from './error-handler';
import type { ConsumerRecord, TopicPartition, TopicPartitionOffset } from './types';

/** The KafkaConsumer calls a listener container makes (a KafkaConsumer is one). */
export interface ListenerConsumer {
  readonly options: { readonly clientId: string; readonly enableAutoCommit: boolean; readonly groupId: string | null };
  subscribe(topics: readonly string[] | RegExp, listener?: ConsumerRebalanceListener): void;
  assign(partitions: readonly PartitionToAssign[]): void;
  assignment(): TopicPartition[];
  poll(timeoutMs: number): Promise<ConsumerRecord<Buffer | null, Buffer | null>[]>;
  commitSync(offsets?: readonly OffsetToCommit[]): Promise<void>;
  commitAsync(offsets?: readonly OffsetToCommit[], callback?: (error: Error | null, offsets: readonly OffsetToCommit[]) => void): void;
  seek(tp: TopicPartition, offset: number): void;
  pause(partitions: readonly TopicPartition[]): void;
  resume(partitions: readonly TopicPartition[]): void;
  endOffsets(partitions: readonly TopicPartition[]): Promise<TopicPartitionOffset[]>;
  wakeup(): void;
  close(timeoutMs?: number): Promise<void>;
}

/** Spring's ConsumerFactory: builds each child container's consumer. */
export type ListenerConsumerFactory = (options: ConsumerOptions<Buffer | null, Buffer | null>) => ListenerConsumer;

/** The DefaultErrorHandler's settings, as module options give them. */
export interface DefaultErrorHandlerOptions {
  /**
   * Retries before a failed record is recovered: a BackOff (FixedBackOff,
   * ExponentialBackOff), or FixedBackOff's settings. Spring's defaults: 0 ms between
   * deliveries, 9 retries (10 deliveries in all). `maxAttempts` counts retries, as
   * Spring's FixedBackOff does.
   */
  readonly backOff?: BackOff | { readonly intervalMs?: number; readonly maxAttempts?: number };
  /**
   * Publish records whose retries are exhausted to a dead-letter topic (`{topic}.DLT`,
   * Spring's DeadLetterPublishingRecoverer) — true by default; false logs and skips
   * them, as Spring's DefaultErrorHandler does without a recoverer.
   */
  readonly deadLetter?: boolean | DeadLetterPublishingOptions;
}

/**
 * Settings of every listener container, given as `KafkaModule.forRoot({ listener: {...} })`
 * (Spring's ContainerProperties and the container factory's error handler). The ack
 * mode, concurrency, listener type, ack count/time and poll timeout come from
 * kafka.listener.* as in Spring Boot.
 */
export interface KafkaListenerContainerOptions {
  /** A CommonErrorHandler of the application's own, or settings for the DefaultErrorHandler. */
  readonly errorHandler?: CommonErrorHandler | DefaultErrorHandlerOptions;
  /**
   * Manual acks commit only the contiguous acknowledged prefix of each partition, for
   * listeners that acknowledge out of order (Spring's asyncAcks). Off by default.
   */
  readonly asyncAcks?: boolean;
  /** commitSync (true, Spring's default) or commitAsync for the container's commits. */
  readonly syncCommits?: boolean;
  /** How long stopping waits for the record in progress before closing the consumer anyway (Spring's shutdownTimeout, 10000 ms). */
  readonly shutdownTimeoutMs?: number;
  /** Builds the consumers; a KafkaConsumer by default. */
  readonly consumerFactory?: ListenerConsumerFactory;
}
