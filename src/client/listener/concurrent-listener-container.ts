import { Logger } from '@nestjs/common';
import type { ClientConfig } from '../../config/client.config';
import { fromClientConfig, resolveConsumerOptions, type ConsumerOptions } from '../consumer/consumer-options';
import { resolveDeserializer, type DeserializerSpec } from '../consumer/deserializers';
import { KafkaConsumer } from '../consumer/kafka-consumer';
import { ClientConfigError } from '../errors';
import type { KafkaListenerContainerOptions, ListenerConsumerFactory } from './container-options';
import type { CommonErrorHandler } from './error-handler';
import type { ListenerEndpoint, ListenerSubscription } from './listener-endpoint';
import { KafkaMessageListenerContainer, type ContainerSettings } from './listener-container';
import type { ListenerInvoker } from './listener-invoker';
import type { TopicPartition } from './types';

/** What the registry hands out for each @KafkaListener (Spring's MessageListenerContainer). */
export interface MessageListenerContainer {
  /** The listener's id (@KafkaListener id, or `Class.method`). */
  readonly listenerId: string;
  readonly groupId: string | undefined;
  /** Starts every consumer; resolves once their poll loops run. */
  start(): Promise<void>;
  /** Stops every consumer: the records in progress finish, processed offsets are committed, the group is left. */
  stop(): Promise<void>;
  /** Pauses every partition after the current polls; consumers keep polling and stay in the group. */
  pause(): void;
  resume(): void;
  isRunning(): boolean;
  /** stop() was called and some consumer is still finishing its record in progress. */
  isStopping(): boolean;
  isPauseRequested(): boolean;
  /** Paused, as requested, on every consumer. */
  isContainerPaused(): boolean;
  /** The partitions owned now, over all consumers. */
  assignedPartitions(): TopicPartition[];
}

/**
 * Spring Kafka's ConcurrentMessageListenerContainer: `concurrency` child containers,
 * each with its own consumer in the same group, so the group spreads the partitions
 * over them. For explicit partitions (topicPartitions) the partitions are divided among
 * the children instead, and no more children run than there are partitions.
 */
export class ConcurrentMessageListenerContainer implements MessageListenerContainer {
  readonly listenerId: string;
  readonly groupId: string | undefined;
  /** The child containers, one consumer each. */
  readonly containers: readonly KafkaMessageListenerContainer[];
  private readonly logger: Logger;

  constructor(
    readonly endpoint: ListenerEndpoint,
    childSettings: readonly ContainerSettings[],
    invoker: ListenerInvoker,
    errorHandler: CommonErrorHandler,
    consumerFactory: ListenerConsumerFactory,
  ) {
    this.listenerId = endpoint.id;
    this.groupId = endpoint.groupId;
    this.logger = new Logger(`ConcurrentMessageListenerContainer ${endpoint.id}`);
    this.containers = childSettings.map((settings) => new KafkaMessageListenerContainer(settings, invoker, errorHandler, consumerFactory));
  }

  get concurrency(): number {
    return this.containers.length;
  }

  async start(): Promise<void> {
    const started: KafkaMessageListenerContainer[] = [];
    try {
      for (const child of this.containers) {
        await child.start();
        started.push(child);
      }
    } catch (err) {
      await Promise.all(started.map((child) => child.stop()));
      throw err;
    }
    this.logger.log(`Started ${this.containers.length} consumer(s) for group ${this.groupId ?? '(none)'}`);
  }

  async stop(): Promise<void> {
    await Promise.all(this.containers.map((child) => child.stop()));
  }

  pause(): void {
    for (const child of this.containers) child.pause();
  }

  resume(): void {
    for (const child of this.containers) child.resume();
  }

  isRunning(): boolean {
    return this.containers.some((child) => child.isRunning());
  }

  isStopping(): boolean {
    return this.containers.some((child) => child.isStopping());
  }

  isPauseRequested(): boolean {
    return this.containers.length > 0 && this.containers.every((child) => child.isPauseRequested());
  }

  isContainerPaused(): boolean {
    return this.containers.length > 0 && this.containers.every((child) => child.isContainerPaused());
  }

  assignedPartitions(): TopicPartition[] {
    return this.containers.flatMap((child) => child.assignedPartitions());
  }

  /** Each consumer's partitions by its client.id (Spring's getAssignmentsByClientId). */
  getAssignmentsByClientId(): Map<string, TopicPartition[]> {
    return new Map(this.containers.map((child) => [child.clientId, child.assignedPartitions()]));
  }
}

const defaultConsumerFactory: ListenerConsumerFactory = (options) => new KafkaConsumer<Buffer | null, Buffer | null>(options);

/**
 * Builds the container of a listener from the bound configuration: consumer settings
 * from kafka.consumer.* with the listener's `properties` over them, the group and
 * client ids, commit settings from kafka.listener.*. Fails at start-up (naming the
 * listener) on settings the consumer would refuse.
 */
export function createListenerContainer(
  endpoint: ListenerEndpoint,
  invoker: ListenerInvoker,
  errorHandler: CommonErrorHandler,
  config: ClientConfig,
  options: KafkaListenerContainerOptions = {},
): ConcurrentMessageListenerContainer {
  const fail = (problem: string): never => {
    throw new ClientConfigError(`@KafkaListener ${endpoint.id} (${endpoint.className}.${endpoint.methodName}): ${problem}`);
  };
  const base = fromClientConfig(config, endpoint.properties) as unknown as Record<string, unknown>;
  const deserializer = (key: 'key.deserializer' | 'value.deserializer') => {
    try {
      return resolveDeserializer(base[key] as DeserializerSpec | undefined);
    } catch (err) {
      return fail(`${key}: ${(err as Error).message}`);
    }
  };
  const keyDeserializer = deserializer('key.deserializer');
  const valueDeserializer = deserializer('value.deserializer');
  const clientIdBase = endpoint.properties['client.id'] ?? config.clientId ?? endpoint.id;

  const subscriptions = childSubscriptions(endpoint.subscription, endpoint.concurrency);
  const settings = subscriptions.map((subscription, index): ContainerSettings => {
    const consumerOptions: Record<string, unknown> = {
      ...base,
      'client.id': `${clientIdBase}-${index}`,
      'key.deserializer': 'buffer',
      'value.deserializer': 'buffer',
      // Spring's containers commit per ack mode: auto-commit only when configured explicitly.
      'enable.auto.commit': base['enable.auto.commit'] ?? false,
    };
    if (endpoint.groupId === undefined) delete consumerOptions['group.id'];
    else consumerOptions['group.id'] = endpoint.groupId;
    try {
      resolveConsumerOptions(consumerOptions as unknown as ConsumerOptions);
    } catch (err) {
      fail((err as Error).message);
    }
    return {
      listenerId: endpoint.id,
      clientId: `${clientIdBase}-${index}`,
      groupId: endpoint.groupId,
      subscription,
      batch: endpoint.batch,
      ackMode: config.listener.ackMode,
      ackCount: config.listener.ackCount,
      ackTimeMs: config.listener.ackTime,
      pollTimeoutMs: config.listener.pollTimeout,
      syncCommits: options.syncCommits ?? true,
      asyncAcks: options.asyncAcks ?? false,
      shutdownTimeoutMs: options.shutdownTimeoutMs ?? 10_000,
      consumerOptions: consumerOptions as unknown as ConsumerOptions<Buffer | null, Buffer | null>,
      keyDeserializer,
      valueDeserializer,
    };
  });
  return new ConcurrentMessageListenerContainer(endpoint, settings, invoker, errorHandler, options.consumerFactory ?? defaultConsumerFactory);
}

/**
 * One subscription per child. Topics and patterns: the same for all, the group divides
 * the partitions. Explicit partitions: divided in contiguous runs as Spring divides
 * them, the first children taking one more when they do not divide evenly.
 */
export function childSubscriptions(subscription: ListenerSubscription, concurrency: number): ListenerSubscription[] {
  if (subscription.kind !== 'partitions') return Array.from({ length: concurrency }, () => subscription);
  const all = subscription.partitions;
  const children = Math.min(concurrency, all.length);
  const out: ListenerSubscription[] = [];
  let next = 0;
  for (let i = 0; i < children; i++) {
    const size = Math.floor(all.length / children) + (i < all.length % children ? 1 : 0);
    out.push({ kind: 'partitions', partitions: all.slice(next, next + size) });
    next += size;
  }
  return out;
}
