import type { ClientConfig } from '../../config/client.config';
import { isManualAckMode, type AckMode } from '../consumer/ack-modes';
import { ClientConfigError } from '../errors';
import { KafkaListener, type KafkaListenerOptions } from './kafka-listener.decorator';
import { decoratorName, listenerParametersOf, type ListenerParameter } from './listener-parameters.decorator';

/** Kafka's legal topic names (Topic.validate): 1-249 of these characters, not "." or "..". */
const LEGAL_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

/** A decorated method as the explorer finds it. */
export interface ListenerMethod {
  readonly className: string;
  readonly methodName: string;
  readonly options: KafkaListenerOptions;
  readonly parameters: readonly ListenerParameter[];
  /** Declared parameters, decorated or not. */
  readonly parameterCount: number;
}

/** The application-wide settings a listener falls back on (kafka.listener.*, kafka.consumer.group-id). */
export interface ListenerDefaults {
  readonly ackMode: AckMode;
  readonly listenerType: 'SINGLE' | 'BATCH';
  readonly concurrency: number;
  readonly groupId?: string;
}

export type ListenerSubscription =
  | { readonly kind: 'topics'; readonly topics: readonly string[] }
  /** Anchored: matches whole topic names, as Java's Pattern.matches. */
  | { readonly kind: 'pattern'; readonly pattern: RegExp }
  | { readonly kind: 'partitions'; readonly partitions: readonly { topic: string; partition: number; initialOffset?: number }[] };

/** A validated listener: everything a container needs, defaults applied. */
export interface ListenerEndpoint {
  /** options.id, or `Class.method`. */
  readonly id: string;
  readonly className: string;
  readonly methodName: string;
  /** Undefined only for an explicit assignment (topicPartitions) without one: offsets are then not committed. */
  readonly groupId?: string;
  readonly subscription: ListenerSubscription;
  readonly concurrency: number;
  readonly autoStartup: boolean;
  readonly batch: boolean;
  readonly properties: Readonly<Record<string, string>>;
  /** One entry per declared parameter, in order; an undecorated single parameter is the payload. */
  readonly parameters: readonly ListenerParameter[];
}

/** The @KafkaListener method `methodName` of a class, or undefined if it is not one. */
export function listenerMethodOf(prototype: object, methodName: string): ListenerMethod | undefined {
  const method = (prototype as Record<string, unknown>)[methodName];
  if (typeof method !== 'function') return undefined;
  const options: KafkaListenerOptions | undefined = Reflect.getMetadata(KafkaListener.KEY, method);
  if (options === undefined) return undefined;
  const declaredTypes: unknown[] | undefined = Reflect.getMetadata('design:paramtypes', prototype, methodName);
  return {
    className: prototype.constructor?.name ?? 'anonymous',
    methodName,
    options,
    parameters: listenerParametersOf(prototype, methodName),
    parameterCount: Math.max(declaredTypes?.length ?? 0, method.length),
  };
}

export function listenerDefaultsFrom(config: Pick<ClientConfig, 'listener' | 'consumer'>): ListenerDefaults {
  return {
    ackMode: config.listener.ackMode,
    listenerType: config.listener.type,
    concurrency: config.listener.concurrency,
    groupId: config.consumer.groupId,
  };
}

/**
 * Checks a listener the way Spring does when the application starts, and fills in
 * defaults. Throws ClientConfigError naming the listener and what to change.
 */
export function resolveListenerEndpoint(method: ListenerMethod, defaults: ListenerDefaults): ListenerEndpoint {
  const { options } = method;
  const id = options.id ?? `${method.className}.${method.methodName}`;
  const fail = (problem: string): never => {
    throw new ClientConfigError(`@KafkaListener ${id} (${method.className}.${method.methodName}): ${problem}`);
  };

  const subscription = resolveSubscription(options, fail);
  const groupId = options.groupId ?? (options.idIsGroup !== false ? options.id : undefined) ?? options.properties?.['group.id'] ?? defaults.groupId;
  if (groupId !== undefined && groupId.trim() === '') fail('the group id is empty');
  if (groupId === undefined && subscription.kind !== 'partitions') {
    fail('subscribing to topics needs a group id: set groupId (or id) on @KafkaListener, or kafka.consumer.group-id');
  }

  const concurrency = options.concurrency ?? defaults.concurrency;
  if (!Number.isInteger(concurrency) || concurrency < 1) fail(`concurrency must be an integer >= 1, not ${concurrency}`);

  const parameters = resolveParameters(method, fail);
  if (parameters.some((p) => p.kind === 'acknowledgment') && !isManualAckMode(defaults.ackMode)) {
    fail(
      `the listener asks for an Acknowledgment (@Ack()), but the ack mode is ${defaults.ackMode}; ` +
        'only a MANUAL ack mode provides one: set kafka.listener.ack-mode to MANUAL or MANUAL_IMMEDIATE',
    );
  }

  return {
    id,
    className: method.className,
    methodName: method.methodName,
    groupId,
    subscription,
    concurrency,
    autoStartup: options.autoStartup ?? true,
    batch: options.batch ?? defaults.listenerType === 'BATCH',
    properties: { ...(options.properties ?? {}) },
    parameters,
  };
}

function resolveSubscription(options: KafkaListenerOptions, fail: (problem: string) => never): ListenerSubscription {
  const given = (['topics', 'topicPattern', 'topicPartitions'] as const).filter((k) => options[k] !== undefined);
  if (given.length !== 1) {
    fail(`set exactly one of topics, topicPattern, topicPartitions${given.length > 0 ? ` (found ${given.join(', ')})` : ''}`);
  }
  const checkTopic = (topic: unknown) => {
    if (typeof topic !== 'string' || !LEGAL_TOPIC.test(topic) || topic === '.' || topic === '..') {
      fail(`${JSON.stringify(topic)} is not a legal topic name (1-249 of a-z A-Z 0-9 . _ -)`);
    }
  };

  if (options.topics !== undefined) {
    const topics = typeof options.topics === 'string' ? [options.topics] : [...options.topics];
    if (topics.length === 0) fail('topics is empty');
    topics.forEach(checkTopic);
    return { kind: 'topics', topics: [...new Set(topics)] };
  }

  if (options.topicPattern !== undefined) {
    const source = options.topicPattern instanceof RegExp ? options.topicPattern.source : options.topicPattern;
    const flags = options.topicPattern instanceof RegExp ? options.topicPattern.flags.replace(/[gy]/g, '') : '';
    if (typeof source !== 'string' || source.length === 0) fail('topicPattern is empty');
    try {
      return { kind: 'pattern', pattern: new RegExp(`^(?:${source})$`, flags) };
    } catch (err) {
      return fail(`topicPattern ${JSON.stringify(source)} is not a valid regular expression (${(err as Error).message})`);
    }
  }

  const entries = options.topicPartitions!;
  if (entries.length === 0) fail('topicPartitions is empty');
  const seen = new Set<string>();
  const partitions: { topic: string; partition: number; initialOffset?: number }[] = [];
  for (const entry of entries) {
    checkTopic(entry.topic);
    if (entry.partitions.length === 0) fail(`topicPartitions for ${entry.topic} lists no partitions`);
    if (entry.initialOffset !== undefined && !Number.isSafeInteger(entry.initialOffset)) {
      fail(`initialOffset for ${entry.topic} must be an integer, not ${entry.initialOffset}`);
    }
    for (const partition of entry.partitions) {
      if (!Number.isInteger(partition) || partition < 0) fail(`partition ${partition} of ${entry.topic} must be an integer >= 0`);
      const key = `${entry.topic}-${partition}`;
      if (seen.has(key)) fail(`topicPartitions lists ${key} twice`);
      seen.add(key);
      partitions.push(entry.initialOffset === undefined ? { topic: entry.topic, partition } : { topic: entry.topic, partition, initialOffset: entry.initialOffset });
    }
  }
  return { kind: 'partitions', partitions };
}

/**
 * Every declared parameter gets a role. Like Spring, a lone undecorated parameter is the
 * payload; unlike Spring, which can tell an Acknowledgment or a ConsumerRecord by its
 * Java type, anything else must say what it wants (TypeScript erases interfaces).
 */
function resolveParameters(method: ListenerMethod, fail: (problem: string) => never): ListenerParameter[] {
  const byIndex = new Map<number, ListenerParameter>();
  for (const p of method.parameters) {
    const other = byIndex.get(p.index);
    if (other) fail(`parameter ${p.index} has both @${decoratorName(other.kind)}() and @${decoratorName(p.kind)}(): give it one`);
    byIndex.set(p.index, p);
  }
  const payloads = method.parameters.filter((p) => p.kind === 'payload');
  if (payloads.length > 1) fail(`parameters ${payloads.map((p) => p.index).join(' and ')} are both @Payload(): a listener receives one payload`);

  const count = Math.max(method.parameterCount, ...method.parameters.map((p) => p.index + 1));
  const undecorated = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (undecorated.length > 0 && (payloads.length > 0 || undecorated.length > 1)) {
    fail(
      `parameter${undecorated.length > 1 ? 's' : ''} ${undecorated.join(', ')} ha${undecorated.length > 1 ? 've' : 's'} no decorator and ` +
        `${payloads.length > 0 ? 'the payload is already @Payload()' : 'only one parameter can be the payload by default'}: ` +
        'mark each with @Payload(), @Key(), @Headers(), @Header(name), @Ack() or @Record()',
    );
  }
  for (const index of undecorated) byIndex.set(index, { index, kind: 'payload' });
  return [...byIndex.values()].sort((a, b) => a.index - b.index);
}
