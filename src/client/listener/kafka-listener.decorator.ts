import { DiscoveryService } from '@nestjs/core';

/** One entry of `topicPartitions`: explicit assignment, no group management. */
export interface ListenerTopicPartitions {
  readonly topic: string;
  readonly partitions: readonly number[];
  /**
   * Where to start instead of the committed offset (Spring's PartitionOffset): an offset
   * >= 0 as is; a negative one counts back from the end of the partition.
   */
  readonly initialOffset?: number;
}

/**
 * Spring Kafka's @KafkaListener attributes that apply here (containerFactory,
 * errorHandler and the SpEL ones do not). Exactly one of topics, topicPattern and
 * topicPartitions.
 */
export interface KafkaListenerOptions {
  /** The container's id; also the group id unless groupId is set or idIsGroup is false. */
  readonly id?: string;
  readonly idIsGroup?: boolean;
  readonly topics?: string | readonly string[];
  /**
   * Subscribes to every topic whose whole name matches, as Java's Pattern.matches does,
   * picking up topics created later.
   */
  readonly topicPattern?: string | RegExp;
  readonly topicPartitions?: readonly ListenerTopicPartitions[];
  /** Overrides kafka.consumer.group-id for this listener. */
  readonly groupId?: string;
  /** Consumers (child containers) to run; overrides kafka.listener.concurrency. */
  readonly concurrency?: number;
  /** Start with the application (default true); otherwise start it through the registry. */
  readonly autoStartup?: boolean;
  /** Receive a poll's records as one batch; overrides kafka.listener.type. */
  readonly batch?: boolean;
  /** Kafka consumer properties for this listener's consumers, over kafka.consumer.properties. */
  readonly properties?: Readonly<Record<string, string>>;
}

/**
 * Marks a provider method as a Kafka listener:
 *
 *     @KafkaListener({ topics: ['orders'], groupId: 'billing' })
 *     onOrder(@Payload() order: Order, @Ack() ack: Acknowledgment) { ... }
 *
 * Attaches metadata only (on the method, where DiscoveryService.getMetadataByDecorator
 * reads it); the listener explorer finds it at bootstrap and validates it with
 * resolveListenerEndpoint, so a mistake stops the application at start-up.
 */
export const KafkaListener = DiscoveryService.createDecorator<KafkaListenerOptions>();
